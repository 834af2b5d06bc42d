"""A table of a return sheet as read: its columns found by their header text, its rows, its
formula, percentage and merged cells.

Columns are found by header, so inserted or moved columns are fine; rows are walked by code in
`rows`, cells outside the table reported by `outside`, and each input cell's value read by
`typed_cells`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from dxtracker.files.xlsx_bounds import SheetFacts
from dxtracker.returns import layout
from dxtracker.returns.layout import Column, cell_text
from dxtracker.returns.opening import BoundedWorkbook, Refused, ReturnReading, Row

INVALID: Any = object()  # a cell that was refused (the problem is recorded)

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー－"})
# A code as exported ("P01-K1"): nothing for NFKC, the dashes or the spaces below to change.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9-]+")


@dataclass
class ReturnTable:
    """One sheet's table: its rows as read, and where each column was found."""

    sheet: str
    key: str
    columns: tuple[Column, ...]
    rows: list[Row]
    facts: SheetFacts | None
    index: dict[str, int]  # column key → position found by its header
    merges: list[Any] = field(default_factory=list)  # calamine's ((r, c), (r, c)) from 0

    def __post_init__(self) -> None:
        self.formulas = self.facts.formula_cells if self.facts else frozenset()
        self.percent = self.facts.percent_cells if self.facts else frozenset()
        # Locked columns after the code: (position in the metadata record, column, key).
        self.locked = [(number, self.index[c.key], c.key)
                       for number, c in enumerate(self.columns)
                       if number and not c.input and c.key in self.index]
        self.covered = _covered(self.merges, len(self.rows), sorted(set(self.index.values())))

    def ref(self, key: str, row: int) -> str:
        return f"{get_column_letter(self.index[key] + 1)}{row}"

    def raw(self, key: str, row: Row) -> Any:
        position = self.index.get(key)
        return row[position] if position is not None and position < len(row) else ""

    def is_formula(self, key: str, row: int) -> bool:
        return bool(self.formulas) and key in self.index and self.ref(key, row) in self.formulas

    def is_percent(self, key: str, row: int) -> bool:
        return bool(self.percent) and key in self.index and self.ref(key, row) in self.percent

    def covered_by(self, key: str, row: int) -> str | None:
        """The merged range ("K4:K5") that hides this cell under its top-left cell, if any."""
        if not self.covered or key not in self.index:
            return None
        return self.covered.get((row, self.index[key]))


def _covered(merges: list[Any], height: int, positions: list[int]
             ) -> dict[tuple[int, int], str]:
    """(sheet row, position) of every cell of the table's rows and columns hidden under
    another cell of a merged range, and that range ("K4:K5"). Clipped to the table: a crafted
    range may span the whole sheet. Ranges that do not overlap (Excel writes no other) cover
    each of those cells once at most; more than that is a crafted file, and what is covered
    by then is kept (a cell not taken as covered is compared or read as usual)."""
    covered: dict[tuple[int, int], str] = {}
    budget = height * len(positions)
    for (top, left), (bottom, right) in merges:
        columns = [c for c in positions if left <= c <= right]
        last = min(bottom, height - 1)
        budget -= len(columns) * max(0, last - top + 1)
        if budget < 0:
            break
        span = f"{get_column_letter(left + 1)}{top + 1}:{get_column_letter(right + 1)}" \
               f"{bottom + 1}"
        for r in range(top, last + 1):
            for c in columns:
                if (r, c) != (top, left):
                    covered[(r + 1, c)] = span
    return covered


def open_table(reading: ReturnReading, workbook: BoundedWorkbook, key: str) -> ReturnTable:
    """The table of sheet `key` ("kpi", "measure", "proposal"), its columns found by header."""
    sheet = layout.SHEET_KEYS[key]
    columns = layout.COLUMNS[key]
    rows = workbook.sheet_rows(reading, sheet)
    if rows is None:
        others = "、".join(n for n in workbook.book.sheet_names if n != layout.META_SHEET)
        raise reading.refuse(
            f"シート「{sheet}」がありません（このファイルのシート: {others}）。シート名を"
            f"「{sheet}」に戻して保存してください。",
            f"The sheet '{sheet}' is missing (the file has: {others}). Rename it back to "
            f"'{sheet}' and save.")
    found: dict[str, int] = {}
    for position, text in enumerate(rows[0] if rows else []):
        found.setdefault(layout.header_key(text), position)
    index: dict[str, int] = {}
    expected = reading.headers.get(key, [])
    for number, column in enumerate(columns):
        header = expected[number] if number < len(expected) else column.header
        found_at = found.get(layout.header_key(header))
        if found_at is None:  # named at the cell where the export put it
            reading.error(sheet, f"{get_column_letter(number + 1)}1",
                          f"列「{header}」が見つかりません。1行目の見出しを変えないでください。",
                          f"Column '{header}' not found: keep the headers in row 1 unchanged.")
            if column.input or column.key == columns[0].key:
                raise Refused()
        else:
            index[column.key] = found_at
    return ReturnTable(sheet, key, columns, rows, workbook.sheet_facts(sheet), index,
                       workbook.merges.get(sheet, []))


def code_of(raw: Any) -> str:
    """A code as typed or pasted, in the form the plan spells it."""
    if type(raw) is str and _PLAIN_CODE.fullmatch(raw):
        return raw.upper()
    text = unicodedata.normalize("NFKC", cell_text(raw)).translate(_DASHES)
    return re.sub(r"\s+", "", text).upper()


def short(text: str, limit: int = 30) -> str:
    """A cell's text cut short enough to quote in a message."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"
