"""Reading a plan workbook (`dxtracker plan import`) and building a new database from it.

A workbook from outside is untrusted: the guards written for returns
(`dxtracker.files.xlsx_bounds`) check the bytes before parsing (size, zip structure, compression
ratio, no DTD, bounded sheets), openpyxl then reads those same bytes in read-only mode with
defusedxml, rows and columns are bounded again, a formula where a value belongs is an error,
and every value is validated again (`excel_checks`). Every problem is
reported with its sheet and cell (`kpis!E5: …`) and nothing is written unless all is well; the
new database is built aside (`excel_build`) and moved into place only when complete.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError, PlanFileError
from dxtracker.figures.fiscal_year import FiscalYearError, parse_fiscal_year
from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Number
from dxtracker.files.xlsx_bounds import MAX_FILE_BYTES, UnsafeWorkbook, inspect_workbook
from dxtracker.plan.excel_build import build_plan
from dxtracker.plan.excel_checks import check_tables
from dxtracker.plan.excel_tables import (
    KIND_HELP,
    OPTIONAL_COLUMNS,
    OPTIONAL_SHEETS,
    SHEETS,
    Col,
    Tables,
)
from dxtracker.plan.plan_file import load_plan, read_plan_file
from dxtracker.store.audit import record_change
from dxtracker.store.location import DatabaseLocation, parse_location
from dxtracker.store.models import Meta
from dxtracker.store.schema import database_exists, write_new_database

__all__ = ["import_plan", "read_plan_workbook"]

MAX_ROWS = 200_000  # the guards bound sheets further (xlsx_bounds.MAX_ROWS)
MAX_COLUMNS = 60
MAX_PROBLEMS = 200


@dataclass
class Problems:
    items: list[str]

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def read_plan_workbook(path: Path) -> Tables:
    """The tables of a plan workbook, checked; raises PlanFileError listing every problem."""
    path = Path(path)
    data = _checked_bytes(path)
    problems = Problems([])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise PlanFileError(path, [f"Excelのブックとして読めません（{type(exc).__name__}: {exc}）"]) \
            from exc
    try:
        tables: Tables = {}
        for name, columns in SHEETS.items():
            if name not in workbook.sheetnames:
                if name not in OPTIONAL_SHEETS:
                    problems.add(name, f"シート「{name}」がありません")
                tables[name] = []
                continue
            tables[name] = _read_sheet(workbook[name], name, columns, problems)
    finally:
        workbook.close()
    if not problems.items:
        check_tables(tables, problems.add)
    if problems.items:
        shown = problems.items[:MAX_PROBLEMS]
        if len(problems.items) > MAX_PROBLEMS:
            shown.append(f"ほか {len(problems.items) - MAX_PROBLEMS} 件")
        raise PlanFileError(path, shown)
    return tables


def _checked_bytes(path: Path) -> bytes:
    """The file's bytes, once the return guards (`dxtracker.files.xlsx_bounds`) passed them:
    size, zip structure, compression ratio, declared vs real sizes, no DTD, bounded sheets.
    The bytes checked are the bytes parsed."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:  # before reading it into memory
            raise PlanFileError(path, [f"ファイルが大きすぎます（上限 {MAX_FILE_BYTES // 10**6} MB）"])
        data = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(path, [f"ファイルを開けません: {exc}"]) from exc
    try:
        inspect_workbook(data, list(SHEETS))
    except UnsafeWorkbook as exc:
        # The guards' advice speaks of return forms: keep their finding, give ours.
        finding = exc.message_ja.split("。")[0] + "。"
        raise PlanFileError(path, [finding + "計画のブック（dxtracker plan export で書き出した"
                                             "形式）を指定してください。"]) from exc
    return data


def _read_sheet(sheet: Any, name: str, columns: tuple[Col, ...],
                problems: Problems) -> list[dict[str, Any]]:
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    header = next(rows, ())
    positions = {str(c.value).strip(): i for i, c in enumerate(header) if c.value is not None}
    missing = [c.name for c in columns
               if c.name not in positions and c.name not in OPTIONAL_COLUMNS]
    if missing:
        problems.add(f"{name}!1", f"列「{'」「'.join(missing)}」がありません（1行目は見出しです）")
        return []
    result = []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.add(name, f"{MAX_ROWS}行を超えています")
            break
        if all(c.value is None or c.value == "" for c in cells):
            continue  # a blank row (e.g. left after deleting): nothing to read
        row: dict[str, Any] = {"_row": number, "_sheet": name}
        for col in columns:
            if col.name not in positions:  # an optional column the workbook does not have
                row[col.name] = None
                continue
            i = positions[col.name]
            where = f"{name}!{get_column_letter(i + 1)}{number}"
            row[f"_at_{col.name}"] = where
            cell = cells[i] if i < len(cells) else None
            row[col.name] = _convert(cell, col, where, problems)
            if col.kind == "figure":
                j = positions.get(f"{col.name}_number")
                extra = cells[j] if j is not None and j < len(cells) else None
                at = f"{get_column_letter((j or 0) + 1)}{number}"
                row[col.name] = _with_number(row[col.name], extra, where, f"{col.name}_number"
                                             f"（{at}）", problems)
        result.append(row)
    return result


def _convert(cell: Any, col: Col, where: str, problems: Problems) -> Any:
    value = None if cell is None else cell.value
    if cell is not None and getattr(cell, "data_type", None) in ("f", "e"):
        problems.add(where, "数式やエラー値は使えません。値を入力してください")
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    try:
        return _typed(value, col)
    except FiscalYearError as exc:
        problems.add(where, f"{col.name}: {exc}")
    except (ValueError, TypeError, InvalidOperation):
        problems.add(where, f"{col.name} に「{value}」は使えません（{KIND_HELP[col.kind]}）")
    return None


_TRUE, _FALSE = {"true", "1", "はい", "○"}, {"false", "0", "いいえ", ""}


def _typed(value: Any, col: Col) -> Any:
    kind = col.kind
    if kind in ("text", "req_text", "key", "opt_key", "figure"):
        if value is None:
            if kind in ("key", "req_text"):
                raise ValueError("blank")
            return "" if kind == "text" else None
        return _as_text(value)
    if kind == "fy":  # 2022, R4, 令和4年度 …: whatever a person types
        if value is None:
            raise ValueError("blank")
        return parse_fiscal_year(_as_int(value) if isinstance(value, int | float) else value)
    if kind in ("int", "opt_int"):
        if value is None:
            if kind == "int":
                raise ValueError("blank")
            return None
        return _as_int(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(text)
    if kind == "date":
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value))
    if kind == "datetime":
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(str(value))
    raise AssertionError(kind)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("boolean")
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f") if value != int(value) \
            else str(int(value))
    if isinstance(value, datetime | date):
        raise TypeError("date")
    return str(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("boolean")
    if isinstance(value, float):
        if value != int(value):
            raise ValueError(value)
        return int(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def _with_number(text: str | None, cell: Any, where: str, number_at: str,
                 problems: Problems) -> str | None:
    """`value` is authoritative; `value_number` must agree with it (or stand alone)."""
    number = None if cell is None else cell.value
    if number is None or number == "":
        return text
    if getattr(cell, "data_type", None) == "f" or isinstance(number, bool) or \
            not isinstance(number, int | float):
        problems.add(where, f"{number_at} には数値だけを入力してください")
        return text
    if text is None:
        return _as_text(number)
    parsed = _parse_quietly(text)
    if not isinstance(parsed, Number) or parsed.value != Decimal(str(number)):
        problems.add(where, f"「{text}」と {number_at}の値 {number} が一致しません"
                            "（どちらかを直してください）")
    return text


def _parse_quietly(text: str) -> Any:
    try:
        return parse_value(text, allow_words=True)
    except ValueError:
        return None


def import_plan(source: Path, target: Path | str | DatabaseLocation, *,
                force: bool = False) -> Path | DatabaseLocation:
    """Build a new database at `target` (a file, or an empty server database) from a plan
    workbook (.xlsx) or plan file (.json)."""
    source, location = Path(source), parse_location(target)
    if not force and database_exists(location):
        raise DatabaseError(location.name, "すでに存在します。置き換える場合は --force を付けてください。",
                            "already exists; add --force to replace it.")
    if source.suffix.lower() == ".json":
        data = read_plan_file(source)
        write_new_database(location, lambda session: _record_import(
            session, load_plan(session, data).code, source))
    else:
        tables = read_plan_workbook(source)
        write_new_database(location, lambda session: _record_import(
            session, build_plan(session, tables).code, source))
    return location.path if location.path is not None else location


def _record_import(session: Session, code: str, source: Path) -> None:
    session.add(Meta(key="plan_source", value=str(source)))
    record_change(session, source="import", source_detail=source.name, entity="plan",
                  entity_code=code, field="imported_from", old=None, new=source.name,
                  reason="計画の取込")
