"""The overview charts' rows: grades and measure statuses per project (per vision when a plan
has too many projects for one readable chart)."""

from __future__ import annotations

from collections import Counter

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dxtracker.report.charts import (
    STATUS_COLOURS,
    BarRow,
    ChartRenderer,
    draw_stacked_bars,
    grade_colour,
)
from dxtracker.report.summary import STATUS_KEYS, ReportData

MAX_BARS = 30


def _short(text: str, width: int = 16) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def overview_rows(data: ReportData, which: str) -> list[BarRow]:
    """`which`: "grades" or "statuses"."""
    key = "grade_counts" if which == "grades" else "status_counts"
    if len(data.summaries) <= MAX_BARS:
        return [BarRow(f"({s.number}){_short(s.title)}", getattr(s, key))
                for s in data.summaries]
    by_vision: dict[int, Counter[str]] = {}
    titles: dict[int, str] = {}
    for project, summary in zip(data.projects, data.summaries, strict=True):
        number = project["vision"]["number"]
        titles[number] = project["vision"]["title"]
        by_vision.setdefault(number, Counter()).update(getattr(summary, key))
    tr = data.wording.tr
    rows = [BarRow(tr("ビジョン{number} {title}", number=n, title=_short(titles[n], 12)),
                   by_vision[n]) for n in sorted(by_vision)]
    if len(rows) > MAX_BARS:
        total: Counter[str] = sum((Counter(r.counts) for r in rows), Counter())
        rows = [BarRow(tr("計画全体"), total)]
    return rows


def draw_grade_overview(ax: Axes, data: ReportData, *, row_labels: bool = True) -> None:
    scheme, wording = data.scheme, data.wording
    draw_stacked_bars(
        ax, overview_rows(data, "grades"), scheme.all_grades,
        {g: wording.grade(scheme, g) for g in scheme.all_grades},
        {g: grade_colour(g, scheme) for g in scheme.all_grades},
        wording.tr("KPIの評価（{year}、指標数）", year=wording.year(data.fiscal_year)),
        row_labels=row_labels)


def draw_status_overview(ax: Axes, data: ReportData, *, row_labels: bool = True) -> None:
    wording = data.wording
    draw_stacked_bars(
        ax, overview_rows(data, "statuses"), STATUS_KEYS,
        {s: wording.status(s) for s in STATUS_KEYS}, STATUS_COLOURS,
        wording.tr("施策の進捗状況（{year}、施策×担当部局の数）",
                   year=wording.year(data.fiscal_year)),
        row_labels=row_labels)


def draw_overviews(figure: Figure, data: ReportData, box: tuple[float, float, float, float]
                   ) -> None:
    """Grades and statuses side by side, sharing the row labels, inside `box` (left, bottom,
    width, height as figure fractions; the left 22 % of it holds the labels)."""
    left, bottom, width, height = box
    label_room, gap = 0.22 * width, 0.05 * width
    panel = (width - label_room - gap) / 2
    draw_grade_overview(figure.add_axes((left + label_room, bottom, panel, height)), data)
    draw_status_overview(
        figure.add_axes((left + label_room + panel + gap, bottom, panel, height)), data,
        row_labels=False)


def overview_size(data: ReportData) -> tuple[float, float]:
    """Figure size in inches: fixed margins for titles and legends, 0.28 in per bar."""
    return 10.0, 1.3 + 0.28 * len(overview_rows(data, "grades"))


def overview_box(height: float) -> tuple[float, float, float, float]:
    """Where the bars go in a figure `height` inches tall: 0.8 in below for the legends,
    0.45 in above for the titles."""
    return 0.02, 0.8 / height, 0.96, 1 - 1.25 / height


def overview_png(renderer: ChartRenderer, data: ReportData) -> bytes:
    width, height = overview_size(data)
    return renderer.render_figure(
        lambda figure: draw_overviews(figure, data, overview_box(height)), (width, height))
