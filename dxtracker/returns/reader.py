"""Reading a return workbook: guarded, validated, and never a traceback for a bad file.

The file is read into memory once (so that what is checked is what is parsed), checked by
`safety.inspect_workbook`, then read with python-calamine (FACTS.md: ~10× openpyxl). Rows are
found by the code in column A and columns by their header text, so reordered, hidden or
inserted rows and inserted columns are fine. Every value is validated again (pasting in Excel
removes data validation), and every locked cell is compared with what the metadata recorded
at export. `read_return` reads the database and never writes to it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import FiscalYearError, fiscal_year_label, parse_fiscal_year
from dxtracker.figures.values import Value, ValueParseError, format_value, parse_value
from dxtracker.files.xlsx_bounds import (
    MAX_FILE_BYTES,
    SheetFacts,
    UnsafeWorkbook,
    WorkbookFacts,
    inspect_workbook,
)
from dxtracker.returns import layout
from dxtracker.returns.collect import (
    ReportedItems,
    department_by_code,
    plan_fingerprint,
    reported_items,
    resolve_department,
    session_cached,
)
from dxtracker.returns.layout import Column, cell_text
from dxtracker.returns.model import (
    FORMAT_VERSION,
    KpiEntry,
    MeasureEntry,
    ParsedReturn,
    ProposedRevision,
    ReturnMeta,
    ReturnProblem,
)
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import STATUSES, Department, Kpi, Measure

Row = list[Any]
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー－"})


_READ_SHEETS = (layout.META_SHEET, *layout.SHEET_KEYS.values())  # 記入方法 is never parsed


class _Refused(Exception):
    """Stops reading a file; the problems are already recorded."""


@dataclass
class _Reading:
    """The state of reading one file: where problems go, and what the metadata says."""

    path: Path
    file_name: str
    sha256: str = ""
    problems: list[ReturnProblem] = field(default_factory=list)
    meta: ReturnMeta | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)
    recorded: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    plan_years: list[int] = field(default_factory=list)  # the plan's fiscal years

    def error(self, sheet: str | None, cell: str | None, ja: str, en: str) -> None:
        self.problems.append(ReturnProblem(self.file_name, sheet, cell, ja, en))

    def warning(self, sheet: str | None, cell: str | None, ja: str, en: str) -> None:
        self.problems.append(ReturnProblem(self.file_name, sheet, cell, ja, en, "warning"))

    def refuse(self, ja: str, en: str) -> _Refused:
        self.error(None, None, ja, en)
        return _Refused()

    def result(self, kpis: tuple[KpiEntry, ...] = (), measures: tuple[MeasureEntry, ...] = (),
               proposals: tuple[ProposedRevision, ...] = ()) -> ParsedReturn:
        return ParsedReturn(self.path, self.file_name, self.sha256, self.meta, kpis, measures,
                            proposals, tuple(self.problems))


def read_return(path: Path | str, session: Session, *, expected_department: str | None = None,
                expected_fiscal_year: int | None = None) -> ParsedReturn:
    """Read and validate a return. Problems with the file go into `problems` (never raised);
    an unknown `expected_department` raises NotFound (a caller's mistake, not the file's)."""
    path = Path(path)
    expected = resolve_department(session, expected_department) if expected_department else None
    reading = _Reading(path, path.name)
    try:
        data = _read_bytes(reading)
        reading.sha256 = hashlib.sha256(data).hexdigest()
        try:
            facts = inspect_workbook(data, _READ_SHEETS)
        except UnsafeWorkbook as exc:
            raise reading.refuse(exc.message_ja, exc.message_en) from exc
        book = _open(reading, data)
        department = _check_meta(reading, session, book, facts, expected, expected_fiscal_year)
        items = reported_items(session, department)
        kpis = _read_kpis(reading, session, book, facts, items)
        measures = _read_measures(reading, session, book, facts, items)
        proposals = _read_proposals(reading, session, book, facts, items)
    except _Refused:
        return reading.result()
    return reading.result(kpis, measures, proposals)


def _read_bytes(reading: _Reading) -> bytes:
    try:
        size = reading.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise reading.refuse(
                f"ファイルが大きすぎます（{size / 1e6:.1f} MB、上限 {MAX_FILE_BYTES // 10**6} MB）。",
                f"The file is too large ({size / 1e6:.1f} MB).")
        return reading.path.read_bytes()
    except OSError as exc:
        raise reading.refuse(f"ファイルを読めません（{exc.strerror or exc}）。",
                             f"Cannot read the file ({exc.strerror or exc}).") from exc


def _open(reading: _Reading, data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise reading.refuse(f"xlsxファイルとして読めません（{exc}）。Excelで保存し直してください。",
                             f"Cannot read the xlsx file ({exc}).") from exc


def _sheet_rows(reading: _Reading, book: CalamineWorkbook, facts: WorkbookFacts,
                name: str) -> list[Row] | None:
    if name not in book.sheet_names:
        return None
    if name not in facts.sheets:  # only sheets the guards have bounded reach the parser
        raise reading.refuse(f"シート「{name}」がワークシートとして読めません。",
                             f"Sheet '{name}' is not a worksheet that can be read.")
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise reading.refuse(f"シート「{name}」が読めません（{exc}）。",
                             f"Sheet '{name}' cannot be read ({exc}).") from exc


# --------------------------------------------------------------------------- metadata


def _check_meta(reading: _Reading, session: Session, book: CalamineWorkbook,
                facts: WorkbookFacts, expected: Department | None,
                expected_fiscal_year: int | None) -> Department:
    rows = _sheet_rows(reading, book, facts, layout.META_SHEET)
    if not rows:
        raise reading.refuse(
            "DX Trackerの回答様式ではありません（回答様式の情報がありません）。"
            "DX Trackerで出力した回答様式に入力してください。",
            "Not a DX Tracker return: the workbook carries no return metadata.")
    meta_facts = facts.sheets.get(layout.META_SHEET)
    if meta_facts and meta_facts.formula_cells:
        raise _tampered(reading)
    values = _parse_records(reading, [layout.trimmed(r) for r in rows])
    meta = _meta_of(reading, values)
    reading.meta = meta
    plan_code, reading.plan_years = session_cached(session, _PLAN_KEY, _plan_identity)
    if meta.plan_code != plan_code:
        raise reading.refuse(
            f"別の計画（{meta.plan_code}）の回答です。この計画は {plan_code} です。",
            f"This return is for another plan ({meta.plan_code}); this plan is {plan_code}.")
    if meta.plan_fingerprint != plan_fingerprint(session):
        raise reading.refuse(
            "この回答様式を出力した後に、計画の構成（指標・施策・担当部局）が変わっています。"
            "回答様式を出力し直し、入力した内容を移してください。",
            "The plan's structure (KPIs, measures, departments) changed after this return was "
            "exported. Export the return again and copy the entries over.")
    department = department_by_code(session, meta.department_code)
    if department is None:
        raise reading.refuse(f"部局コード「{meta.department_code}」はこの計画にありません。",
                             f"Department code '{meta.department_code}' is not in this plan.")
    _check_expected(reading, reading.plan_years, meta, department, expected,
                    expected_fiscal_year)
    return department


# Looked up once per read session (a merge reads its files in one), not once per file.
_PLAN_KEY = "dxtracker.returns.reader.plan"


def _plan_identity(session: Session) -> tuple[str, list[int]]:
    plan = get_plan(session)
    return plan.code, plan.fiscal_years


def _tampered(reading: _Reading) -> _Refused:
    return reading.refuse(
        "回答様式の情報（非表示のメタデータ）が改変されています。DX Trackerで出力した回答様式を"
        "そのまま使ってください。",
        "The return's hidden metadata has been altered. Use the workbook as exported.")


def _parse_records(reading: _Reading, records: list[list[str]]) -> dict[str, str]:
    """Verify the checksum; the meta values, and the table contents at export."""
    records = [r for r in records if r]
    if not records or records[-1][0] != "checksum" or len(records[-1]) != 2 or \
            layout.checksum(records[:-1]) != records[-1][1]:
        raise _tampered(reading)
    values = {r[1]: (r[2] if len(r) > 2 else "") for r in records if r[0] == "meta" and len(r) > 1}
    try:
        data = layout.decode_data(r[1] for r in records if r[0] == "data" and len(r) > 1)
        reading.headers = {str(k): [str(h) for h in v] for k, v in data["headers"].items()}
        for key, rows in data["rows"].items():
            reading.recorded[str(key)] = {str(row[0]): [str(t) for t in row] for row in rows}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise _tampered(reading) from exc
    return values


def _meta_of(reading: _Reading, values: dict[str, str]) -> ReturnMeta:
    if values.get("format") != layout.FORMAT_NAME:
        raise reading.refuse("DX Trackerの回答様式ではありません。",
                             "Not a DX Tracker return workbook.")
    version = values.get("format_version", "")
    if version != str(FORMAT_VERSION):
        raise reading.refuse(
            f"この回答様式の版（{version}）は、この版のDX Trackerでは読めません（読める版: "
            f"{FORMAT_VERSION}）。同じ版のDX Trackerで出力した回答様式を使ってください。",
            f"Return format version {version} cannot be read by this DX Tracker "
            f"(reads {FORMAT_VERSION}).")
    try:
        return ReturnMeta(
            int(version), values["plan_code"], values["plan_fingerprint"],
            values["department_code"], values["department_name"], int(values["fiscal_year"]),
            datetime.fromisoformat(values["exported_at"]), values["app_version"])
    except (KeyError, ValueError) as exc:
        raise _tampered(reading) from exc


def _check_expected(reading: _Reading, years: list[int], meta: ReturnMeta,
                    department: Department, expected: Department | None,
                    expected_fiscal_year: int | None) -> None:
    if meta.fiscal_year not in years:
        reading.error(None, None, f"{fiscal_year_label(meta.fiscal_year)}は計画期間の外です。",
                      f"FY{meta.fiscal_year} is outside the plan period.")
    if expected is not None and expected.id != department.id:
        reading.error(None, None,
                      f"{department.name}の回答です（取り込み先に指定された部局: {expected.name}）。"
                      "ファイルを確かめてください。",
                      f"This is the return of {department.name}, not of {expected.name}.")
    if expected_fiscal_year is not None and expected_fiscal_year != meta.fiscal_year:
        reading.error(None, None,
                      f"{fiscal_year_label(meta.fiscal_year)}の回答です（指定された年度: "
                      f"{fiscal_year_label(expected_fiscal_year)}）。ファイルを確かめてください。",
                      f"This return is for FY{meta.fiscal_year}, not FY{expected_fiscal_year}.")
    if reading.problems:
        raise _Refused()


# --------------------------------------------------------------------------- tables


@dataclass
class _Table:
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


def _table(reading: _Reading, book: CalamineWorkbook, facts: WorkbookFacts,
           key: str) -> _Table:
    sheet = layout.SHEET_KEYS[key]
    columns = layout.COLUMNS[key]
    rows = _sheet_rows(reading, book, facts, sheet)
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
        position = found.get(layout.header_key(header))
        if position is None:
            reading.error(sheet, None,
                          f"列「{header}」が見つかりません。1行目の見出しを変えないでください。",
                          f"Column '{header}' not found: keep the headers in row 1 unchanged.")
            if column.input or column.key == columns[0].key:
                raise _Refused()
        else:
            index[column.key] = position
    return _Table(sheet, key, columns, rows, facts.sheets.get(sheet), index)


# A code as exported ("P01-K1"): nothing for NFKC, the dashes or the spaces below to change.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9-]+")


def _code(raw: Any) -> str:
    if type(raw) is str and _PLAIN_CODE.fullmatch(raw):
        return raw.upper()
    text = unicodedata.normalize("NFKC", cell_text(raw)).translate(_DASHES)
    return re.sub(r"\s+", "", text).upper()


def _table_rows(reading: _Reading, table: _Table, known: Callable[[str], str | None]):  # type: ignore[no-untyped-def]
    """(sheet row, code, row, recorded texts) of every row that belongs to this return.

    Rows without a code are skipped (blank rows) or refused (entries without a code); codes
    that are not this department's, duplicates and edited locked cells are refused.
    """
    code_key = table.columns[0].key
    seen: dict[str, int] = {}
    recorded = reading.recorded.get(table.key, {})
    for number, row in enumerate(table.rows[1:], start=2):
        code = _code(table.raw(code_key, row))
        if not code:
            if any(cell_text(table.raw(c.key, row)).strip() for c in table.columns if c.input):
                reading.error(table.sheet, table.ref(code_key, number),
                              "コードが空欄の行に入力があります。A列のコードを元に戻してください。",
                              "A row with entries has no code: restore the code in column A.")
            continue
        if code in seen:
            reading.error(table.sheet, table.ref(code_key, number),
                          f"コード {code} の行が重複しています（{seen[code]}行目にもあります）。",
                          f"Code {code} appears twice (also in row {seen[code]}).")
            continue
        seen[code] = number
        problem = known(code) if code in recorded else _not_recorded(code, known)
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


def _not_recorded(code: str, known: Callable[[str], str | None]) -> str:
    return known(code) or f"コード {code} の行は、出力した回答様式にありません。"


def _locked_cells_intact(reading: _Reading, table: _Table, number: int, row: Row,
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
                f"変更できないセルが変更されています（出力時「{_short(expected)}」→"
                f"「{_short(actual)}」）。元に戻すか、回答様式を出力し直してください。",
                f"A locked cell was changed ('{_short(expected)}' → '{_short(actual)}'). "
                "Restore it or export the return again.")
    return intact


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _known_message(session: Session, kind: str, department: str):  # type: ignore[no-untyped-def]
    model = Kpi if kind == "kpi" else Measure
    label = "指標" if kind == "kpi" else "施策"
    verb = "が報告する指標" if kind == "kpi" else "の担当する施策"
    all_codes: set[str] | None = None

    def known(code: str) -> str:
        nonlocal all_codes
        if all_codes is None:
            all_codes = set(session.scalars(select(model.code)))
        if code in all_codes:
            return (f"{label} {code} は{department}{verb}ではありません。"
                    "ほかの部局の行が貼り付けられていないか確かめてください。")
        return f"{label}コード「{code}」はこの計画にありません。"
    return known


# --------------------------------------------------------------------------- sheets


def _read_kpis(reading: _Reading, session: Session, book: CalamineWorkbook,
               facts: WorkbookFacts, items: ReportedItems) -> tuple[KpiEntry, ...]:
    table = _table(reading, book, facts, "kpi")
    meta = reading.meta
    assert meta is not None
    known = _known_message(session, "kpi", meta.department_name)
    entries = []
    columns = [c.key for c in table.columns]
    for number, code, row, recorded in _table_rows(reading, table, _only(items.kpi_units, known)):
        base_value = _recorded(recorded, columns, "actual") or None
        base_note = _recorded(recorded, columns, "note")
        value = _figure(reading, table, number, row, "actual", items.kpi_units[code],
                        base_value, allow_words=False, code=code)
        note = _text(reading, table, number, row, "note", base_note)
        if value is not _INVALID and note is not _INVALID:
            entries.append(KpiEntry(code, meta.fiscal_year, meta.department_code, value, note,
                                    base_value, base_note, number))
    return tuple(entries)


def _read_measures(reading: _Reading, session: Session, book: CalamineWorkbook,
                   facts: WorkbookFacts, items: ReportedItems) -> tuple[MeasureEntry, ...]:
    table = _table(reading, book, facts, "measure")
    meta = reading.meta
    assert meta is not None
    known = _known_message(session, "measure", meta.department_name)
    codes = dict.fromkeys(items.measure_codes, "")
    columns = [c.key for c in table.columns]
    entries = []
    for number, code, row, recorded in _table_rows(reading, table, _only(codes, known)):
        bases = {k: _recorded(recorded, columns, k)
                 for k in ("status", "record", "issues", "next_policy")}
        status = _status(reading, table, number, row, bases["status"])
        texts = [_text(reading, table, number, row, k, bases[k])
                 for k in ("record", "issues", "next_policy")]
        if status is _INVALID or _INVALID in texts:
            continue
        entries.append(MeasureEntry(code, meta.fiscal_year, meta.department_code, status,
                                    *texts, bases["status"] or None, bases["record"],
                                    bases["issues"], bases["next_policy"], number))
    return tuple(entries)


def _only(allowed: dict[str, str], known: Callable[[str], str]) -> Callable[[str], str | None]:
    return lambda code: None if code in allowed else known(code)


def _recorded(recorded: list[str], columns: list[str], key: str) -> str:
    position = columns.index(key)
    return recorded[position] if position < len(recorded) else ""


# --------------------------------------------------------------------------- cells

_INVALID: Any = object()  # a cell that was refused (the problem is recorded)


def _formula_refused(reading: _Reading, table: _Table, number: int, key: str) -> bool:
    if table.is_formula(key, number):
        reading.error(table.sheet, table.ref(key, number),
                      "数式が入力されています。数式ではなく値を入力してください。",
                      "The cell holds a formula: enter a value instead.")
        return True
    return False


def _text(reading: _Reading, table: _Table, number: int, row: Row, key: str,
          base: str) -> str:
    if _formula_refused(reading, table, number, key):
        return _INVALID
    text = layout.blank_if_space(cell_text(table.raw(key, row)))
    return base if text == base else text


def _status(reading: _Reading, table: _Table, number: int, row: Row,
            base: str) -> str | None:
    if _formula_refused(reading, table, number, "status"):
        return _INVALID
    typed = cell_text(table.raw("status", row))
    status = re.sub(r"\s+", "", unicodedata.normalize("NFKC", typed))
    if not status:
        return None
    if status not in STATUSES:
        reading.error(table.sheet, table.ref("status", number),
                      f"進捗状況「{_short(typed)}」は選べません。{' / '.join(STATUSES)} の"
                      "いずれかを選んでください。",
                      f"Status '{_short(typed)}' is not one of {' / '.join(STATUSES)}.")
        return _INVALID
    return status


def _figure(reading: _Reading, table: _Table, number: int, row: Row, key: str, unit: str,
            base: str | None, *, allow_words: bool, code: str) -> str | None:
    """A typed figure as canonical text; an untouched cell gives back its base text."""
    if _formula_refused(reading, table, number, key):
        return _INVALID
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
        return _INVALID
    except _NotAFigure as exc:
        reading.error(table.sheet, table.ref(key, number), f"{exc.args[0]}（{code}）",
                      exc.args[1])
        return _INVALID
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


# --------------------------------------------------------------------------- proposals


def _read_proposals(reading: _Reading, session: Session, book: CalamineWorkbook,
                    facts: WorkbookFacts, items: ReportedItems) -> tuple[ProposedRevision, ...]:
    table = _table(reading, book, facts, "proposal")
    meta = reading.meta
    assert meta is not None
    years = [fy for fy in reading.plan_years if fy >= meta.fiscal_year]
    known = _known_message(session, "kpi", meta.department_name)
    seen: dict[tuple[str, int], int] = {}
    proposals = []
    for number, row in enumerate(table.rows[1:], start=2):
        if not any(cell_text(table.raw(c.key, row)).strip() for c in table.columns):
            continue
        proposal = _proposal(reading, table, number, row, items, years, known)
        if proposal is None:
            continue
        key = (proposal.kpi_code, proposal.fiscal_year)
        if key in seen:
            reading.error(table.sheet, table.ref("kpi_code", number),
                          f"{proposal.kpi_code}の{fiscal_year_label(proposal.fiscal_year)}の提案が"
                          f"重複しています（{seen[key]}行目にもあります）。",
                          f"Duplicate proposal for {proposal.kpi_code} FY{proposal.fiscal_year}.")
            continue
        seen[key] = number
        proposals.append(proposal)
    return tuple(proposals)


def _proposal(reading: _Reading, table: _Table, number: int, row: Row, items: ReportedItems,
              years: list[int], known: Callable[[str], str]) -> ProposedRevision | None:
    for column in table.columns:
        if _formula_refused(reading, table, number, column.key):
            return None
    code = _code(table.raw("kpi_code", row))
    fiscal_year = _proposal_year(reading, table, number, row, years)
    if not code or code not in items.kpi_units:
        reading.error(table.sheet, table.ref("kpi_code", number),
                      known(code) if code else "指標コードが空欄です。",
                      f"KPI code '{code}' cannot be proposed for here.")
        return None
    value = _figure(reading, table, number, row, "value", items.kpi_units[code], None,
                    allow_words=True, code=code)
    if value is None:
        reading.error(table.sheet, table.ref("value", number),
                      "修正後の目標値が空欄です。", "The proposed target is blank.")
        return None
    reason = cell_text(table.raw("reason", row)).strip()
    if not reason:
        reading.warning(table.sheet, table.ref("reason", number),
                        "修正の理由が空欄です。", "No reason is given for the proposal.")
    if value is _INVALID or fiscal_year is None:
        return None
    return ProposedRevision(code, fiscal_year, value, reason, number)


def _proposal_year(reading: _Reading, table: _Table, number: int, row: Row,
                   years: list[int]) -> int | None:
    raw = table.raw("fiscal_year", row)
    where = table.ref("fiscal_year", number)
    try:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        fiscal_year = parse_fiscal_year(raw if isinstance(raw, int) else cell_text(raw))
    except FiscalYearError as exc:
        text = "年度が空欄です。" if not cell_text(raw).strip() else exc.message_ja
        reading.error(table.sheet, where, text, exc.message_en)
        return None
    if fiscal_year not in years:
        labels = "、".join(fiscal_year_label(fy) for fy in years)
        reading.error(table.sheet, where,
                      f"{fiscal_year_label(fiscal_year)}の目標は提案できません（提案できる年度: "
                      f"{labels}）。",
                      f"FY{fiscal_year} cannot be proposed (allowed: {years}).")
        return None
    return fiscal_year
