"""The sheet 前年度比較 (or 前回回答との比較) of the consolidated workbook: every compared field
as one row, the previous and the current value side by side.

A changed row says so in words in its own column (● 変更あり), and its two values are shaded
as well: colour is never the only carrier of meaning (FACTS.md). The table has one header row
with a filter on it, no merged cells and one value per cell, so that it can be sorted and
filtered as it stands ("changed only" is a filter on the first column).
"""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.report import cells
from dxtracker.report.cells import BOLD, HEADER_FILL, SMALL, WRAP_CENTRE, put
from dxtracker.report.comparison import (
    Comparison,
    changed_mark,
    checkpoint_text,
    column_titles,
    field_label,
    value_text,
)
from dxtracker.report.wording import Wording

CHANGED_FILL = PatternFill("solid", fgColor="FFFFF2CC")
HEADER_ROW = 4
WIDTHS = (11, 26, 9, 30, 14, 14, 30, 30, 10, 28)


def comparison_sheet_name(comparison: Comparison, w: Wording) -> str:
    return w.tr("前年度比較") if comparison.since == "year" else w.tr("前回回答との比較")


def write_comparison_sheet(ws: Worksheet, comparison: Comparison, w: Wording) -> int:
    """Write the sheet; returns the number of changed rows."""
    previous, current = column_titles(w, comparison)
    put(ws, 1, 1, _title(comparison, w), font=cells.TITLE, border=False, alignment=cells.MIDDLE)
    put(ws, 2, 1, w.tr("「{mark}」の行は前と今で値が異なります（網掛けも同じ意味です）。"
                       "差は両方が数値のときの増減。1行目の絞り込みで変更のある行だけを表示できます。",
                       mark=changed_mark(w)), font=SMALL, border=False, alignment=cells.TOP)
    put(ws, 3, 1, w.tr("変更のある行: {changed} / {total}", changed=len(comparison.changed_rows),
                       total=len(comparison.rows)), font=BOLD, border=False)
    titles = [w.tr("変更"), w.tr("プロジェクト"), w.tr("コード"), w.tr("指標・施策"), w.tr("部局"),
              w.tr("項目"), previous, current, w.tr("差")]
    bases = {c.department: checkpoint_text(w, c) for c in comparison.checkpoints}
    if bases:
        titles.append(w.tr("比較の基準"))
    for column, title in enumerate(titles, start=1):
        put(ws, HEADER_ROW, column, title, font=BOLD, fill=HEADER_FILL, alignment=WRAP_CENTRE)
        ws.column_dimensions[get_column_letter(column)].width = WIDTHS[column - 1]
    mark = changed_mark(w)
    for row, compared in enumerate(comparison.rows, start=HEADER_ROW + 1):
        fill = CHANGED_FILL if compared.changed else None
        values = [mark if compared.changed else "", compared.project, compared.code,
                  compared.name, compared.department or "—",
                  field_label(w, compared.field),
                  value_text(w, compared.field, compared.previous),
                  value_text(w, compared.field, compared.current), compared.difference]
        if bases:
            values.append(bases.get(compared.department, ""))
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value, fill=fill if column in (7, 8) else None,
                font=BOLD if column == 1 else cells.BODY)
        cells.fit_height(ws, row, max(cells.line_count(str(v), WIDTHS[i])
                                      for i, v in enumerate(values) if i in (3, 6, 7)))
    last = HEADER_ROW + len(comparison.rows)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(titles))}{last}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    cells.a4_landscape(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return len(comparison.changed_rows)


def _title(comparison: Comparison, w: Wording) -> str:
    scope = comparison.department or w.tr("全部局")
    if comparison.since == "year":
        return w.tr("前年度比較: {previous} → {current}（{scope}）",
                    previous=w.year(comparison.previous_year),
                    current=w.year(comparison.fiscal_year), scope=scope)
    return w.tr("前回の回答からの変更: {year}（{scope}）", year=w.year(comparison.fiscal_year),
                scope=scope)
