"""The whole plan as machine-readable Excel tables, and a plan built back from them.

One table a sheet, the header in row 1, codes on every row, one value a cell, fiscal years as
western years, figures as the canonical text people type (`value`) with the plain number beside
it (`value_number`, blank for ranges, bounds, words and breakdowns). Export then import gives
back the same plan (`plan show --json` identical).

A workbook from outside is untrusted: the guards written for returns
(`dxtracker.files.xlsx_bounds`) check the bytes before parsing (size, zip structure, compression
ratio, no DTD, bounded sheets), openpyxl then reads those same bytes in read-only mode with
defusedxml, rows and columns are bounded again, a formula where a value belongs is an error,
and every value is validated again. Every problem is
reported with its sheet and cell (`kpis!E5: …`) and nothing is written unless all is well; the
new database is built aside and moved into place only when complete.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError, DxTrackerError, PlanFileError
from dxtracker.figures.fiscal_year import FiscalYearError, parse_fiscal_year
from dxtracker.figures.values import Number, ValueParseError, format_value, parse_value
from dxtracker.files.xlsx_bounds import MAX_FILE_BYTES, UnsafeWorkbook, inspect_workbook
from dxtracker.plan.plan_file import load_plan, read_plan_file
from dxtracker.store.audit import record_change
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import (
    AGGREGATIONS,
    ALL_DEPARTMENTS,
    DIRECTIONS,
    STATUSES,
    Department,
    DepartmentName,
    FuturePictureItem,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureProgress,
    Meta,
    Plan,
    PlanEdition,
    Project,
    ScheduleItem,
    TargetRevision,
    Vision,
)
from dxtracker.store.schema import write_new_database

MAX_ROWS = 200_000  # the guards bound sheets further (safety.MAX_ROWS)
MAX_COLUMNS = 60
MAX_PROBLEMS = 200


class ExcelWriteError(DxTrackerError):
    """The workbook could not be written (e.g. it is open in Excel)."""


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "text"  # key, opt_key, text, req_text, int, opt_int, fy, bool, figure, date,
    # datetime


def _cols(*specs: str) -> tuple[Col, ...]:
    """"name:kind" specs (kind defaults to text)."""
    return tuple(Col(*spec.split(":")) for spec in specs)


SHEETS: dict[str, tuple[Col, ...]] = {
    "plan": _cols("code:key", "title:req_text", "organisation", "source", "edition:int",
                  "edition_label", "baseline_fiscal_year:fy", "first_fiscal_year:fy",
                  "last_fiscal_year:fy"),
    "plan_notes": _cols("plan_code:key", "number:int", "text"),
    "editions": _cols("plan_code:key", "number:int", "label", "published:bool",
                      "published_on:date", "published_by"),
    "departments": _cols("code:key", "name:req_text", "sort_order:int", "retired:bool"),
    "department_names": _cols("department_code:key", "name:req_text", "valid_from:date",
                              "valid_to:date"),
    "visions": _cols("plan_code:key", "number:int", "title:req_text"),
    "projects": _cols("code:key", "vision_number:int", "number:int", "title:req_text",
                      "lead_department_code:key"),
    "future_picture": _cols("project_code:key", "number:int", "text:req_text", "is_new:bool"),
    "kpis": _cols("code:key", "project_code:key", "position:int", "name:req_text", "unit",
                  "cumulative:bool", "direction:key", "aggregation:key",
                  "all_departments_report:bool", "is_new:bool", "new_in_edition:opt_int",
                  "note", "baseline_fiscal_year:fy", "baseline:figure"),
    "kpi_departments": _cols("kpi_code:key", "department_code:key"),
    "targets": _cols("kpi_code:key", "fiscal_year:fy", "value:figure", "note"),
    "revisions": _cols("kpi_code:key", "fiscal_year:fy", "sequence:int", "old_value:figure",
                       "new_value:figure", "revised_on:date", "reason", "edition:opt_int"),
    "actuals": _cols("kpi_code:key", "fiscal_year:fy", "department_code:opt_key",
                     "value:figure", "note", "updated_at:datetime", "updated_by"),
    "measures": _cols("code:key", "project_code:key", "number:int", "title:req_text",
                      "is_new:bool", "new_in_edition:opt_int", "all_departments:bool",
                      "attention_points", "response_policy"),
    "measure_items": _cols("measure_code:key", "number:int", "text:req_text"),
    "measure_departments": _cols("measure_code:key", "department_code:key"),
    "schedule": _cols("measure_code:key", "position:int", "from_fiscal_year:fy",
                      "to_fiscal_year:fy", "text:req_text"),
    "progress": _cols("measure_code:key", "fiscal_year:fy", "department_code:key",
                      "status:opt_key", "record", "issues", "next_policy",
                      "updated_at:datetime", "updated_by"),
}
# Sheets a hand-made workbook may leave out (its plan then has no history of them).
OPTIONAL_SHEETS = {"plan_notes", "editions", "department_names"}

Tables = dict[str, list[dict[str, Any]]]


def plan_tables(session: Session) -> Tables:
    """Every row of the plan, sheet by sheet, in display order."""
    plan = get_plan(session)
    t: Tables = {name: [] for name in SHEETS}
    t["plan"].append({c.name: getattr(plan, c.name) for c in SHEETS["plan"]})
    t["plan_notes"] = [{"plan_code": plan.code, "number": i, "text": note}
                       for i, note in enumerate(filter(None, plan.notes.splitlines()), 1)]
    for e in session.scalars(select(PlanEdition).order_by(PlanEdition.number)):
        t["editions"].append({"plan_code": plan.code, "number": e.number, "label": e.label,
                              "published": e.published, "published_on": e.published_on,
                              "published_by": e.published_by})
    for d in session.scalars(select(Department).order_by(Department.sort_order)):
        t["departments"].append({"code": d.code, "name": d.name, "sort_order": d.sort_order,
                                 "retired": d.retired})
    for n in session.scalars(select(DepartmentName).order_by(DepartmentName.id)):
        t["department_names"].append({"department_code": n.department.code, "name": n.name,
                                      "valid_from": n.valid_from, "valid_to": n.valid_to})
    for v in plan.visions:
        t["visions"].append({"plan_code": plan.code, "number": v.number, "title": v.title})
        for p in v.projects:
            _project_rows(t, v, p)
    return t


def _dept_code(dept: Department | None) -> str | None:
    return dept.code if dept else None


def _project_rows(t: Tables, vision: Vision, p: Project) -> None:
    t["projects"].append({"code": p.code, "vision_number": vision.number, "number": p.number,
                          "title": p.title, "lead_department_code": p.lead_department.code})
    t["future_picture"] += [{"project_code": p.code, "number": f.number, "text": f.text,
                             "is_new": f.is_new} for f in p.future_picture]
    for k in p.kpis:
        t["kpis"].append({c.name: getattr(k, c.name) for c in SHEETS["kpis"]
                          if c.name != "project_code"} | {"project_code": p.code})
        t["kpi_departments"] += [{"kpi_code": k.code, "department_code": d.code}
                                 for d in k.reporting_departments]
        t["targets"] += [{"kpi_code": k.code, "fiscal_year": x.fiscal_year, "value": x.value,
                          "note": x.note} for x in k.targets]
        t["revisions"] += [{"kpi_code": k.code, "fiscal_year": r.fiscal_year, "sequence": i,
                            "old_value": r.old_value, "new_value": r.new_value,
                            "revised_on": r.revised_on, "reason": r.reason,
                            "edition": r.edition} for i, r in enumerate(k.revisions, 1)]
        actuals = sorted(k.actuals, key=lambda a: (
            a.fiscal_year, a.department.sort_order if a.department else -1))
        t["actuals"] += [{"kpi_code": k.code, "fiscal_year": a.fiscal_year,
                          "department_code": _dept_code(a.department), "value": a.value,
                          "note": a.note, "updated_at": a.updated_at,
                          "updated_by": a.updated_by} for a in actuals]
    for m in p.measures:
        t["measures"].append({c.name: getattr(m, c.name) for c in SHEETS["measures"]
                              if c.name != "project_code"} | {"project_code": p.code})
        t["measure_items"] += [{"measure_code": m.code, "number": i, "text": text}
                               for i, text in enumerate(json.loads(m.items or "[]"), 1)]
        t["measure_departments"] += [{"measure_code": m.code, "department_code": d.code}
                                     for d in m.departments]
        t["schedule"] += [{"measure_code": m.code, "position": s.position,
                           "from_fiscal_year": s.first_fiscal_year,
                           "to_fiscal_year": s.last_fiscal_year, "text": s.text}
                          for s in m.schedule]
        progress = sorted(m.progress, key=lambda x: (x.fiscal_year, x.department.sort_order))
        t["progress"] += [{"measure_code": m.code, "fiscal_year": x.fiscal_year,
                           "department_code": x.department.code, "status": x.status,
                           "record": x.record, "issues": x.issues,
                           "next_policy": x.next_policy, "updated_at": x.updated_at,
                           "updated_by": x.updated_by} for x in progress]


# --------------------------------------------------------------------------- export


def export_plan(session: Session, path: Path) -> Path:
    """Write the plan in `session` to `path` (.xlsx), replacing it atomically."""
    tables = plan_tables(session)
    workbook = Workbook(write_only=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append([_text_cell(sheet, h) for h in _headers(columns)])
        for row in tables[name]:
            sheet.append(_cells(sheet, columns, row))
    return save_workbook(workbook, Path(path))


def _headers(columns: tuple[Col, ...]) -> list[str]:
    headers: list[str] = []
    for col in columns:
        headers.append(col.name)
        if col.kind == "figure":
            headers.append(f"{col.name}_number")
    return headers


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    # Forced to a string: text starting with "=" must never become a formula (FACTS.md).
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _cells(sheet: Any, columns: tuple[Col, ...], row: dict[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for col in columns:
        value = row.get(col.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        cells.append(_text_cell(sheet, value) if isinstance(value, str) else value)
        if col.kind == "figure":
            parsed = parse_value(value, allow_words=True) if value else None
            cells.append(parsed.value if isinstance(parsed, Number) else None)
    return cells


def save_workbook(workbook: Workbook, path: Path) -> Path:
    """Save next to `path` and move into place; a clear message if Excel holds the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.saving{path.suffix}")
    try:
        workbook.save(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except PermissionError as exc:
        temporary.unlink(missing_ok=True)
        raise ExcelWriteError(
            f"{path} に書き込めません。Excelなどで開いている場合は閉じてから、もう一度実行してください。",
            f"Cannot write {path}. If it is open in Excel, close it and try again.",
        ) from exc
    return path


# --------------------------------------------------------------------------- import


@dataclass
class Problems:
    items: list[str]

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def read_plan_workbook(path: Path) -> dict[str, list[dict[str, Any]]]:
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
        tables = {}
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
    missing = [c.name for c in columns if c.name not in positions]
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


KIND_HELP = {
    "key": "空欄にできないコード", "opt_key": "コードまたは空欄", "text": "文字列",
    "req_text": "空欄にできない文字列", "int": "整数", "opt_int": "整数または空欄",
    "bool": "TRUE か FALSE", "fy": "年度", "figure": "数値や目標の文字列", "date": "日付（2022-04-01）",
    "datetime": "日時（2022-04-01T09:00:00）",
}
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


def import_plan(source: Path, target: Path, *, force: bool = False) -> Path:
    """Build a new database at `target` from a plan workbook (.xlsx) or plan file (.json)."""
    source, target = Path(source), Path(target)
    if target.exists() and not force:
        raise DatabaseError(target, "すでに存在します。置き換える場合は --force を付けてください。",
                            "already exists; add --force to replace it.")
    if source.suffix.lower() == ".json":
        data = read_plan_file(source)
        return write_new_database(target, lambda session: _record_import(
            session, load_plan(session, data).code, source))
    tables = read_plan_workbook(source)
    return write_new_database(target, lambda session: _record_import(
        session, build_plan(session, tables).code, source))


def _record_import(session: Session, code: str, source: Path) -> None:
    session.add(Meta(key="plan_source", value=str(source)))
    record_change(session, source="import", source_detail=source.name, entity="plan",
                  entity_code=code, field="imported_from", old=None, new=source.name,
                  reason="計画の取込")


# --------------------------------------------------------------------------- checks

Report = Any  # Callable[[str, str], None]: (where, message)


class _TableCheck:
    """Cross-sheet checks: unique keys, references, figures, fiscal years, revision chains."""

    def __init__(self, tables: Tables, add: Report) -> None:
        self.t, self.add = tables, add

    def unique(self, sheet: str, columns: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
        seen: dict[tuple, dict[str, Any]] = {}
        for row in self.t[sheet]:
            key = tuple(row[c] for c in columns)
            if key in seen:
                self.add(row[f"_at_{columns[-1]}"],
                         f"{'/'.join(map(str, key))} が {seen[key]['_row']}行目と重複しています")
            else:
                seen[key] = row
        return seen

    def ref(self, row: dict[str, Any], column: str, known: Any, what: str) -> bool:
        value = row[column]
        if value is not None and value not in known:
            self.add(row[f"_at_{column}"], f"{what}「{value}」がありません")
            return False
        return True

    def choice(self, row: dict[str, Any], column: str, choices: tuple[str, ...]) -> None:
        if row[column] is not None and row[column] not in choices:
            self.add(row[f"_at_{column}"], f"{' / '.join(choices)} のいずれかを入力してください")

    def figure(self, row: dict[str, Any], column: str, unit: str, words: bool) -> str | None:
        try:
            value = parse_value(row[column], unit=unit, allow_words=words)
        except ValueParseError as exc:
            self.add(row[f"_at_{column}"], str(exc))
            return None
        return None if value is None else format_value(value)

    def year(self, row: dict[str, Any], column: str, years: range) -> None:
        if row[column] is not None and row[column] not in years:
            self.add(row[f"_at_{column}"], f"{row[column]} は計画期間（{years.start}〜"
                                           f"{years.stop - 1}年度）の外です")


def check_tables(t: Tables, add: Report) -> None:
    c = _TableCheck(t, add)
    if len(t["plan"]) != 1:
        add("plan!A2", "plan シートには計画を1行だけ書いてください")
        return
    plan = t["plan"][0]
    if plan["first_fiscal_year"] - plan["baseline_fiscal_year"] not in range(0, 11) or \
            plan["last_fiscal_year"] - plan["first_fiscal_year"] > 30:
        add(plan["_at_first_fiscal_year"], "基準年度・開始年度・終了年度の組み合わせが不自然です")
        return
    if plan["first_fiscal_year"] > plan["last_fiscal_year"]:
        add(plan["_at_last_fiscal_year"], "終了年度が開始年度より前です")
        return
    years = range(plan["first_fiscal_year"], plan["last_fiscal_year"] + 1)
    for sheet in ("plan_notes", "editions", "visions"):
        for row in t[sheet]:
            c.ref(row, "plan_code", {plan["code"]}, "計画コード")
    c.unique("plan_notes", ("number",))
    c.unique("editions", ("number",))
    depts = c.unique("departments", ("code",))
    names = c.unique("departments", ("name",))
    if ALL_DEPARTMENTS in {n for (n,) in names}:
        add(names[(ALL_DEPARTMENTS,)]["_at_name"], f"「{ALL_DEPARTMENTS}」は部局名に使えません")
    dept_codes = {k for (k,) in depts}
    for row in t["department_names"]:
        c.ref(row, "department_code", dept_codes, "部局コード")
    visions = {k for (k,) in c.unique("visions", ("number",))}
    projects = c.unique("projects", ("code",))
    for row in t["projects"]:
        c.ref(row, "vision_number", visions, "ビジョン")
        c.ref(row, "lead_department_code", dept_codes, "部局コード")
    for row in t["future_picture"]:
        c.ref(row, "project_code", {k for (k,) in projects}, "プロジェクト")
    c.unique("future_picture", ("project_code", "number"))
    kpis = _check_kpis(c, t, {k for (k,) in projects}, dept_codes, years)
    _check_measures(c, t, {k for (k,) in projects}, set(kpis), dept_codes, years)


def _check_kpis(c: _TableCheck, t: Tables, projects: set, depts: set,
                years: range) -> dict[str, str]:
    units: dict[str, str] = {}
    for (code,), row in c.unique("kpis", ("code",)).items():
        c.ref(row, "project_code", projects, "プロジェクト")
        c.choice(row, "direction", DIRECTIONS)
        c.choice(row, "aggregation", AGGREGATIONS)
        c.figure(row, "baseline", row["unit"], words=False)
        units[code] = row["unit"]
    for sheet in ("kpi_departments", "targets", "revisions", "actuals"):
        for row in t[sheet]:
            c.ref(row, "kpi_code", units, "指標コード")
            if "department_code" in row:
                c.ref(row, "department_code", depts, "部局コード")
            if sheet != "kpi_departments":
                c.year(row, "fiscal_year", years)
    c.unique("kpi_departments", ("kpi_code", "department_code"))
    targets = {key: c.figure(row, "value", units.get(row["kpi_code"], ""), words=True)
               for key, row in c.unique("targets", ("kpi_code", "fiscal_year")).items()}
    for row in c.unique("actuals", ("kpi_code", "fiscal_year", "department_code")).values():
        c.figure(row, "value", units.get(row["kpi_code"], ""), words=False)
    chains: dict[tuple, str | None] = {}
    revisions = c.unique("revisions", ("kpi_code", "sequence"))
    for row in sorted(revisions.values(), key=lambda r: (r["kpi_code"], r["sequence"])):
        unit = units.get(row["kpi_code"], "")
        old, new = (c.figure(row, col, unit, words=True) for col in ("old_value", "new_value"))
        key = (row["kpi_code"], row["fiscal_year"])
        if key in chains and chains[key] != old:
            c.add(row["_at_old_value"], "同じ年度の直前の修正の new_value と一致しません")
        chains[key] = new
    for key, new in chains.items():
        if key[0] in units and targets.get(key) != new:
            c.add(f"revisions ({key[0]} {key[1]})",
                  "最後の修正の new_value が targets の値と一致しません")
    return units


def _check_measures(c: _TableCheck, t: Tables, projects: set, kpis: set, depts: set,
                    years: range) -> None:
    measures = {k for (k,) in c.unique("measures", ("code",))}
    for row in t["measures"]:
        c.ref(row, "project_code", projects, "プロジェクト")
        if row["code"] in kpis or row["code"] in projects:
            c.add(row["_at_code"], f"コード「{row['code']}」はほかの行で使われています")
    for sheet in ("measure_items", "measure_departments", "schedule", "progress"):
        for row in t[sheet]:
            c.ref(row, "measure_code", measures, "施策コード")
            if "department_code" in row:
                c.ref(row, "department_code", depts, "部局コード")
    c.unique("measure_items", ("measure_code", "number"))
    c.unique("measure_departments", ("measure_code", "department_code"))
    c.unique("schedule", ("measure_code", "position"))
    for row in t["schedule"]:
        c.year(row, "from_fiscal_year", years)
        c.year(row, "to_fiscal_year", years)
        if None not in (row["from_fiscal_year"], row["to_fiscal_year"]) and \
                row["from_fiscal_year"] > row["to_fiscal_year"]:
            c.add(row["_at_to_fiscal_year"], "終了年度が開始年度より前です")
    for row in c.unique("progress", ("measure_code", "fiscal_year", "department_code")).values():
        c.year(row, "fiscal_year", years)
        c.choice(row, "status", STATUSES)


# --------------------------------------------------------------------------- building


def _canonical(text: str | None, unit: str, words: bool = True) -> str | None:
    value = parse_value(text, unit=unit, allow_words=words)
    return None if value is None else format_value(value)


def build_plan(session: Session, t: Tables) -> Plan:
    """Write checked tables into an empty database (inside the caller's transaction)."""
    meta = t["plan"][0]
    plan = Plan(**{c.name: meta[c.name] for c in SHEETS["plan"]},
                notes="\n".join(r["text"] for r in sorted(t["plan_notes"],
                                                          key=lambda r: r["number"])))
    session.add(plan)
    depts = {}
    for row in t["departments"]:
        depts[row["code"]] = Department(code=row["code"], name=row["name"],
                                        sort_order=row["sort_order"], retired=row["retired"])
        session.add(depts[row["code"]])
    for row in t["department_names"]:
        session.add(DepartmentName(department=depts[row["department_code"]], name=row["name"],
                                   valid_from=row["valid_from"], valid_to=row["valid_to"]))
    session.flush()
    for row in t["editions"]:
        session.add(PlanEdition(plan_id=plan.id, number=row["number"], label=row["label"],
                                published=row["published"], published_on=row["published_on"],
                                published_by=row["published_by"]))
    visions = {}
    for row in sorted(t["visions"], key=lambda r: r["number"]):
        visions[row["number"]] = Vision(number=row["number"], title=row["title"])
        plan.visions.append(visions[row["number"]])
    projects = {}
    for row in t["projects"]:
        projects[row["code"]] = Project(code=row["code"], number=row["number"],
                                        title=row["title"],
                                        lead_department=depts[row["lead_department_code"]])
        visions[row["vision_number"]].projects.append(projects[row["code"]])
    for row in t["future_picture"]:
        projects[row["project_code"]].future_picture.append(FuturePictureItem(
            number=row["number"], text=row["text"], is_new=row["is_new"]))
    _build_kpis(t, projects, depts)
    _build_measures(t, projects, depts)
    session.flush()
    return plan


def _by(rows: list[dict[str, Any]], column: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


def _build_kpis(t: Tables, projects: dict[str, Project], depts: dict[str, Department]) -> None:
    links, targets = _by(t["kpi_departments"], "kpi_code"), _by(t["targets"], "kpi_code")
    revisions, actuals = _by(t["revisions"], "kpi_code"), _by(t["actuals"], "kpi_code")
    for row in t["kpis"]:
        unit = row["unit"]
        kpi = Kpi(**{c.name: row[c.name] for c in SHEETS["kpis"]
                     if c.name not in ("project_code", "baseline")},
                  baseline=_canonical(row["baseline"], unit, words=False),
                  reporting_departments=sorted(
                      (depts[r["department_code"]] for r in links.get(row["code"], [])),
                      key=lambda d: d.sort_order))
        projects[row["project_code"]].kpis.append(kpi)
        for r in sorted(targets.get(row["code"], []), key=lambda r: r["fiscal_year"]):
            kpi.targets.append(KpiTarget(fiscal_year=r["fiscal_year"], note=r["note"],
                                         value=_canonical(r["value"], unit)))
        for r in sorted(revisions.get(row["code"], []), key=lambda r: r["sequence"]):
            kpi.revisions.append(TargetRevision(
                fiscal_year=r["fiscal_year"], old_value=_canonical(r["old_value"], unit),
                new_value=_canonical(r["new_value"], unit), revised_on=r["revised_on"],
                reason=r["reason"], edition=r["edition"]))
        for r in actuals.get(row["code"], []):
            kpi.actuals.append(KpiActual(
                fiscal_year=r["fiscal_year"], department=depts.get(r["department_code"]),
                value=_canonical(r["value"], unit, words=False), note=r["note"],
                updated_at=r["updated_at"], updated_by=r["updated_by"]))


def _build_measures(t: Tables, projects: dict[str, Project],
                    depts: dict[str, Department]) -> None:
    items, links = _by(t["measure_items"], "measure_code"), _by(t["measure_departments"],
                                                                 "measure_code")
    schedule, progress = _by(t["schedule"], "measure_code"), _by(t["progress"], "measure_code")
    for row in t["measures"]:
        texts = [r["text"] for r in sorted(items.get(row["code"], []), key=lambda r: r["number"])]
        measure = Measure(**{c.name: row[c.name] for c in SHEETS["measures"]
                             if c.name != "project_code"},
                          items=json.dumps(texts, ensure_ascii=False),
                          departments=sorted(
                              (depts[r["department_code"]] for r in links.get(row["code"], [])),
                              key=lambda d: d.sort_order))
        projects[row["project_code"]].measures.append(measure)
        for r in sorted(schedule.get(row["code"], []), key=lambda r: r["position"]):
            measure.schedule.append(ScheduleItem(
                position=r["position"], first_fiscal_year=r["from_fiscal_year"],
                last_fiscal_year=r["to_fiscal_year"], text=r["text"]))
        for r in progress.get(row["code"], []):
            measure.progress.append(MeasureProgress(
                fiscal_year=r["fiscal_year"], department=depts[r["department_code"]],
                status=r["status"], record=r["record"], issues=r["issues"],
                next_policy=r["next_policy"], updated_at=r["updated_at"],
                updated_by=r["updated_by"]))
