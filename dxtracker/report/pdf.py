"""`dxtracker report --pdf FILE.pdf`: the charts and tables as a PDF (matplotlib's PdfPages).

A4 landscape pages: an overview page (grade and status charts, counts per project); per
project a page with the KPI table (revisions in red, with "(8,000からの修正)") and the measures'
statuses and 取組実績, then the KPI charts, four to a page. The text is real text in embedded
TrueType (CID) fonts, so the PDF can be searched and copied from (`fonts.pdf_rc`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dxtracker.files.atomic import PDF_VIEWER, write_atomically
from dxtracker.report.cells import revised_from
from dxtracker.report.charts import REVISION_COLOUR, draw_kpi_chart, grade_colour, wrap
from dxtracker.report.fonts import pdf_rc
from dxtracker.report.overview import draw_overviews
from dxtracker.report.project_sheet import status_lines
from dxtracker.report.summary import ReportData, progress_rows
from dxtracker.report.wording import Wording

A4_LANDSCAPE = (11.69, 8.27)
TABLE_FONT = 7
LINE = 0.0165  # height of one table text line, as a fraction of the page


PageDone = Callable[[int], None]  # called with the number of each page once it is written


def write_report_pdf(data: ReportData, path: Path | str, page_done: PageDone | None = None
                     ) -> int:
    """Write the PDF (atomically); returns the number of pages. `page_done` may raise to stop
    (the report's cancel): the temporary file goes, and `path` is left as it was."""
    return write_atomically(path, lambda temporary: _write(data, temporary, page_done),
                            held_by=PDF_VIEWER)


def page_count(data: ReportData) -> int:
    return 1 + len(_project_pages(data))


def _write(data: ReportData, filename: Path, page_done: PageDone | None) -> int:
    pages = 0
    plan = data.snapshot["plan"]
    title = f"{plan['title']} {data.wording.year(data.fiscal_year)}"
    with matplotlib.rc_context(pdf_rc()), \
            PdfPages(filename, metadata={"Title": title}) as pdf:
        figure = Figure(figsize=A4_LANDSCAPE)
        for draw in (_overview_page, *_project_pages(data)):
            figure.clear()
            draw(figure, data)
            pdf.savefig(figure)
            pages += 1
            if page_done is not None:
                page_done(pages)
    return pages


def _page_title(figure: Figure, title: str, subtitle: str = "") -> None:
    figure.text(0.04, 0.955, title, fontsize=13, weight="bold", va="top")
    if subtitle:
        figure.text(0.04, 0.918, subtitle, fontsize=8, color="#555555", va="top")


def _overview_page(figure: Figure, data: ReportData) -> None:
    plan, w = data.snapshot["plan"], data.wording
    _page_title(figure, f"{plan['organisation']} {plan['title']} — "
                + w.tr("{year}の進捗と評価", year=w.year(data.fiscal_year)),
                plan["source"] + w.gap
                + w.tr("評価基準: {scheme}　達成率 = (実績 − 現状) ÷ (目標 − 現状)",
                       scheme=w.scheme(data.scheme)))
    draw_overviews(figure, data, (0.04, 0.5, 0.9, 0.36))
    totals = data.total_grade_counts()
    statuses = data.total_status_counts()
    lines = [w.tr("KPIの評価（全体）: ") + w.join(
        f"{w.grade(data.scheme, g)} {totals.get(g, 0)}" for g in data.scheme.all_grades),
             w.tr("施策の進捗（施策×担当部局）: ")
             + w.join(f"{w.status(s)} {n}" for s, n in statuses.items()),
             w.tr("回答: ") + data.submissions.note(w, data.fiscal_year)]
    figure.text(0.04, 0.42, "\n".join(lines), fontsize=9, va="top", linespacing=1.8)


def _project_pages(data: ReportData) -> list[Any]:
    pages: list[Any] = []
    for project in data.projects:
        pages.append(lambda figure, data, project=project: _project_page(figure, data, project))
        kpis = project["kpis"]
        for start in range(0, len(kpis), 4):
            pages.append(lambda figure, data, project=project, chunk=kpis[start:start + 4]:
                         _charts_page(figure, data, project, chunk))
    return pages


def _project_heading(figure: Figure, data: ReportData, project: Mapping[str, Any],
                     extra: str = "") -> None:
    vision, w = project["vision"], data.wording
    _page_title(figure, f"({project['number']}){project['title']}{extra}",
                w.tr("ビジョン{number} {title}", number=vision["number"], title=vision["title"])
                + w.gap + w.tr("主管部局: {department}", department=project["lead_department"]))


def _project_page(figure: Figure, data: ReportData, project: Mapping[str, Any]) -> None:
    w = data.wording
    _project_heading(figure, data, project)
    baseline_year = data.snapshot["plan"]["baseline_fiscal_year"]
    header = [w.tr("指標項目"), w.tr("現状") + f"\n({w.year(baseline_year)})"]
    header += [f"{w.year(fy)}\n{kind}" for fy in data.fiscal_years
               for kind in (w.tr("目標"), w.tr("実績"))]
    header += [w.tr("達成率"), w.tr("評価")]
    rows, colours = [], []
    for kpi in project["kpis"]:
        row, row_colours = _kpi_cells(data, kpi)
        rows.append(row)
        colours.append(row_colours)
    widths = [0.22, 0.06] + [0.08] * (2 * len(data.fiscal_years)) + [0.06, 0.05]
    bottom = _table(figure, 0.88, header, rows, widths, colours, w)
    measures = [_measure_cells(data, m) for m in project["measures"]]
    figure.text(0.04, bottom - 0.02, w.tr("主な施策と{year}の進捗", year=w.year(data.fiscal_year)),
                fontsize=9, weight="bold", va="top")
    _table(figure, bottom - 0.05, [w.tr("施策"), w.tr("担当部局"), w.tr("進捗状況"),
                                   w.tr("取組実績")], measures, [0.25, 0.12, 0.17, 0.38], None, w)


def _kpi_cells(data: ReportData, kpi: Mapping[str, Any]) -> tuple[list[str], list[str | None]]:
    w = data.wording
    fy_texts: list[str] = []
    text_colours: list[str | None] = [None, None]
    for fy in data.fiscal_years:
        key = str(fy)
        target = kpi["targets"].get(key)
        revisions = [r for r in kpi["revisions"] if r["fiscal_year"] == fy]
        text = target["display"] if target else "—"
        if revisions:
            old = revisions[0]["old_value"]
            text += "\n" + revised_from(old["display"] if old else "—", w)
        actual = kpi["actuals"].get(key)
        fy_texts += [wrap(text, 14), wrap(actual["display"], 14) if actual else ""]
        text_colours += [REVISION_COLOUR if revisions else None, None]
    grade = data.grade(kpi["code"])
    name = (w.tr("【新】") if kpi["is_new"] else "") + kpi["name"]
    row = [wrap(name, 24), kpi["baseline"]["display"] if kpi["baseline"] else "—", *fy_texts,
           w.achievement(grade), wrap(w.grade(data.scheme, grade.grade), 9)]
    text_colours += [None, grade_colour(grade.grade, data.scheme)]
    return row, text_colours


def _measure_cells(data: ReportData, measure: Mapping[str, Any]) -> list[str]:
    w = data.wording
    departments = w.tr("全部局") if measure["all_departments"] else \
        w.join(measure["departments"])
    records = [w.label(r["department"]) + r["record"]
               for r in progress_rows(measure, data.fiscal_year) if r["record"]]
    record = wrap("\n".join(records) or w.tr("（回答はまだありません）"), 44)
    status = status_lines(measure, data.fiscal_year, w)
    return [wrap(f"{measure['number']}. {measure['title']}", 28), wrap(departments, 12),
            wrap(_shorten(status, 90), 18), _cut_lines(record, 8, w)]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_lines(text: str, limit: int, w: Wording) -> str:
    lines = text.split("\n")
    more = [w.tr("…（続きはExcelの報告書）")] if len(lines) > limit else []
    return "\n".join(lines[:limit] + more)


def _table(figure: Figure, top: float, header: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float], colours: Sequence[Sequence[str | None]] | None,
           w: Wording) -> float:
    """Draw a table from `top` down (page fractions); each row as tall as its longest cell.
    `colours`: text colour per cell (red revisions) or, in the last column, a fill colour."""
    ax = figure.add_axes((0.04, 0.02, 0.92, top - 0.02))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top - 0.02)
    scale = 1 / sum(widths)
    y = top - 0.02
    for index, cells in enumerate([list(header), *map(list, rows)]):
        height = LINE * max(c.count("\n") + 1 for c in cells) + 0.008
        if y - height < 0:
            ax.text(0, y - 0.01, w.tr("…（続きはExcelの報告書）"), fontsize=TABLE_FONT,
                    va="top")
            break
        x = 0.0
        for column, text in enumerate(cells):
            width = widths[column] * scale
            colour = colours[index - 1][column] if colours and index else None
            _cell(ax, x, y, width, height, text, header=index == 0,
                  colour=colour, fill=column == len(cells) - 1 and colours is not None)
            x += width
        y -= height
    return y + 0.02


def _cell(ax: Axes, x: float, y: float, width: float, height: float, text: str, *,
          header: bool, colour: str | None, fill: bool) -> None:
    face = "#DDEBF7" if header else (colour if fill and colour else "white")
    ax.add_patch(Rectangle((x, y - height), width, height, facecolor=face,
                                              edgecolor="#808080", lw=0.4, alpha=0.9))
    text_colour = colour if colour and not fill else "black"
    ax.text(x + 0.004, y - 0.004, text, fontsize=TABLE_FONT, va="top", ha="left",
            color=text_colour, weight="bold" if header else "normal", linespacing=1.25)


def _charts_page(figure: Figure, data: ReportData, project: Mapping[str, Any],
                 kpis: Sequence[Mapping[str, Any]]) -> None:
    _project_heading(figure, data, project, data.wording.gap + data.wording.tr("KPIの推移"))
    slots = ((0.07, 0.50), (0.55, 0.50), (0.07, 0.08), (0.55, 0.08))
    for (left, bottom), kpi in zip(slots, kpis, strict=False):
        ax = figure.add_axes((left, bottom, 0.30, 0.27))
        draw_kpi_chart(ax, kpi, data.kpi_grades(kpi["code"]), data.fiscal_year, data.scheme,
                       title_width=40, wording=data.wording)
