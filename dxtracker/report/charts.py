"""Charts of the plan (matplotlib, Agg, no pyplot): one per KPI, and overviews of grades and
measure statuses. The same drawing functions serve PNGs for the workbook, pages of the PDF
and the desktop dashboard's Qt canvas: each draws on an Axes it is given, with the words of
the report's language (`wording.Wording`). Fonts: `fonts.py`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from dxtracker.report.fonts import FONT_FALLBACK as FONT_FALLBACK
from dxtracker.report.fonts import chart_style
from dxtracker.report.fonts import font_families as font_families
from dxtracker.report.fonts import has_japanese_font as has_japanese_font
from dxtracker.report.fonts import style_rc as style_rc
from dxtracker.report.grading import NOT_ASSESSABLE, UNKNOWN, Grade, GradeScheme
from dxtracker.report.series import KpiSeries, kpi_series
from dxtracker.report.wording import JAPANESE, Wording

# Okabe–Ito colours (readable with colour-blindness); revisions stay red as in the plan.
TARGET_COLOUR = "#0072B2"
ACTUAL_COLOUR = "#D55E00"
BASELINE_COLOUR = "#555555"
REVISION_COLOUR = "#D00000"
PART_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#D55E00")
STATUS_COLOURS = {"順調": "#009E73", "概ね順調": "#56B4E9", "やや遅れ": "#E69F00",
                  "遅れ": "#D55E00", "完了": "#0072B2", "未着手": "#CC79A7", "未報告": "#DDDDDD"}
SPECIAL_GRADE_COLOURS = {UNKNOWN: "#DDDDDD", NOT_ASSESSABLE: "#999999"}
LEVEL_COLOURS = ("#009E73", "#56B4E9", "#E69F00", "#D55E00", "#882255", "#332288")

KPI_FIGSIZE = (6.4, 3.6)  # inches; at 100 dpi a 640×360 PNG
KPI_DPI = 100


def grade_colour(grade: str, scheme: GradeScheme) -> str:
    if grade in SPECIAL_GRADE_COLOURS:
        return SPECIAL_GRADE_COLOURS[grade]
    labels = scheme.labels
    if grade not in labels:
        return "#999999"
    # Spread the palette over the levels: the best green, the worst vermillion.
    index = labels.index(grade) * (len(LEVEL_COLOURS[:4]) - 1) // max(len(labels) - 1, 1)
    return LEVEL_COLOURS[index]


_TOKEN_RE = re.compile(r"[0-9A-Za-z%.,~\-]+|\s+|.")


def wrap(text: str, width: int) -> str:
    """Wrap Japanese text (no spaces to break at) at about `width` characters, never inside a
    run of Latin letters and digits ("100%", "P01-K3"); existing line breaks are kept."""
    return "\n".join(_wrap_line(line, width) for line in (text or "").split("\n"))


def _wrap_line(text: str, width: int) -> str:
    lines, line = [], ""
    for token in _TOKEN_RE.findall(text):
        if line and len(line) + len(token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line.rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- one KPI


def grade_caption(grade: Grade | None, fiscal_year: int, scheme: GradeScheme,
                  wording: Wording = JAPANESE) -> str:
    if grade is None:
        return ""
    caption = wording.tr("{year}の評価: {grade}", year=wording.year(fiscal_year),
                         grade=wording.grade(scheme, grade.grade))
    return (caption + wording.brackets(wording.achievement(grade))
            + (wording.tr("・手動") if grade.manual else ""))


def draw_kpi_chart(ax: Axes, kpi: Mapping[str, Any], grades: Mapping[int, Grade],
                   fiscal_year: int, scheme: GradeScheme, *, title_width: int = 34,
                   wording: Wording = JAPANESE) -> None:
    """Baseline, targets per fiscal year (revisions marked in red), actuals, grades: as a
    person reads them at a glance. Composite KPIs get one colour per part."""
    series = kpi_series(kpi)
    years = series.years
    reset_axes(ax)
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels([wording.year(fy) + ("\n" + wording.tr("(現状)") if i == 0 else "")
                        for i, fy in enumerate(years)], fontsize=7.5)
    title = wrap(f"{kpi['code']} {kpi['name']}", title_width)
    caption = grade_caption(grades.get(fiscal_year), fiscal_year, scheme, wording)
    # An explicit y keeps matplotlib from measuring the axis for the title's position.
    ax.set_title(f"{title}\n{caption}" if caption else title, loc="left", y=1.0, pad=8)
    # Horizontal, above the axis: a vertical Japanese unit is hard to read.
    unit = kpi.get("unit") or ""
    ax.set_ylabel((f"({unit})" if wording.english else f"（{unit}）") if unit else "",
                  rotation=0, ha="right", va="bottom", fontsize=7.5)
    ax.yaxis.set_label_coords(0.0, 1.01)
    composite = len(series.parts) > 1 or series.parts[0].label != ""
    for index, part in enumerate(series.parts):
        colours = ((PART_COLOURS[index % len(PART_COLOURS)],) * 2 if composite
                   else (TARGET_COLOUR, ACTUAL_COLOUR))
        _draw_part(ax, part, colours, grades, scheme, composite, wording)
    _draw_words(ax, series, wording)
    _finish_axes(ax, series, composite, wording)


def _draw_part(ax: Axes, part: Any, colours: tuple[str, str], grades: Mapping[int, Grade],
               scheme: GradeScheme, composite: bool, wording: Wording) -> None:
    target_colour, actual_colour = colours
    if part.baseline is not None:
        colour = target_colour if composite else BASELINE_COLOUR
        ax.plot([0], [part.baseline], "s", color=colour, ms=6, zorder=4)
        _label(ax, 0, part.baseline, part.baseline_text, colour, side="left")
    xs, ys = part.target_line()
    if xs:
        ax.plot(xs, ys, "--", color=target_colour, lw=1.3, zorder=2)
    ranges = [p for p in part.targets if p.low is not None and p.high is not None]
    if ranges:
        ax.vlines([p.x for p in ranges], [p.low for p in ranges], [p.high for p in ranges],
                  color=target_colour, lw=7, alpha=0.3)
    for marker, kinds in (("o", ("number", "range")), ("^", ("at_least",)), ("v", ("at_most",))):
        points = [p for p in part.targets if p.kind in kinds]
        if points:  # one line of markers per kind: fewer artists to draw
            ax.plot([p.x for p in points], [p.y for p in points], marker, ls="",
                    color=target_colour, mfc="white", ms=6, zorder=3)
    for point in part.targets:
        _label(ax, point.x, point.y, point.text, target_colour, side="right")
    if part.revisions:
        ax.plot([r.x for r in part.revisions], [r.old for r in part.revisions], "o", ls="",
                mfc="none", mec=REVISION_COLOUR, ms=7, zorder=3)
    for revision in part.revisions:
        ax.annotate("", xy=(revision.x, revision.new), xytext=(revision.x, revision.old),
                    arrowprops={"arrowstyle": "->", "color": REVISION_COLOUR, "lw": 1})
        ax.text(revision.x + 0.06, revision.old, wording.tr("{old}から修正",
                                                           old=revision.old_text),
                fontsize=6.5, color=REVISION_COLOUR, va="center")
    axs, ays = part.actual_line()
    if axs:
        ax.plot(axs, ays, "-o", color=actual_colour, lw=2, ms=6, zorder=5)
        for x, y, text, fy in zip(axs, ays, part.actual_texts(), part.actual_years(),
                                  strict=True):
            grade = grades.get(fy)
            shown = (text if composite or grade is None
                     else f"{text} [{wording.grade(scheme, grade.grade)}]")
            _label(ax, x, y, shown, actual_colour, side="left")


# Where a value's label sits: targets to the lower right and actuals to the upper left of
# their marker, so that a target and an actual of the same year do not cover each other.
_LABEL_PLACES = {"below": ((0, -11), "center"), "right": ((6, -9), "left"),
                 "left": ((-7, 8), "right")}


def _label(ax: Axes, x: float, y: float, text: str, colour: str, *, side: str) -> None:
    (dx, dy), align = _LABEL_PLACES[side]
    # A Text with an offset transform: drawn like an annotation, at a fraction of the cost.
    # (offset_copy's arithmetic; it is typed for a Figure, ax.figure may be a SubFigure)
    shifted = ax.transData + ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)
    ax.text(x, y, text, transform=shifted, ha=align, va="center", fontsize=6.5, color=colour,
            zorder=6)


def _draw_words(ax: Axes, series: KpiSeries, wording: Wording) -> None:
    """Targets in words ("半数") cannot be plotted: written at the top of their year."""
    transform = ax.get_xaxis_transform()
    for x, text in series.word_targets:
        ax.text(x, 0.97, wording.tr("目標:") + "\n" + wrap(text, 7), transform=transform,
                ha="center",
                va="top", fontsize=6.5, color=TARGET_COLOUR,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": TARGET_COLOUR,
                      "lw": 0.6})


def reset_axes(ax: Axes) -> None:
    """Empty an Axes for the next chart, keeping its ticks: a renderer draws every KPI on the
    same Axes, because creating an Axes and its ticks costs more than drawing the chart."""
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches]:
        artist.remove()
    ax.legend_ = None  # legends are kept for reuse (see `_legend`)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.grid(axis="y", color="#E5E5E5", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _finish_axes(ax: Axes, series: KpiSeries, composite: bool, wording: Wording) -> None:
    values = series.values()
    if not values:
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        if not series.word_targets:
            ax.text(0.5, 0.5, wording.tr("数値の目標・実績がありません"), transform=ax.transAxes,
                    ha="center", va="center", color="#777777")
    else:
        ax.set_ylim(*_y_limits(values, bool(series.word_targets)))
    _legend(ax, series, composite, wording)


def _legend(ax: Axes, series: KpiSeries, composite: bool, wording: Wording) -> None:
    """The legend, built once per kind of chart and Axes: most KPIs share the same one, and
    building a legend costs as much as drawing it."""
    key = (composite, series.has_revisions, wording.language,
           tuple(p.label for p in series.parts) if composite else ())
    cache: dict[Any, Any] = ax.__dict__.setdefault("_dxtracker_legends", {})
    if key in cache:
        ax.legend_ = cache[key]
    else:
        cache[key] = ax.legend(handles=_legend_handles(series, composite, wording),
                               loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                               fontsize=7)


def _y_limits(values: list[float], words: bool) -> tuple[float, float]:
    """Limits with room for the value labels (and, with `words`, for the word targets' boxes
    at the top); no negative axis for figures that are never negative."""
    low, high = min(values), max(values)
    span = (high - low) or abs(high) or 1.0
    bottom, top = low - 0.22 * span, high + 0.22 * span
    if bottom < 0 <= low:
        bottom = -0.1 * top
    if words:
        top += (top - bottom) * 0.5
    return bottom, top


def _tick(value: float, _pos: int) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"


def _legend_handles(series: KpiSeries, composite: bool, wording: Wording) -> list[Line2D]:
    tr = wording.tr
    handles = [Line2D([], [], marker="s", ls="", color=BASELINE_COLOUR, label=tr("現状"))]
    if composite:
        for index, part in enumerate(series.parts):
            colour = PART_COLOURS[index % len(PART_COLOURS)]
            handles.append(Line2D([], [], color=colour, lw=2, label=part.label))
        handles += [Line2D([], [], color="#444444", ls="--", marker="o", mfc="white",
                           label=tr("目標（破線）")),
                    Line2D([], [], color="#444444", lw=2, marker="o", label=tr("実績（実線）"))]
    else:
        handles += [Line2D([], [], color=TARGET_COLOUR, ls="--", marker="o", mfc="white",
                           label=tr("目標")),
                    Line2D([], [], color=ACTUAL_COLOUR, lw=2, marker="o",
                           label=tr("実績 [評価]"))]
    if series.has_revisions:
        handles.append(Line2D([], [], marker="o", ls="", mfc="none", mec=REVISION_COLOUR,
                              label=tr("修正前の目標")))
    return handles


# --------------------------------------------------------------------------- overviews


@dataclass(frozen=True)
class BarRow:
    label: str
    counts: Mapping[str, int]


def draw_stacked_bars(ax: Axes, rows: Sequence[BarRow], keys: Sequence[str],
                      names: Mapping[str, str], colours: Mapping[str, str], title: str, *,
                      row_labels: bool = True) -> None:
    """One horizontal bar per row, split by key, with the counts written in; the legend
    below the bars."""
    positions = list(range(len(rows)))[::-1]  # first row on top
    lefts = [0] * len(rows)
    for key in keys:
        widths = [row.counts.get(key, 0) for row in rows]
        if not any(widths):
            continue
        ax.barh(positions, widths, left=lefts, color=colours.get(key, "#999999"),
                label=names.get(key, key), height=0.7, edgecolor="white", lw=0.5)
        for y, left, width in zip(positions, lefts, widths, strict=True):
            if width:
                ax.text(left + width / 2, y, str(width), ha="center", va="center", fontsize=7)
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    ax.set_yticks(positions)
    ax.set_yticklabels([row.label for row in rows] if row_labels else [], fontsize=7.5)
    ax.set_title(title, loc="left", y=1.0, pad=6)
    ax.spines[["top", "right"]].set_visible(False)
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.3 / max(len(rows), 1)),
              frameon=False, fontsize=7.5, ncol=max(len(ax.containers), 1), handlelength=1.2,
              columnspacing=1.0)


# --------------------------------------------------------------------------- PNG rendering


class ChartRenderer:
    """Renders charts to PNG bytes, reusing one Figure and Agg canvas (creating a figure per
    chart costs more than the chart). Not thread-safe: one renderer per thread."""

    def __init__(self, figsize: tuple[float, float] = KPI_FIGSIZE, dpi: int = KPI_DPI) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.dpi = dpi
        self._kpi_axes: Axes | None = None

    def render_figure(self, draw: Callable[[Figure], None], figsize: tuple[float, float]
                      ) -> bytes:
        """Draw on the (cleared) Figure itself, for charts of several Axes."""
        with chart_style():
            self._kpi_axes = None
            self.figure.clear()
            self.figure.set_size_inches(figsize)
            draw(self.figure)
            return self._png()

    def render(self, draw: Callable[[Axes], None], *,
               figsize: tuple[float, float] | None = None,
               rect: tuple[float, float, float, float] = (0.1, 0.16, 0.66, 0.66)) -> bytes:
        """Draw on a fresh Axes at `rect` (fixed margins: no tight_layout) and return a PNG."""
        with chart_style():
            self._kpi_axes = None
            self.figure.clear()
            if figsize is not None:
                self.figure.set_size_inches(figsize)
            draw(self.figure.add_axes(rect))
            return self._png()

    def kpi_png(self, kpi: Mapping[str, Any], grades: Mapping[int, Grade], fiscal_year: int,
                scheme: GradeScheme, wording: Wording = JAPANESE) -> bytes:
        """One KPI's chart; consecutive calls reuse the same Axes (see `reset_axes`)."""
        with chart_style():
            if self._kpi_axes is None:
                self.figure.clear()
                self.figure.set_size_inches(KPI_FIGSIZE)
                self._kpi_axes = self.figure.add_axes(KPI_RECT)
            draw_kpi_chart(self._kpi_axes, kpi, grades, fiscal_year, scheme, wording=wording)
            return self._png()

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        # Fast zlib level: the charts are flat colours and compress well anyway.
        self.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


# Room on the left for tick labels, on top for a two-line title and the caption, on the right
# for the legend.
KPI_RECT = (0.1, 0.14, 0.68, 0.66)
