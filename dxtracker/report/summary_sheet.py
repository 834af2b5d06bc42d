"""The summary sheet (総括): counts per project, the grade and achievement of every KPI,
the statuses of every measure, which returns arrived, and the two overview charts.

Each block is a plain table with its header row; nothing is merged inside the tables.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping
from typing import Any

from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.report import cells
from dxtracker.report.cells import BOLD, HEADER_FILL, SMALL, WRAP_CENTRE, put
from dxtracker.report.project_sheet import grade_fill, status_lines
from dxtracker.report.summary import STATUS_KEYS, ReportData, measure_statuses

# Blocks share the columns: A code, B project, C KPI / measure / lead department, D–J short
# figures and counts, K the long text (reason, departments' statuses, file names).
WIDTHS = (9, 28, 34, 9, 9, 9, 9, 9, 9, 9, 44)
GRADE_COLUMN = 9  # 評価 in the KPI block
OVERVIEW_WIDTH = 1000  # pixels (the sheet is about 1,250 wide); height keeps the proportions


def write_summary_sheet(ws: Worksheet, data: ReportData, overviews: Mapping[str, bytes]
                        ) -> None:
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    plan = data.snapshot["plan"]
    label = fiscal_year_label(data.fiscal_year)
    put(ws, 1, 1, f"{plan['organisation']} {plan['title']} — {label}の進捗と評価（総括）",
        font=cells.TITLE, border=False, alignment=cells.MIDDLE)
    put(ws, 2, 1, f"評価基準: {data.scheme.describe()}。達成率 = (実績 − 現状) ÷ (目標 − 現状)。"
        f"実績なし: {data.scheme.unknown_label}、判断できない: {data.scheme.not_assessable_label}。"
        "文言の目標は手動で評価（dxtracker grade set）。", font=SMALL, border=False,
        alignment=cells.TOP)
    row = _overview_images(ws, overviews, 4)
    row = _project_counts(ws, data, row)
    row = _kpi_grades(ws, data, row + 1)
    row = _measure_statuses(ws, data, row + 1)
    _submissions(ws, data, row + 1)
    ws.freeze_panes = "A3"
    cells.a4_landscape(ws, title_rows="1:2")


def _heading(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text, font=cells.HEADING, border=False,
        alignment=cells.BOTTOM)
    ws.row_dimensions[row].height = 20
    return row + 1


def _header_row(ws: Worksheet, row: int, titles: list[str]) -> int:
    for column, title in enumerate(titles, start=1):
        put(ws, row, column, title, font=BOLD, fill=HEADER_FILL, alignment=WRAP_CENTRE)
    cells.fit_height(ws, row, 2)
    return row + 1


def _overview_images(ws: Worksheet, overviews: Mapping[str, bytes], row: int) -> int:
    bottom = row
    for png in overviews.values():
        image = Image(io.BytesIO(png))
        scale = OVERVIEW_WIDTH / image.width
        image.width, image.height = OVERVIEW_WIDTH, int(image.height * scale)
        ws.add_image(image, f"A{bottom}")
        bottom += int(image.height / 20) + 2  # rows of 15 pt (20 px)
    return bottom


def _project_counts(ws: Worksheet, data: ReportData, row: int) -> int:
    """Two blocks on the same columns D–J: grades per project, then statuses per project."""
    label = fiscal_year_label(data.fiscal_year)
    grades = data.scheme.all_grades
    row = _counts_block(ws, data, row, f"プロジェクト別のKPIの評価（{label}、指標数）",
                        [data.scheme.display(g) for g in grades], "grade_counts", grades)
    return _counts_block(ws, data, row + 1,
                         f"プロジェクト別の施策の進捗状況（{label}、施策×担当部局の数）",
                         list(STATUS_KEYS), "status_counts", list(STATUS_KEYS))


def _counts_block(ws: Worksheet, data: ReportData, row: int, heading: str, titles: list[str],
                  attribute: str, keys: list[str]) -> int:
    row = _heading(ws, row, heading)
    row = _header_row(ws, row, ["コード", "プロジェクト", "主管部局", *titles])
    leads = {p["code"]: p["lead_department"] for p in data.projects}
    totals: Counter[str] = Counter()
    for summary in data.summaries:
        counts = getattr(summary, attribute)
        totals.update(counts)
        _values_row(ws, row, [summary.code, f"({summary.number}){summary.title}",
                              leads[summary.code], *(counts.get(k, 0) for k in keys)])
        row += 1
    _values_row(ws, row, ["", "合計", "", *(totals.get(k, 0) for k in keys)], font=BOLD)
    return row + 1


def _values_row(ws: Worksheet, row: int, values: list[Any], font: Any = cells.BODY,
                grade: str | None = None, scheme: Any = None) -> None:
    """A table row; the row grows to hold its longest wrapped text. With `grade`, the cell
    showing it gets the grade's colour."""
    lines = 1
    for column, value in enumerate(values, start=1):
        numeric = isinstance(value, int | float)
        fill = None
        if grade is not None and value == scheme.display(grade) and column == GRADE_COLUMN:
            fill = grade_fill(grade, scheme)
        put(ws, row, column, value, font=font,
            alignment=cells.WRAP_RIGHT if numeric else cells.WRAP, fill=fill)
        if isinstance(value, str) and value:
            lines = max(lines, cells.line_count(value, WIDTHS[column - 1]))
    cells.fit_height(ws, row, lines)


def _kpi_grades(ws: Worksheet, data: ReportData, row: int) -> int:
    label = fiscal_year_label(data.fiscal_year)
    row = _heading(ws, row, f"指標別の評価（{label}）")
    row = _header_row(ws, row, ["コード", "プロジェクト", "指標項目", "単位", "現状",
                                f"{label}\n目標", f"{label}\n実績", "達成率", "評価",
                                "手動評価", "評価の理由"])
    fy = str(data.fiscal_year)
    for project in data.projects:
        for kpi in project["kpis"]:
            grade = data.grade(kpi["code"])
            actual = kpi["actuals"].get(fy)
            values = [kpi["code"], f"({project['number']}){project['title']}", kpi["name"],
                      kpi["unit"], cells.figure_text(kpi["baseline"]),
                      cells.figure_text(kpi["targets"].get(fy)),
                      cells.figure_text(actual) if actual else "", grade.achievement_text(),
                      data.scheme.display(grade.grade), "手動" if grade.manual else "",
                      grade.reason]
            _values_row(ws, row, values, grade=grade.grade, scheme=data.scheme)
            row += 1
            for part in grade.parts:
                _values_row(ws, row, ["", "", f"└ 内訳: {part.part}", "", "", "", "",
                                      part.achievement_text(), data.scheme.display(part.grade),
                                      "手動" if part.manual else "", part.reason],
                            grade=part.grade, scheme=data.scheme)
                row += 1
    return row


def _measure_statuses(ws: Worksheet, data: ReportData, row: int) -> int:
    row = _heading(ws, row, f"施策別の進捗状況（{fiscal_year_label(data.fiscal_year)}）")
    row = _header_row(ws, row, ["コード", "プロジェクト", "施策", *STATUS_KEYS, "部局別の状況"])
    for project in data.projects:
        for measure in project["measures"]:
            statuses = measure_statuses(measure, data.fiscal_year)
            counts = {s: list(statuses.values()).count(s) for s in STATUS_KEYS}
            detail = status_lines(measure, data.fiscal_year)
            title = f"{measure['number']}. {measure['title']}"
            _values_row(ws, row, [measure["code"], f"({project['number']}){project['title']}",
                                  title, *(counts[s] for s in STATUS_KEYS), detail])
            row += 1
    return row


def _submissions(ws: Worksheet, data: ReportData, row: int) -> int:
    row = _heading(ws, row, f"回答の提出状況（{fiscal_year_label(data.fiscal_year)}）")
    rows = data.submissions.rows
    if not rows:
        put(ws, row, 1, data.submissions.note, border=False)
        return row + 1
    titles = list(rows[0])
    row = _header_row(ws, row, titles)
    for entry in rows:
        _values_row(ws, row, [_plain(entry.get(t)) for t in titles])
        row += 1
    if data.submissions.note:
        put(ws, row, 1, data.submissions.note, border=False)
        row += 1
    return row


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if value is None or isinstance(value, int | float | str):
        return "" if value is None else value
    return str(value)
