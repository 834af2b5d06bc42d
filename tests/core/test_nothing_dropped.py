"""Nothing typed into a return is silently dropped (property-based, hypothesis).

Random content is typed into random cells of the three sheets a return is read from (header
row, table rows, rows below, columns to the right). Every non-empty cell typed is then either
read — stored as the value it means — or the same as exported, or named by a problem (a warning
or an error naming the cell, its row's code cell, or a range holding it). A file refused is
refused because of a cell that was typed. The input area is described in
docs/returns-as-filled.md.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter

from dxtracker.figures.fiscal_year import FiscalYearError, parse_fiscal_year
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.returns import ParsedReturn, ReturnProblem, layout, read_return
from dxtracker.returns.layout import cell_text
from dxtracker.returns.table import code_of
from tests.core.corpus_tools import SHEETS, Maker

KPI_UNITS = {"P01-K1": "件", "P01-K3": "時間", "P03-K1": "%", "P03-K3": "件"}
WORDS = ["順調", "やや遅れ", "P03-K1", "p03-k3", "P04-K1", "P99-K9", "P01-M1", "令和5年度", "R5",
         "2023", "約30", "１，２３４件", "12万", "▲3", "—", "=1+1", "+81", "@担当", "合計",
         "※注記", "45%", "12人", "\u00a045", "見込み\n（3月末）"]
CONTENT = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet="0123456789１２,.約万▲-=+@ 田中件%\n", min_size=1, max_size=6),
    st.integers(-1000, 10**7),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.dates(date(2000, 1, 1), date(2030, 12, 31)),
)
CELL = st.tuples(st.sampled_from(sorted(SHEETS)), st.integers(1, 9), st.integers(1, 14))
_RANGE = re.compile(r"([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?")


@pytest.fixture
def exported_bytes(db, tmp_path) -> bytes:
    return Maker(db, tmp_path / "export").export().read_bytes()


def typed_return(exported: bytes, cells: dict[tuple[str, int, int], Any], path: Path) -> Path:
    book = openpyxl.load_workbook(io.BytesIO(exported))
    for (key, row, column), value in cells.items():
        cell = book[SHEETS[key]].cell(row, column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text is a string, whatever it starts with
    book.save(path)
    return path


def original(exported: bytes) -> dict[tuple[str, int, int], str]:
    book = openpyxl.load_workbook(io.BytesIO(exported))
    return {(key, cell.row, cell.column): cell_text(cell.value)
            for key, name in SHEETS.items() for row in book[name].iter_rows() for cell in row}


# --------------------------------------------------------------------------- accounted for


def covers(problem: ReturnProblem, key: str, row: int, column: int) -> bool:
    """Does `problem` name the cell: itself, a range holding it, or its row — a problem of the
    row's code cell, any problem of a proposal's row, any problem of the row whose code was
    typed over."""
    if problem.sheet != SHEETS[key] or not problem.cell:
        return False
    match = _RANGE.fullmatch(problem.cell)
    assert match, problem.cell
    left, top = column_index_from_string(match[1]), int(match[2])
    right = column_index_from_string(match[3]) if match[3] else left
    bottom = int(match[4]) if match[4] else top
    if left <= column <= right and top <= row <= bottom:
        return True
    return row == top == bottom and (left == 1 or key == "proposal" or column == 1) and row > 1


def read_value(parsed: ParsedReturn, key: str, row: int, header: str) -> tuple[bool, Any]:
    """(found, value) of the field under `header` in the entry read from `row`."""
    column = next((c for c in layout.COLUMNS[key]
                   if layout.header_key(header).startswith(
                       layout.header_key(re.split(r"[（【{]", c.header)[0]))), None)
    if column is None or not column.input:
        return False, None
    entries = {"kpi": parsed.kpis, "measure": parsed.measures, "proposal": parsed.proposals}[key]
    entry = next((e for e in entries if e.row == row), None)
    if entry is None:
        return False, None
    field = {"actual": "value", "kpi_code": "kpi_code"}.get(column.key, column.key)
    return True, getattr(entry, field)


def means(key: str, header: str, typed: Any, value: Any, code: str) -> bool:
    """Is `value`, as read, what `typed` means in that column?"""
    text = typed if isinstance(typed, str) else cell_text(typed)
    if header.startswith(("実績値", "修正後")):
        unit = KPI_UNITS.get(code, "")
        try:
            return parse_value(value, unit=unit, allow_words=True) == \
                parse_value(typed if isinstance(typed, int | float) else text, unit=unit,
                            allow_words=True)
        except ValueParseError:
            return False
    if header.startswith("進捗状況"):
        return value == re.sub(r"\s+", "", text)
    if header.startswith("指標コード"):
        return value == code_of(typed)
    if header.startswith("年度"):
        try:
            return value == parse_fiscal_year(typed if isinstance(typed, int) else text)
        except FiscalYearError:
            return False
    return value == layout.blank_if_space(text.replace("\r\n", "\n"))


def accounted(parsed: ParsedReturn, typed_book: Any, before: dict, key: str, row: int,
              column: int, typed: Any) -> bool:
    if any(covers(p, key, row, column) for p in parsed.problems):
        return True  # reported
    if cell_text(typed) == before.get((key, row, column), ""):
        return True  # the same as exported
    if row == 1:
        return False
    sheet = typed_book[SHEETS[key]]
    header = cell_text(sheet.cell(1, column).value)
    found, value = read_value(parsed, key, row, header)
    code = cell_text(sheet.cell(row, 1).value) if key != "proposal" else ""
    if key == "proposal" and found:
        code = next(p.kpi_code for p in parsed.proposals if p.row == row)
    return found and means(key, header, typed, value, code_of(code))


def untyped(typed: Any) -> bool:
    return isinstance(typed, str) and not typed.strip()


# --------------------------------------------------------------------------- the properties

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.sqlite_only("reads files only")
@SETTINGS
@given(cell=CELL, typed=CONTENT)
def test_one_typed_cell_is_stored_or_reported(db, exported_bytes, tmp_path, cell, typed):
    if untyped(typed):
        return
    path = typed_return(exported_bytes, {cell: typed}, tmp_path / "one.xlsx")
    with db.read() as session:
        parsed = read_return(path, session)
    book = openpyxl.load_workbook(path)
    key, row, column = cell
    where = f"{SHEETS[key]}!{get_column_letter(column)}{row}"
    assert accounted(parsed, book, original(exported_bytes), key, row, column, typed), \
        (where, typed, [p.text() for p in parsed.problems])
    if not parsed.ok:  # refused because of the cell typed, and saying so
        assert any(covers(p, key, row, column) for p in parsed.errors), \
            (where, typed, [p.text() for p in parsed.errors])


@pytest.mark.sqlite_only("reads files only")
@SETTINGS
@given(cells=st.dictionaries(CELL, CONTENT, min_size=2, max_size=5))
def test_several_typed_cells(db, exported_bytes, tmp_path, cells):
    cells = {c: v for c, v in cells.items() if not untyped(v)}
    path = typed_return(exported_bytes, cells, tmp_path / "several.xlsx")
    with db.read() as session:
        parsed = read_return(path, session)
    if not parsed.ok:  # refused because of something typed
        assert any(covers(e, *cell) for e in parsed.errors for cell in cells), \
            ([e.text() for e in parsed.errors], cells)
    else:
        book = openpyxl.load_workbook(path)
        before = original(exported_bytes)
        for (key, row, column), typed in cells.items():
            assert accounted(parsed, book, before, key, row, column, typed), \
                ((key, row, column), typed, [p.text() for p in parsed.problems])
