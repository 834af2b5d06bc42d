"""What a person typed outside the rows and columns a return reads: reported, never dropped.

The input area of a return sheet is every cell of it below the header row (docs/returns-as-
filled.md). Cells of the table's rows and columns are read (`rows`, `typed_cells`); the rest is
reported here, once per row or column with the cells it holds:

- a row without a code (a row inserted for a note or a heading, a value typed below the
  table): a warning when it holds only text outside the input columns or is labelled in column
  A ("合計", "【○○課分】"); an error when an input column holds something and column A is
  empty — entries that lost their code, which must not be guessed;
- a column the return does not have (typed to the right of the table, or inserted): a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from openpyxl.utils import get_column_letter

from dxtracker.returns import layout
from dxtracker.returns.layout import cell_text
from dxtracker.returns.opening import ReturnReading, Row
from dxtracker.returns.table import ReturnTable, short

_SAMPLES = 3  # cells quoted in a message


def codeless_row(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                 label: str) -> None:
    """Report a row without a code (`label`: column A's text, when it is not a code)."""
    inputs = {table.index[c.key] for c in table.columns if c.input and c.key in table.index}
    cells = [(p, text) for p in sorted(set(table.index.values()))
             if (text := _content(table, row, number, p))]
    if not cells:
        return  # a blank row
    where, quoted_ja, quoted_en = _described(
        cells, lambda position: _ref(get_column_letter(position + 1), number))
    if not label.strip() and any(p in inputs for p, _ in cells):
        reading.error(table.sheet, where,
                      f"コードが空欄の行（{number}行目）に入力があります（{quoted_ja}）。"
                      "A列のコードを元に戻すか、該当する行の【入力】欄に入力し直してください。",
                      f"Row {number} has entries but no code ({quoted_en}): restore the code "
                      "in column A, or enter them in the row they belong to.")
        return
    reading.warning(table.sheet, where,
                    f"{number}行目はコードのない行のため取り込みません（{quoted_ja}）。回答として"
                    "伝える内容は、該当する行の【入力】欄（備考など）に入力してください。",
                    f"Row {number} has no code and is not imported ({quoted_en}). Enter what "
                    "should reach headquarters in the input cells of the row it belongs to.")


def outside_columns(reading: ReturnReading, table: ReturnTable) -> None:
    """Report every column beyond the table's known columns that holds something."""
    known = set(table.index.values())
    width = max(map(len, table.rows), default=0)
    if width <= len(known) and all(p < width for p in known):
        return  # no column but the table's own: the usual case, decided at once
    header = table.rows[0] if table.rows else []
    for position in range(width):
        if position in known or _is_remark(header, position):
            continue
        cells = [(number, text) for number, row in enumerate(table.rows, start=1)
                 if (text := _content(table, row, number, position))]
        if not cells:
            continue
        letter = get_column_letter(position + 1)
        where, quoted_ja, quoted_en = _described(cells, functools.partial(_ref, letter))
        reading.warning(table.sheet, where,
                        f"表の外の{letter}列に入力があります（{quoted_ja}）。この内容は取り込み"
                        "ません。回答として伝える内容は【入力】の列（備考など）に入力してください。",
                        f"Column {letter} is outside the table ({quoted_en}) and is not "
                        "imported. Enter what should reach headquarters in the input columns.")


def _is_remark(header: Row, position: int) -> bool:
    """Headquarters' own column in a return it sent back (send_back.py): its reasons beside
    the items to fix, written by headquarters and not the department's entry."""
    return position < len(header) and \
        layout.header_key(header[position]) == layout.header_key(layout.REMARK_HEADER)


def _content(table: ReturnTable, row: Row, number: int, position: int) -> str:
    """What a cell shows, as text; a formula without a saved result shows as （数式）."""
    text = cell_text(row[position]).strip() if position < len(row) else ""
    if not text and table.formulas and \
            f"{get_column_letter(position + 1)}{number}" in table.formulas:
        return "（数式）"
    return text


def _ref(letter: str, number: int) -> str:
    return f"{letter}{number}"


def _described(cells: list[tuple[int, str]], ref: Callable[[int], str]) -> tuple[str, str, str]:
    """The range spanning `cells` ("C7:K7" or "L5") and the first few quoted, in both
    languages: `ref` names a cell by its place in `cells`."""
    first, last = ref(cells[0][0]), ref(cells[-1][0])
    where = first if first == last else f"{first}:{last}"
    quoted = [(ref(p), short(text, 20)) for p, text in cells[:_SAMPLES]]
    more = len(cells) - _SAMPLES
    ja = "、".join(f"{r}「{t}」" for r, t in quoted) + (f" ほか{more}セル" if more > 0 else "")
    en = ", ".join(f"{r} '{t}'" for r, t in quoted) + (f" and {more} more" if more > 0 else "")
    return where, ja, en
