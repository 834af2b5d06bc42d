"""Reading a return workbook: guarded, validated, and never a traceback for a bad file.

`read_return` reads a file in this order: the bytes, within bounds, then the workbook
(`opening`); the hidden metadata sheet, checked against the plan and against what the caller
expected (here); then the KPI, measure and proposal tables (`entries`, cell by cell through
`table`). A problem is recorded and reading goes on where it can; a file that cannot be read
at all stops at its first problem. `read_return` reads the database and never writes to it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns import layout
from dxtracker.returns.collect import (
    department_by_code,
    plan_fingerprint,
    reported_items,
    resolve_department,
    session_cached,
)
from dxtracker.returns.entries import Entries, read_entries
from dxtracker.returns.lock_files import is_lock_file, refuse_lock_file, warn_if_open
from dxtracker.returns.model import FORMAT_VERSION, ParsedReturn, ReturnMeta
from dxtracker.returns.opening import BoundedWorkbook, Refused, ReturnReading, open_bounded
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import Department

_READ_SHEETS = (layout.META_SHEET, *layout.SHEET_KEYS.values())  # 記入方法 is never parsed


def read_return(path: Path | str, session: Session, *, expected_department: str | None = None,
                expected_fiscal_year: int | None = None) -> ParsedReturn:
    """Read and validate a return. Problems with the file go into `problems` (never raised);
    an unknown `expected_department` raises NotFound (a caller's mistake, not the file's)."""
    path = Path(path)
    expected = resolve_department(session, expected_department) if expected_department else None
    reading = ReturnReading(path, path.name)
    if is_lock_file(path):
        refuse_lock_file(reading)
        return _parsed(reading)
    try:
        workbook = open_bounded(reading, _READ_SHEETS)
        department = _check_meta(reading, session, workbook, expected, expected_fiscal_year)
        items = reported_items(session, department)
        entries = read_entries(reading, session, workbook, items)
    except Refused:
        return _parsed(reading)
    _other_sheets(reading, workbook)
    warn_if_open(reading)
    return _parsed(reading, entries)


def _parsed(reading: ReturnReading, entries: Entries = ((), (), ())) -> ParsedReturn:
    """What was read: no entries from a file that was refused, and every problem found."""
    readings = tuple(reading.readings) if entries[0] or entries[1] or entries[2] else ()
    return ParsedReturn(reading.path, reading.file_name, reading.sha256, reading.meta, *entries,
                        tuple(reading.problems), readings)


# The sheets a return has; any other was added by a person, and is not read.
_FORMAT_SHEETS = frozenset({layout.INSTRUCTIONS_SHEET, *_READ_SHEETS})


def _other_sheets(reading: ReturnReading, workbook: BoundedWorkbook) -> None:
    for name in workbook.book.sheet_names:
        if name not in _FORMAT_SHEETS:
            reading.warning(name, None,
                            f"シート「{name}」は回答様式にないシートのため読みません。回答として"
                            "伝える内容は、各シートの【入力】欄に入力してください。",
                            f"Sheet '{name}' is not part of the return and is not read. Enter "
                            "what should reach headquarters in the input cells of its sheets.")


# --------------------------------------------------------------------------- metadata


def _check_meta(reading: ReturnReading, session: Session, workbook: BoundedWorkbook,
                expected: Department | None, expected_fiscal_year: int | None) -> Department:
    """The metadata read into `reading`, checked; the department whose return this is."""
    meta = _read_meta(reading, workbook)
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


def _read_meta(reading: ReturnReading, workbook: BoundedWorkbook) -> ReturnMeta:
    """The metadata sheet, its checksum verified; sets `reading.meta` and what was exported."""
    rows = workbook.sheet_rows(reading, layout.META_SHEET)
    if not rows:
        raise reading.refuse(
            "DX Trackerの回答様式ではありません（回答様式の情報がありません）。"
            "DX Trackerで出力した回答様式に入力してください。",
            "Not a DX Tracker return: the workbook carries no return metadata.")
    meta_facts = workbook.sheet_facts(layout.META_SHEET)
    if meta_facts and meta_facts.formula_cells:
        raise _tampered(reading)
    values = _parse_records(reading, [layout.trimmed(r) for r in rows])
    reading.meta = _meta_of(reading, values)
    return reading.meta


# Looked up once per read session (a merge reads its files in one), not once per file.
_PLAN_KEY = "dxtracker.returns.reader.plan"


def _plan_identity(session: Session) -> tuple[str, list[int]]:
    plan = get_plan(session)
    return plan.code, plan.fiscal_years


def _tampered(reading: ReturnReading) -> Refused:
    return reading.refuse(
        "回答様式の情報（非表示のメタデータ）が改変されています。DX Trackerで出力した回答様式を"
        "そのまま使ってください。",
        "The return's hidden metadata has been altered. Use the workbook as exported.")


def _parse_records(reading: ReturnReading, records: list[list[str]]) -> dict[str, str]:
    """Verify the checksum; the meta values, and the table contents at export."""
    records = [r for r in records if r]
    if not records or records[-1][0] != "checksum" or len(records[-1]) != 2 or \
            layout.checksum(records[:-1]) != records[-1][1]:
        raise _tampered(reading)
    values = {r[1]: (r[2] if len(r) > 2 else "") for r in records if r[0] == "meta" and len(r) > 1}
    try:
        data: Any = layout.decode_data(r[1] for r in records if r[0] == "data" and len(r) > 1)
        reading.headers = {str(k): [str(h) for h in v] for k, v in data["headers"].items()}
        for key, rows in data["rows"].items():
            reading.recorded[str(key)] = {str(row[0]): [str(t) for t in row] for row in rows}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise _tampered(reading) from exc
    return values


def _meta_of(reading: ReturnReading, values: dict[str, str]) -> ReturnMeta:
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


def _check_expected(reading: ReturnReading, years: list[int], meta: ReturnMeta,
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
                      f"{fiscal_year_label(meta.fiscal_year)}の回答です（取り込む年度: "
                      f"{fiscal_year_label(expected_fiscal_year)}）。前の年度のファイルに入力して"
                      f"いないか確かめ、{fiscal_year_label(expected_fiscal_year)}の回答様式で回答"
                      "してもらってください。この年度の回答なら、取り込む年度を切り替えてください。",
                      f"This return is for FY{meta.fiscal_year}, not FY{expected_fiscal_year}: "
                      "check that an earlier year's file was not filled in again, or switch "
                      "the year being imported.")
    if reading.problems:
        raise Refused()
