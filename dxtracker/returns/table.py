"""A table of a return sheet as read: its columns, its rows, and the value of each cell.

Columns are found by their header text and rows by the code in the first column, so reordered,
hidden or inserted rows and inserted columns are fine. Every locked cell is compared with what
the metadata recorded at export, and every typed value is validated again (pasting in Excel
removes data validation). A cell that cannot be taken is recorded as a problem and read as
`INVALID`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.values import Value
from dxtracker.files.xlsx_bounds import SheetFacts
from dxtracker.returns import layout
from dxtracker.returns.layout import Column, cell_text
from dxtracker.returns.opening import BoundedWorkbook, Refused, ReturnReading, Row
from dxtracker.store.models import STATUSES

# What a table row's code may be: None when the code belongs to this return, else the message.
CodeCheck = Callable[[str], str | None]

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

    def __post_init__(self) -> None:
        self.formulas = self.facts.formula_cells if self.facts else frozenset()
        self.percent = self.facts.percent_cells if self.facts else frozenset()
        # Locked columns after the code: (position in the metadata record, column, key).
        self.locked = [(number, self.index[c.key], c.key)
                       for number, c in enumerate(self.columns)
                       if number and not c.input and c.key in self.index]

    def ref(self, key: str, row: int) -> str:
        return f"{get_column_letter(self.index[key] + 1)}{row}"

    def raw(self, key: str, row: Row) -> Any:
        position = self.index.get(key)
        return row[position] if position is not None and position < len(row) else ""

    def is_formula(self, key: str, row: int) -> bool:
        return bool(self.formulas) and key in self.index and self.ref(key, row) in self.formulas

    def is_percent(self, key: str, row: int) -> bool:
        return bool(self.percent) and key in self.index and self.ref(key, row) in self.percent


def open_table(reading: ReturnReading, workbook: BoundedWorkbook, key: str) -> ReturnTable:
    """The table of sheet `key` ("kpi", "measure", "proposal"), its columns found by header."""
    sheet = layout.SHEET_KEYS[key]
    columns = layout.COLUMNS[key]
    rows = workbook.sheet_rows(reading, sheet)
    if rows is None:
        raise reading.refuse(f"シート「{sheet}」がありません。シート名を変えずに保存してください。",
                             f"The sheet '{sheet}' is missing.")
    found: dict[str, int] = {}
    for position, text in enumerate(rows[0] if rows else []):
        found.setdefault(layout.header_key(text), position)
    index: dict[str, int] = {}
    expected = reading.headers.get(key, [])
    for number, column in enumerate(columns):
        header = expected[number] if number < len(expected) else column.header
        found_at = found.get(layout.header_key(header))
        if found_at is None:
            reading.error(sheet, None,
                          f"列「{header}」が見つかりません。1行目の見出しを変えないでください。",
                          f"Column '{header}' not found: keep the headers in row 1 unchanged.")
            if column.input or column.key == columns[0].key:
                raise Refused()
        else:
            index[column.key] = found_at
    return ReturnTable(sheet, key, columns, rows, workbook.sheet_facts(sheet), index)


def code_of(raw: Any) -> str:
    """A code as typed or pasted, in the form the plan spells it."""
    if type(raw) is str and _PLAIN_CODE.fullmatch(raw):
        return raw.upper()
    text = unicodedata.normalize("NFKC", cell_text(raw)).translate(_DASHES)
    return re.sub(r"\s+", "", text).upper()


# --------------------------------------------------------------------------- rows


def table_rows(reading: ReturnReading, table: ReturnTable,
               check: CodeCheck) -> Iterator[tuple[int, str, Row, list[str]]]:
    """(sheet row, code, row, recorded texts) of every row that belongs to this return.

    Rows without a code are skipped (blank rows) or refused (entries without a code); codes
    that are not this department's, duplicates and edited locked cells are refused.
    """
    code_key = table.columns[0].key
    seen: dict[str, int] = {}
    recorded = reading.recorded.get(table.key, {})
    for number, row in enumerate(table.rows[1:], start=2):
        code = code_of(table.raw(code_key, row))
        if not code:
            _check_codeless(reading, table, number, row)
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
        if _locked_cells_intact(reading, table, number, row, recorded[code]):
            yield number, code, row, recorded[code]
    for code in recorded:
        if code not in seen:
            reading.warning(table.sheet, None,
                            f"コード {code} の行がありません（削除された行は取り込みません）。",
                            f"The row of code {code} is missing; it is not imported.")


def _check_codeless(reading: ReturnReading, table: ReturnTable, number: int, row: Row) -> None:
    """A row without a code is a blank row, or entries that lost their code."""
    if any(cell_text(table.raw(c.key, row)).strip() for c in table.columns if c.input):
        reading.error(table.sheet, table.ref(table.columns[0].key, number),
                      "コードが空欄の行に入力があります。A列のコードを元に戻してください。",
                      "A row with entries has no code: restore the code in column A.")


def _not_recorded(code: str, check: CodeCheck) -> str:
    return check(code) or f"コード {code} の行は、出力した回答様式にありません。"


def _locked_cells_intact(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                         recorded: list[str]) -> bool:
    intact = True
    for position, column, key in table.locked:
        expected = recorded[position] if position < len(recorded) else ""
        raw = row[column] if column < len(row) else ""
        formula = bool(table.formulas) and table.ref(key, number) in table.formulas
        if raw == expected and not formula:
            continue  # the usual case, decided without converting anything
        actual = "（数式）" if formula else cell_text(raw)
        if actual != expected:
            intact = False
            reading.error(
                table.sheet, table.ref(key, number),
                f"変更できないセルが変更されています（出力時「{short(expected)}」→"
                f"「{short(actual)}」）。元に戻すか、回答様式を出力し直してください。",
                f"A locked cell was changed ('{short(expected)}' → '{short(actual)}'). "
                "Restore it or export the return again.")
    return intact


def short(text: str, limit: int = 30) -> str:
    """A cell's text cut short enough to quote in a message."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- cells


def formula_refused(reading: ReturnReading, table: ReturnTable, number: int, key: str) -> bool:
    if table.is_formula(key, number):
        reading.error(table.sheet, table.ref(key, number),
                      "数式が入力されています。数式ではなく値を入力してください。",
                      "The cell holds a formula: enter a value instead.")
        return True
    return False


def read_text(reading: ReturnReading, table: ReturnTable, number: int, row: Row, key: str,
              base: str) -> str:
    if formula_refused(reading, table, number, key):
        return INVALID
    text = layout.blank_if_space(cell_text(table.raw(key, row)))
    return base if text == base else text


def read_status(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                base: str) -> str | None:
    if formula_refused(reading, table, number, "status"):
        return INVALID
    typed = cell_text(table.raw("status", row))
    status = re.sub(r"\s+", "", unicodedata.normalize("NFKC", typed))
    if not status:
        return None
    if status not in STATUSES:
        reading.error(table.sheet, table.ref("status", number),
                      f"進捗状況「{short(typed)}」は選べません。{' / '.join(STATUSES)} の"
                      "いずれかを選んでください。",
                      f"Status '{short(typed)}' is not one of {' / '.join(STATUSES)}.")
        return INVALID
    return status


def read_figure(reading: ReturnReading, table: ReturnTable, number: int, row: Row, key: str,
                unit: str, base: str | None, *, allow_words: bool, code: str) -> str | None:
    """A typed figure as canonical text; an untouched cell gives back its base text."""
    if formula_refused(reading, table, number, key):
        return INVALID
    raw = table.raw(key, row)
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and base is not None and layout.normalise_newlines(raw) == base:
        return base
    try:
        value, text = _parsed(_typed(raw, table.is_percent(key, number)), unit, allow_words)
    except ValueParseError as exc:
        reading.error(table.sheet, table.ref(key, number), f"{exc.message_ja}（{code}）",
                      f"{exc.message_en} ({code})")
        return INVALID
    except _NotAFigure as exc:
        reading.error(table.sheet, table.ref(key, number), f"{exc.args[0]}（{code}）",
                      exc.args[1])
        return INVALID
    if value is None:
        return None
    if base is not None and _same(value, base, unit):
        return base  # the same figure as exported, kept in its exported form ("40.0")
    return text


@functools.lru_cache(maxsize=4096, typed=True)
def _parsed(typed: str | int | float, unit: str, allow_words: bool
            ) -> tuple[Value | None, str | None]:
    """A typed figure as a value and its canonical text (kept: parsing is a pure function, its
    values are immutable, and the same figures recur in returns; a figure that cannot be read
    raises every time)."""
    value = parse_value(typed, unit=unit, allow_words=allow_words)
    return value, None if value is None else format_value(value)


class _NotAFigure(Exception):
    pass


def _typed(raw: Any, percent: bool) -> str | int | float:
    """What the person typed, as the value parser takes it."""
    if isinstance(raw, bool):
        raise _NotAFigure(f"「{raw}」は数値として読めません。",
                          f"'{raw}' cannot be read as a figure.")
    if isinstance(raw, datetime | date | time | timedelta):
        raise _NotAFigure("日付として入力されています。数値を入力してください（Excelが「4/1」"
                          "などを日付に変えた可能性があります）。",
                          "The cell holds a date: enter a figure.")
    if isinstance(raw, float) and percent:
        # Excel stores a typed "45%" as 0.45 in a percent-formatted cell.
        hundred = (Decimal(repr(raw)) * 100).normalize()
        return f"{hundred:f}%"
    return raw if isinstance(raw, int | float) else cell_text(raw)


def _same(value: Any, base: str, unit: str) -> bool:
    try:
        return _parsed(base, unit, True)[0] == value
    except ValueParseError:
        return False
