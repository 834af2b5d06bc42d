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

from dxtracker.report import cells
from dxtracker.report.cells import BOLD, HEADER_FILL, SMALL, WRAP_CENTRE, put
from dxtracker.report.grading import NOT_ASSESSABLE, UNKNOWN
from dxtracker.report.project_sheet import grade_fill, status_lines
from dxtracker.report.summary import STATUS_KEYS, ReportData, measure_statuses
from dxtracker.report.wording import Wording

# Blocks share the columns: A code, B project, C KPI / measure / lead department, D–J short
# figures and counts, K the long text (reason, departments' statuses, file names).
WIDTHS = (9, 28, 34, 9, 9, 9, 9, 9, 9, 9, 44)
GRADE_COLUMN = 9  # 評価 in the KPI block
OVERVIEW_WIDTH = 1000  # pixels (the sheet is about 1,250 wide); height keeps the proportions


def write_summary_sheet(ws: Worksheet, data: ReportData, overviews: Mapping[str, bytes]
                        ) -> None:
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    plan, w, scheme = data.snapshot["plan"], data.wording, data.scheme
    put(ws, 1, 1, f"{plan['organisation']} {plan['title']} — "
        + w.tr("{year}の進捗と評価（総括）", year=w.year(data.fiscal_year)),
        font=cells.TITLE, border=False, alignment=cells.MIDDLE)
    put(ws, 2, 1, w.tr("評価基準: {scheme}。達成率 = (実績 − 現状) ÷ (目標 − 現状)。"
                       "実績なし: {unknown}、判断できない: {not_assessable}。"
                       "文言の目標は手動で評価（dxtracker grade set）。",
                       scheme=w.scheme(scheme), unknown=w.grade(scheme, UNKNOWN),
                       not_assessable=w.grade(scheme, NOT_ASSESSABLE)),
        font=SMALL, border=False, alignment=cells.TOP)
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
    w = data.wording
    label = w.year(data.fiscal_year)
    grades = data.scheme.all_grades
    row = _counts_block(ws, data, row, w.tr("プロジェクト別のKPIの評価（{year}、指標数）",
                                            year=label),
                        [w.grade(data.scheme, g) for g in grades], "grade_counts", grades)
    return _counts_block(ws, data, row + 1,
                         w.tr("プロジェクト別の施策の進捗状況（{year}、施策×担当部局の数）",
                              year=label),
                         [w.status(s) for s in STATUS_KEYS], "status_counts", list(STATUS_KEYS))


def _counts_block(ws: Worksheet, data: ReportData, row: int, heading: str, titles: list[str],
                  attribute: str, keys: list[str]) -> int:
    w = data.wording
    row = _heading(ws, row, heading)
    row = _header_row(ws, row, [w.tr("コード"), w.tr("プロジェクト"), w.tr("主管部局"), *titles])
    leads = {p["code"]: p["lead_department"] for p in data.projects}
    totals: Counter[str] = Counter()
    for summary in data.summaries:
        counts = getattr(summary, attribute)
        totals.update(counts)
        _values_row(ws, row, [summary.code, f"({summary.number}){summary.title}",
                              leads[summary.code], *(counts.get(k, 0) for k in keys)])
        row += 1
    _values_row(ws, row, ["", w.tr("合計"), "", *(totals.get(k, 0) for k in keys)], font=BOLD)
    return row + 1


def _values_row(ws: Worksheet, row: int, values: list[Any], font: Any = cells.BODY,
                grade: str | None = None, scheme: Any = None) -> None:
    """A table row; the row grows to hold its longest wrapped text. With `grade`, the cell
    showing it gets the grade's colour."""
    lines = 1
    for column, value in enumerate(values, start=1):
        numeric = isinstance(value, int | float)
        fill = None
        if grade is not None and column == GRADE_COLUMN:
            fill = grade_fill(grade, scheme)
        put(ws, row, column, value, font=font,
            alignment=cells.WRAP_RIGHT if numeric else cells.WRAP, fill=fill)
        if isinstance(value, str) and value:
            lines = max(lines, cells.line_count(value, WIDTHS[column - 1]))
    cells.fit_height(ws, row, lines)


def _kpi_grades(ws: Worksheet, data: ReportData, row: int) -> int:
    w, scheme = data.wording, data.scheme
    label = w.year(data.fiscal_year)
    row = _heading(ws, row, w.tr("指標別の評価（{year}）", year=label))
    row = _header_row(ws, row, [w.tr("コード"), w.tr("プロジェクト"), w.tr("指標項目"),
                                w.tr("単位"), w.tr("現状"), f"{label}\n" + w.tr("目標"),
                                f"{label}\n" + w.tr("実績"), w.tr("達成率"), w.tr("評価"),
                                w.tr("手動評価"), w.tr("評価の理由")])
    fy = str(data.fiscal_year)
    manual = w.tr("手動")
    for project in data.projects:
        for kpi in project["kpis"]:
            grade = data.grade(kpi["code"])
            actual = kpi["actuals"].get(fy)
            values = [kpi["code"], f"({project['number']}){project['title']}", kpi["name"],
                      kpi["unit"], cells.figure_text(kpi["baseline"]),
                      cells.figure_text(kpi["targets"].get(fy)),
                      cells.figure_text(actual) if actual else "", w.achievement(grade),
                      w.grade(scheme, grade.grade), manual if grade.manual else "",
                      w.reason(grade)]
            _values_row(ws, row, values, grade=grade.grade, scheme=scheme)
            row += 1
            for part in grade.parts:
                _values_row(ws, row, ["", "", "└ " + w.tr("内訳: {part}", part=part.part), "",
                                      "", "", "", w.achievement(part),
                                      w.grade(scheme, part.grade),
                                      manual if part.manual else "", w.reason(part)],
                            grade=part.grade, scheme=scheme)
                row += 1
    return row


def _measure_statuses(ws: Worksheet, data: ReportData, row: int) -> int:
    w = data.wording
    row = _heading(ws, row, w.tr("施策別の進捗状況（{year}）", year=w.year(data.fiscal_year)))
    row = _header_row(ws, row, [w.tr("コード"), w.tr("プロジェクト"), w.tr("施策"),
                                *(w.status(s) for s in STATUS_KEYS), w.tr("部局別の状況")])
    for project in data.projects:
        for measure in project["measures"]:
            statuses = measure_statuses(measure, data.fiscal_year)
            counts = {s: list(statuses.values()).count(s) for s in STATUS_KEYS}
            detail = status_lines(measure, data.fiscal_year, w)
            title = f"{measure['number']}. {measure['title']}"
            _values_row(ws, row, [measure["code"], f"({project['number']}){project['title']}",
                                  title, *(counts[s] for s in STATUS_KEYS), detail])
            row += 1
    return row


def _submissions(ws: Worksheet, data: ReportData, row: int) -> int:
    w = data.wording
    row = _heading(ws, row, w.tr("回答の提出状況（{year}）", year=w.year(data.fiscal_year)))
    row = _header_row(ws, row, [w.tr("コード"), w.tr("部局"), w.tr("状況"), w.tr("対象KPI"),
                                w.tr("対象施策"), w.tr("受領数"), w.tr("変更数"), w.tr("競合"),
                                w.tr("古い回答"), w.tr("最新の回答ファイル")])
    states = submission_state_names(w)
    for entry in data.submissions.rows:
        stamps = [f"{label} {entry[key]}" for label, key in
                  ((w.tr("出力"), "exported_at"), (w.tr("受領"), "received_at")) if entry[key]]
        _values_row(ws, row, [entry["code"], entry["department"], states[entry["state"]],
                              entry["kpi_rows"], entry["measure_rows"], entry["imports"],
                              entry["changes"], entry["conflicts"],
                              w.tr("はい") if entry["stale"] else w.tr("いいえ"),
                              entry["file"] + w.brackets(w.join(stamps))])
        row += 1
    put(ws, row, 1, data.submissions.note(w, data.fiscal_year), border=False)
    return row + 1


def submission_state_names(w: Wording) -> dict[str, str]:
    """SUBMISSION_STATES in words."""
    return {"not_expected": w.tr("対象外"), "missing": w.tr("未提出"),
            "waiting": w.tr("受領（競合の判断待ち）"), "stale": w.tr("統合済（古い回答）"),
            "merged": w.tr("統合済")}
