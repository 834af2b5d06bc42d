"""The rows of a return table, by the code in their first column.

A row belongs to this return when its code is one of the department's rows at export: rows
may be reordered, hidden, filtered or inserted. Codes of other departments or of no plan item,
and duplicates, are refused; every locked cell is compared with what the metadata recorded at
export (a cell hidden under a merged range excepted: merging is layout). Rows without a code
and cells outside the table's columns are reported by `outside`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from dxtracker.returns.layout import cell_text
from dxtracker.returns.opening import ReturnReading, Row
from dxtracker.returns.outside import codeless_row, outside_columns
from dxtracker.returns.table import ReturnTable, code_of, short

# What a table row's code may be: None when the code belongs to this return, else the message.
CodeCheck = Callable[[str], str | None]

# What can be a code at all; anything else in column A ("合計", "【○○課分】") labels a row
# a person added for layout or a note.
_CODE_LIKE = re.compile(r"[A-Z0-9]+(?:[-_.][A-Z0-9]+)*")


def table_rows(reading: ReturnReading, table: ReturnTable,
               check: CodeCheck) -> Iterator[tuple[int, str, Row, list[str]]]:
    """(sheet row, code, row, recorded texts) of every row that belongs to this return.

    Rows without a code are blank, or reported (`outside.codeless_row`); codes that are not
    this department's and duplicates are refused. A row with an edited locked cell is refused
    and still read, so that every problem of its input cells is listed at once. Cells outside
    the table's columns are reported after the rows.
    """
    code_key = table.columns[0].key
    seen: dict[str, int] = {}
    recorded = reading.recorded.get(table.key, {})
    for number, row in enumerate(table.rows[1:], start=2):
        code = code_of(table.raw(code_key, row))
        if not code or not _CODE_LIKE.fullmatch(code):
            codeless_row(reading, table, number, row, cell_text(table.raw(code_key, row)))
            continue
        if code in seen:
            reading.error(table.sheet, table.ref(code_key, number),
                          f"コード {code} の行が重複しています（{seen[code]}行目にもあります）。",
                          f"Code {code} appears twice (also in row {seen[code]}).")
            continue
        seen[code] = number
        problem = check(code) if code in recorded else _not_recorded(code, check)
        if problem:
            reading.error(table.sheet, table.ref(code_key, number), problem,
                          f"Code {code} does not belong to this return.")
            continue
        _check_locked_cells(reading, table, number, row, recorded[code])
        yield number, code, row, recorded[code]
    for code in recorded:
        if code not in seen:
            reading.warning(table.sheet, None,
                            f"コード {code} の行がありません（削除された行は取り込みません）。",
                            f"The row of code {code} is missing; it is not imported.")
    outside_columns(reading, table)


def _not_recorded(code: str, check: CodeCheck) -> str:
    return check(code) or f"コード {code} の行は、出力した回答様式にありません。"


def _check_locked_cells(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                        recorded: list[str]) -> None:
    for position, column, key in table.locked:
        expected = recorded[position] if position < len(recorded) else ""
        raw = row[column] if column < len(row) else ""
        formula = bool(table.formulas) and table.ref(key, number) in table.formulas
        if raw == expected and not formula:
            continue  # the usual case, decided without converting anything
        if table.covered and (number, column) in table.covered:
            continue  # hidden under a merged range for layout: nobody changed it
        actual = "（数式）" if formula else cell_text(raw)
        if actual != expected:
            hint_ja, hint_en = _LOCKED_HINTS.get(key, _LOCKED_HINTS[""])
            reading.error(
                table.sheet, table.ref(key, number),
                f"変更できないセルが変更されています（出力時「{short(expected)}」→"
                f"「{short(actual)}」）。{hint_ja}",
                f"A locked cell was changed ('{short(expected)}' → '{short(actual)}'). "
                f"{hint_en}")


_LOCKED_HINTS = {
    "": ("元に戻すか、回答様式を出力し直してください。",
         "Restore it or export the return again."),
    "target": ("元に戻してください。目標値の修正を提案する場合は「目標修正提案」シートに、"
               "指標コード・年度・修正後の目標値・理由を入力してください。",
               "Restore it; to propose a new target, use the sheet 目標修正提案 "
               "(KPI code, year, proposed target, reason)."),
}
