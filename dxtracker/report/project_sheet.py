"""One project as a sheet in the seed's layout (資料1-2): vision, project, lead department,
概ね3年後の姿; the KPI table (指標項目, 現状, then per fiscal year 目標 and 実績, revisions in red
with "(8,000からの修正)"); the measures with their schedule boxes spanning fiscal years,
responsible departments, 留意点 and 対応方針, and the year's status and 取組実績 from the
returns, each department's text labelled with its name; then the KPI charts.

Columns: A code/number, B–C 指標項目 / 主な施策, then two columns per fiscal year (目標, 実績 in
the KPI table; one merged 工程 box per year in the measures table), then 達成率 and 評価 (担当部局
in the measures table). Sharing the columns keeps both tables on one printable width.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from typing import Any

from openpyxl.drawing.image import Image
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.report import cells
from dxtracker.report.cells import BOLD, HEADER_FILL, LABEL_FILL, SMALL, WRAP_CENTRE, box, put
from dxtracker.report.charts import grade_colour
from dxtracker.report.grading import GradeScheme
from dxtracker.report.summary import (
    NOT_REPORTED,
    ReportData,
    measure_statuses,
    progress_rows,
)
from dxtracker.report.wording import JAPANESE, Wording

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
WIDTH_CODE, WIDTH_NAME, WIDTH_BASELINE, WIDTH_FIGURE = 11, 34, 11, 14
WIDTH_RATE, WIDTH_GRADE = 10, 8
# the style of the tables' header cells
HEAD: dict[str, Any] = {"font": BOLD, "fill": HEADER_FILL, "alignment": WRAP_CENTRE}
TITLE_ROWS = 4  # title, note, vision, project: repeated on every printed page
CHART_SIZE = (640, 360)  # pixels of an embedded KPI chart: its PNG's own size


def circled(number: int) -> str:
    return CIRCLED[number - 1] if 0 < number <= len(CIRCLED) else f"({number})"


class Layout:
    """Column numbers of a project sheet for a plan with `years` fiscal years."""

    def __init__(self, years: list[int]) -> None:
        self.years = years
        self.code, self.name, self.baseline = 1, 2, 3
        self.rate = 4 + 2 * len(years)
        self.grade = self.rate + 1
        self.last = self.grade

    def target(self, index: int) -> int:
        return 4 + 2 * index

    def actual(self, index: int) -> int:
        return 5 + 2 * index

    def widths(self) -> dict[int, float]:
        widths: dict[int, float] = {
            self.code: WIDTH_CODE, self.name: WIDTH_NAME, self.baseline: WIDTH_BASELINE,
            self.rate: WIDTH_RATE, self.grade: WIDTH_GRADE}
        for i in range(len(self.years)):
            widths[self.target(i)] = widths[self.actual(i)] = WIDTH_FIGURE
        return widths


def write_project_sheet(ws: Worksheet, data: ReportData, project: Mapping[str, Any],
                        charts: Mapping[str, bytes]) -> None:
    layout = Layout(data.fiscal_years)
    for column, width in layout.widths().items():
        ws.column_dimensions[get_column_letter(column)].width = width
    row = _header(ws, data, project, layout)
    first_kpi = row + 1
    row = _kpi_table(ws, data, project, layout, first_kpi)
    segments = [(first_kpi, row - 1, False)]
    row = _measures_table(ws, data, project, layout, row + 1, segments)
    _charts(ws, project, charts, layout, row + 1, segments, data.wording)
    cells.a4_landscape(ws, title_rows=f"1:{TITLE_ROWS}")
    page = cells.page_points(ws, layout.widths(), TITLE_ROWS)
    cells.paginate(ws, segments, page, first_row=TITLE_ROWS + 1)
    ws.sheet_view.zoomScale = 90


def _header(ws: Worksheet, data: ReportData, project: Mapping[str, Any], layout: Layout) -> int:
    plan, w = data.snapshot["plan"], data.wording
    last = layout.last
    box(ws, 1, 1, 1, last - 2, plan["title"], font=cells.TITLE, border=False)
    box(ws, 1, last - 1, 1, last, plan["source"], font=BOLD, border=False,
        alignment=cells.WRAP_RIGHT)
    box(ws, 2, 1, 2, last, w.tr("{year}の実績と評価　赤字：修正箇所（修正後の値の後に"
                                "「(修正前の値からの修正)」と記載）",
                                year=w.year(data.fiscal_year)), font=SMALL, border=False)
    vision = project["vision"]
    put(ws, 3, 1, w.tr("ビジョン"), font=BOLD, fill=LABEL_FILL)
    box(ws, 3, 2, 3, last, f"{vision['number']} {vision['title']}", font=BOLD)
    put(ws, 4, 1, w.tr("プロジェクト"), font=BOLD, fill=LABEL_FILL)
    title = f"({project['number']}){project['title']}"
    box(ws, 4, 2, 4, layout.baseline, title, font=BOLD)
    put(ws, 4, layout.target(0), w.tr("主管部局"), font=BOLD, fill=LABEL_FILL)
    box(ws, 4, layout.actual(0), 4, last, project["lead_department"], font=BOLD)
    new = w.tr("【新規】")
    picture = "\n".join(f"{circled(item['number'])}{new if item['is_new'] else ''}"
                        f"{item['text']}" for item in project["future_picture"])
    put(ws, 5, 1, w.tr("概ね3年後の姿"), font=BOLD, fill=LABEL_FILL)
    box(ws, 5, 2, 5, last, picture)
    cells.fit_height(ws, 5, cells.line_count(picture, _span_width(layout, 2, last)))
    cells.fit_height(ws, 4, cells.line_count(title, WIDTH_NAME + WIDTH_BASELINE))
    return 6


def _span_width(layout: Layout, first: int, last: int) -> float:
    widths = layout.widths()
    return sum(widths[c] for c in range(first, last + 1))


# --------------------------------------------------------------------------- KPI table


def _kpi_table(ws: Worksheet, data: ReportData, project: Mapping[str, Any], layout: Layout,
               row: int) -> int:
    baseline_year = data.snapshot["plan"]["baseline_fiscal_year"]
    w = data.wording
    box(ws, row, layout.code, row + 1, layout.code, w.tr("コード"), **HEAD)
    box(ws, row, layout.name, row + 1, layout.name, w.tr("指標項目"), **HEAD)
    box(ws, row, layout.baseline, row + 1, layout.baseline,
        w.tr("現状") + f"\n({w.year(baseline_year)})", **HEAD)
    for i, fy in enumerate(layout.years):
        box(ws, row, layout.target(i), row, layout.actual(i), w.year(fy), **HEAD)
        put(ws, row + 1, layout.target(i), w.tr("目標"), **HEAD)
        put(ws, row + 1, layout.actual(i), w.tr("実績"), **HEAD)
    label = w.year(data.fiscal_year)
    box(ws, row, layout.rate, row + 1, layout.rate, f"{label}\n" + w.tr("達成率"), **HEAD)
    box(ws, row, layout.grade, row + 1, layout.grade, w.tr("評価"), **HEAD)
    cells.fit_height(ws, row + 1, 1)
    row += 2
    for kpi in project["kpis"]:
        _kpi_row(ws, data, kpi, layout, row)
        row += 1
    return row


def _kpi_row(ws: Worksheet, data: ReportData, kpi: Mapping[str, Any], layout: Layout,
             row: int) -> None:
    w = data.wording
    put(ws, row, layout.code, kpi["code"], font=SMALL)
    name = (w.tr("【新】") if kpi["is_new"] else "") + kpi["name"]
    if kpi["unit"] and f"({kpi['unit']})" not in name:
        name += "\n" + w.tr("（単位: {unit}）", unit=kpi["unit"])
    if kpi["note"]:
        name += f"\n※{kpi['note']}"
    put(ws, row, layout.name, name)
    put(ws, row, layout.baseline, cells.figure_text(kpi["baseline"]),
        alignment=cells.WRAP_RIGHT)
    lines = cells.line_count(name, WIDTH_NAME)
    for i, fy in enumerate(layout.years):
        target = _target_cell(ws, kpi, fy, row, layout.target(i), w)
        actual = _actual_text(kpi, fy, w)
        put(ws, row, layout.actual(i), actual, alignment=cells.WRAP_RIGHT)
        lines = max(lines, cells.line_count(target, WIDTH_FIGURE),
                    cells.line_count(actual, WIDTH_FIGURE))
    grade = data.grade(kpi["code"])
    put(ws, row, layout.rate, w.achievement(grade), alignment=cells.WRAP_RIGHT)
    put(ws, row, layout.grade, w.grade(data.scheme, grade.grade), font=BOLD,
        alignment=WRAP_CENTRE, fill=grade_fill(grade.grade, data.scheme))
    cells.fit_height(ws, row, lines)


def grade_fill(grade: str, scheme: GradeScheme) -> PatternFill:
    return _fill(grade_colour(grade, scheme).lstrip("#"))


@functools.cache
def _fill(colour: str) -> PatternFill:
    """One PatternFill object per colour (named styles are keyed by the object)."""
    return PatternFill("solid", fgColor="FF" + _lighten(colour))


def _lighten(hex_colour: str) -> str:
    """Half-way to white, so that black text stays readable on the grade's colour."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{(c + 255) // 2:02X}" for c in rgb)


def _target_cell(ws: Worksheet, kpi: Mapping[str, Any], fy: int, row: int, column: int,
                 w: Wording) -> str:
    """Write the target (red with "(oldからの修正)" when revised); return its plain text."""
    target = kpi["targets"].get(str(fy))
    note = kpi["target_notes"].get(str(fy), "")
    revisions = [r for r in kpi["revisions"] if r["fiscal_year"] == fy]
    if revisions:
        value = cells.revised_target(target, revisions[0]["old_value"], w)
        put(ws, row, column, value, font=cells.REVISED, alignment=cells.WRAP_RIGHT)
        return str(value)
    text = cells.figure_text(target) + (f"\n※{note}" if note else "")
    put(ws, row, column, text, alignment=cells.WRAP_RIGHT)
    return text


def _actual_text(kpi: Mapping[str, Any], fy: int, w: Wording) -> str:
    actual = kpi["actuals"].get(str(fy))
    if actual is None:
        return ""  # not known yet: blank, never 0 (the seed leaves future years empty)
    text = actual["display"]
    note = kpi["actual_notes"].get(str(fy), "")
    contributions = [c for c in kpi["contributions"].get(str(fy), []) if c["department"]]
    if len(contributions) > 1:
        text += "\n" + w.tr("({count}部局の合計)", count=len(contributions))
    return text + (f"\n※{note}" if note else "")


# --------------------------------------------------------------------------- measures


def _measures_table(ws: Worksheet, data: ReportData, project: Mapping[str, Any],
                    layout: Layout, row: int, segments: list[tuple[int, int, bool]]) -> int:
    w = data.wording
    box(ws, row, layout.code, row + 1, layout.code, w.tr("番号"), **HEAD)
    box(ws, row, layout.name, row + 1, layout.baseline, w.tr("主な施策"), **HEAD)
    box(ws, row, layout.target(0), row, layout.actual(len(layout.years) - 1), w.tr("工程"),
        **HEAD)
    for i, fy in enumerate(layout.years):
        box(ws, row + 1, layout.target(i), row + 1, layout.actual(i), w.year(fy), **HEAD)
    box(ws, row, layout.rate, row + 1, layout.grade, w.tr("担当部局"), **HEAD)
    row += 2
    for index, measure in enumerate(project["measures"]):
        first = row
        row = _measure_block(ws, data, measure, layout, row)
        # The table's header goes with its first measure.
        segments.append((first - 2 if index == 0 else first, row - 1, False))
    return row


def schedule_rows(schedule: list[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Pack the schedule boxes into grid rows, in order: each box goes on the first row where
    its years are free (how the seed's 工程 grid reads)."""
    rows: list[list[Mapping[str, Any]]] = []
    for item in schedule:
        years = set(range(item["from"], item["to"] + 1))
        for grid_row in rows:
            if not any(years & set(range(i["from"], i["to"] + 1)) for i in grid_row):
                grid_row.append(item)
                break
        else:
            rows.append([item])
    return rows


def _measure_block(ws: Worksheet, data: ReportData, measure: Mapping[str, Any],
                   layout: Layout, row: int) -> int:
    w = data.wording
    grid = schedule_rows(measure["schedule"]) or [[]]
    first, last_schedule = row, row + len(grid) - 1
    title = (w.tr("【新規】") if measure["is_new"] else "") + measure["title"]
    text = title + "".join(f"\n○{item}" for item in measure["items"])
    box(ws, first, layout.name, last_schedule, layout.baseline, text)
    departments = w.tr("全部局") if measure["all_departments"] else \
        "\n".join(measure["departments"])
    box(ws, first, layout.rate, last_schedule, layout.grade, departments,
        alignment=WRAP_CENTRE)
    for offset, grid_row in enumerate(grid):
        _schedule_row(ws, grid_row, layout, row + offset)
    needed = cells.line_count(text, WIDTH_NAME + WIDTH_BASELINE)
    _spread_height(ws, first, last_schedule, needed)
    row = last_schedule + 1
    row = _policy_row(ws, measure, layout, row, w)
    row = _progress_row(ws, data, measure, layout, row)
    box(ws, first, layout.code, row - 1, layout.code, circled(measure["number"]),
        font=BOLD, alignment=WRAP_CENTRE)
    return row


def _schedule_row(ws: Worksheet, grid_row: list[Mapping[str, Any]], layout: Layout,
                  row: int) -> None:
    taken: set[int] = set()
    lines = 1
    for item in grid_row:
        start = layout.years.index(item["from"]) if item["from"] in layout.years else 0
        end = layout.years.index(item["to"]) if item["to"] in layout.years else start
        box(ws, row, layout.target(start), row, layout.actual(end), item["text"])
        taken |= set(range(start, end + 1))
        lines = max(lines, cells.line_count(item["text"], WIDTH_FIGURE * 2 * (end - start + 1)))
    for i in set(range(len(layout.years))) - taken:
        box(ws, row, layout.target(i), row, layout.actual(i), "")
    cells.fit_height(ws, row, lines)


def _spread_height(ws: Worksheet, first: int, last: int, lines: int) -> None:
    """Make rows first..last together tall enough for `lines` (a box spanning them)."""
    have = sum((ws.row_dimensions[r].height or cells.LINE_POINTS + 3) for r in
               range(first, last + 1))
    need = lines * cells.LINE_POINTS + 3
    if need > have:
        current = ws.row_dimensions[last].height or cells.LINE_POINTS + 3
        ws.row_dimensions[last].height = min(current + need - have, 409)


def _policy_row(ws: Worksheet, measure: Mapping[str, Any], layout: Layout, row: int,
                w: Wording) -> int:
    attention = w.tr("施策推進にあたっての留意点") + "\n" + (measure["attention_points"] or "—")
    policy = w.tr("左の対応方針") + "\n" + (measure["response_policy"] or "—")
    box(ws, row, layout.name, row, layout.baseline, attention)
    box(ws, row, layout.target(0), row, layout.grade, policy)
    cells.fit_height(ws, row, max(
        cells.line_count(attention, WIDTH_NAME + WIDTH_BASELINE),
        cells.line_count(policy, _span_width(layout, layout.target(0), layout.grade))))
    return row + 1


def _progress_row(ws: Worksheet, data: ReportData, measure: Mapping[str, Any],
                  layout: Layout, row: int) -> int:
    w = data.wording
    label = w.year(data.fiscal_year)
    status_text = (w.tr("{year}の進捗状況", year=label) + "\n"
                   + status_lines(measure, data.fiscal_year, w))
    box(ws, row, layout.name, row, layout.baseline, status_text, fill=LABEL_FILL)
    paragraphs = [(w.label(r["department"]), _progress_text(r, w))
                  for r in progress_rows(measure, data.fiscal_year)]
    heading = w.tr("{year}の取組実績", year=label)
    record = cells.labelled([(heading, ""), *paragraphs]) if paragraphs else \
        heading + "\n" + w.tr("（回答はまだありません）")
    box(ws, row, layout.target(0), row, layout.grade, record, fill=LABEL_FILL)
    plain = "\n".join(p[0] + "\n" + p[1] for p in paragraphs) + "\n"
    cells.fit_height(ws, row, max(
        cells.line_count(status_text, WIDTH_NAME + WIDTH_BASELINE),
        cells.line_count(plain, _span_width(layout, layout.target(0), layout.grade)) + 1))
    return row + 1


def status_lines(measure: Mapping[str, Any], fiscal_year: int,
                 w: Wording = JAPANESE) -> str:
    """"知事政策局: 順調" per department that reported; the others in one line."""
    statuses = measure_statuses(measure, fiscal_year)
    lines = [f"{d}: {w.status(s)}" for d, s in statuses.items() if s != NOT_REPORTED]
    missing = [d for d, s in statuses.items() if s == NOT_REPORTED]
    if missing:
        lines.append(f"{w.status(NOT_REPORTED)}: " + w.join(missing))
    return "\n".join(lines)


def _progress_text(row: Mapping[str, Any], w: Wording) -> str:
    parts = [row["record"] or w.tr("（取組実績の記載なし）")]
    if row["issues"]:
        parts.append(w.tr("［課題］") + row["issues"])
    if row["next_policy"]:
        parts.append(w.tr("［今後の対応方針］") + row["next_policy"])
    return "\n" + "\n".join(parts)


# --------------------------------------------------------------------------- charts


def _charts(ws: Worksheet, project: Mapping[str, Any], charts: Mapping[str, bytes],
            layout: Layout, row: int, segments: list[tuple[int, int, bool]],
            w: Wording) -> None:
    """Two charts a row, on pages of their own (a pair is never split across pages)."""
    images = [charts[k["code"]] for k in project["kpis"] if k["code"] in charts]
    if not images:
        return
    box(ws, row, 1, row, layout.last, w.tr("KPIの推移（現状・目標・実績・評価）"),
        font=cells.HEADING, border=False)
    sheet_px = sum(cells.column_pixels(w) for w in layout.widths().values())
    # Two charts side by side within the sheet's width: a picture sticking out past the last
    # column widens the printed area and shrinks every page.
    width = min(CHART_SIZE[0], int(sheet_px / 2) - 8)
    height = int(width * CHART_SIZE[1] / CHART_SIZE[0])
    rows_per_chart = int(height / 20) + 2  # rows of 15 pt (20 px)
    for index, png in enumerate(images):
        image = Image(io.BytesIO(png))
        top = row + 1 + (index // 2) * rows_per_chart
        x = 0 if index % 2 == 0 else int(sheet_px / 2)
        image.anchor = cells.anchor_at(layout.widths(), x, top, width, height)
        ws.add_image(image)
        if index % 2 == 0:
            segments.append((row if index == 0 else top, top + rows_per_chart - 1, index == 0))
