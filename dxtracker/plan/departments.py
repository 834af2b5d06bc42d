"""Departments are reorganised every April: add, rename, merge and retire, keeping history.

A department keeps its row (and id) for life, so a renamed department's earlier returns, actuals
and progress still belong to it; its names over time are kept in `DepartmentName`
(valid_from ≤ day < valid_to). A merge moves the retired department's rows to the surviving one
in one transaction; where both have a row for the same item and year, the two are combined
(contributions to a summed KPI are added; otherwise the surviving department's figures win and
blanks are filled from the retired one's), and everything replaced is in the audit log.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError, NotFound
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Number
from dxtracker.plan.admin_preview import department_uses
from dxtracker.store.audit import current_user, record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_department
from dxtracker.store.models import (
    ALL_DEPARTMENTS,
    Department,
    DepartmentMerge,
    DepartmentName,
    Kpi,
    KpiActual,
    Measure,
    MeasureProgress,
    Project,
)

PROGRESS_TEXT_FIELDS = ("record", "issues", "next_policy")


class DepartmentRejected(DxTrackerError):
    """A department change that is not allowed."""


@dataclass(frozen=True)
class NamePeriod:
    name: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class DepartmentInfo:
    code: str
    name: str
    sort_order: int
    retired: bool
    names: tuple[NamePeriod, ...]  # oldest first; empty when never renamed
    merged_into: str | None


@dataclass(frozen=True)
class MergeResult:
    retired: str
    surviving: str
    rows_moved: int
    rows_combined: int


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not name:
        raise DepartmentRejected("部局名を入力してください。", "Enter a department name.")
    if name == ALL_DEPARTMENTS:
        raise DepartmentRejected(f"「{ALL_DEPARTMENTS}」は部局名に使えません。",
                                 f"'{ALL_DEPARTMENTS}' cannot be a department name.")
    return name


def _check_name_free(session: Session, name: str) -> None:
    if session.scalar(select(Department.id).where(Department.name == name)) is not None:
        raise DepartmentRejected(f"部局「{name}」はすでにあります。",
                                 f"Department '{name}' already exists.")


def _record(session: Session, source: str, dept: Department, field: str, old: object,
            new: object, reason: str = "") -> None:
    record_change(session, source=source, entity="department", entity_code=dept.code,
                  field=field, old=old, new=new, department=dept.name, reason=reason)


def name_history(session: Session, dept: Department) -> list[NamePeriod]:
    rows = session.scalars(select(DepartmentName).where(DepartmentName.department_id == dept.id)
                           .order_by(DepartmentName.id)).all()
    return [NamePeriod(r.name, r.valid_from, r.valid_to) for r in rows]


def name_on(session: Session, dept: Department, day: date) -> str:
    """The name the department had on `day` (its current name when no history says else)."""
    for period in name_history(session, dept):
        if (period.valid_from is None or period.valid_from <= day) and \
                (period.valid_to is None or day < period.valid_to):
            return period.name
    return dept.name


def department_for_name(session: Session, name: str) -> Department:
    """A department by its current name or code, or by a name it had before a rename."""
    try:
        return find_department(session, name)
    except NotFound:
        text = unicodedata.normalize("NFKC", name).strip()
        row = session.scalar(select(DepartmentName).where(DepartmentName.name == text)
                             .order_by(DepartmentName.id.desc()))
        if row is None:
            raise
        return row.department


def list_departments(session: Session, *, include_retired: bool = True) -> list[DepartmentInfo]:
    query = select(Department).order_by(Department.sort_order)
    if not include_retired:
        query = query.where(Department.retired.is_(False))
    merges = {m.retired_department_id: m.surviving_department.name
              for m in session.scalars(select(DepartmentMerge))}
    return [DepartmentInfo(d.code, d.name, d.sort_order, d.retired,
                           tuple(name_history(session, d)), merges.get(d.id))
            for d in session.scalars(query)]


def add_department(db: Database, name: str, *, code: str | None = None,
                   on: date | None = None, source: str = "cli") -> str:
    name = _clean(name)
    with db.transaction() as session:
        _check_name_free(session, name)
        code = (code or _next_code(session)).strip().upper()
        if session.scalar(select(Department.id).where(Department.code == code)) is not None:
            raise DepartmentRejected(f"部局コード「{code}」はすでに使われています。",
                                     f"Department code '{code}' is already in use.")
        order = (session.scalar(select(func.max(Department.sort_order))) or 0) + 1
        dept = Department(code=code, name=name, sort_order=order, retired=False)
        session.add(dept)
        session.flush()
        session.add(DepartmentName(department=dept, name=name, valid_from=on or date.today()))
        _record(session, source, dept, "name", None, name, "部局の追加")
        return code


def _next_code(session: Session) -> str:
    codes = session.scalars(select(Department.code)).all()
    numbers = [int(c[1:]) for c in codes if c.startswith("D") and c[1:].isdigit()]
    return f"D{max(numbers, default=0) + 1:02d}"


def _close_name(session: Session, dept: Department, day: date) -> None:
    """End the open name period (creating the first one if the department never had any)."""
    open_rows = session.scalars(select(DepartmentName).where(
        DepartmentName.department_id == dept.id, DepartmentName.valid_to.is_(None))).all()
    if not open_rows:
        session.add(DepartmentName(department=dept, name=dept.name, valid_from=None,
                                   valid_to=day))
    for row in open_rows:
        row.valid_to = day


def rename_department(db: Database, department: str, new_name: str, *,
                      on: date | None = None, reason: str = "", source: str = "cli") -> None:
    """Rename from `on` (default today); the department keeps its code and all its rows."""
    new_name = _clean(new_name)
    day = on or date.today()
    with db.transaction() as session:
        dept = find_department(session, department)
        if dept.name == new_name:
            return
        _check_name_free(session, new_name)
        old = dept.name
        _close_name(session, dept, day)
        session.add(DepartmentName(department=dept, name=new_name, valid_from=day))
        dept.name = new_name
        _record(session, source, dept, "name", old, new_name, reason or "部局名の変更")


def _uses(session: Session, dept: Department) -> tuple[list[str], list[str]]:
    """What the department is still in charge of, in Japanese and in English."""
    uses = department_uses(session, dept)
    return ([f"プロジェクト {c} の主管部局" for c in uses.projects]
            + [f"指標 {c} の報告部局" for c in uses.kpis]
            + [f"施策 {c} の担当部局" for c in uses.measures],
            [f"lead of project {c}" for c in uses.projects]
            + [f"reports KPI {c}" for c in uses.kpis]
            + [f"responsible for measure {c}" for c in uses.measures])


def retire_department(db: Database, department: str, *, on: date | None = None,
                      reason: str = "", source: str = "cli") -> None:
    """Retire a department that no longer leads, reports or is responsible for anything.
    Its earlier rows stay with it; use `merge_departments` to hand them to a successor."""
    with db.transaction() as session:
        dept = find_department(session, department)
        if dept.retired:
            return
        uses, uses_en = _uses(session, dept)
        if uses:
            raise DepartmentRejected(
                f"{dept.name}はまだ担当があるため廃止できません（{'、'.join(uses[:5])}"
                f"{' ほか' if len(uses) > 5 else ''}）。後継の部局へ統合するか、担当を付け替えてください。",
                f"{dept.name} is still in use ({', '.join(uses_en[:5])}"
                f"{' and more' if len(uses) > 5 else ''}); merge it into its successor or "
                "reassign first.",
            )
        _close_name(session, dept, on or date.today())
        dept.retired = True
        _record(session, source, dept, "retired", False, True, reason or "部局の廃止")


def merge_departments(db: Database, retired: str, surviving: str, *, on: date | None = None,
                      reason: str = "", source: str = "cli") -> MergeResult:
    """Merge `retired` into `surviving`: leadership, reporting and responsibility links,
    actuals and progress move over; `retired` is retired. One transaction."""
    day = on or date.today()
    with db.transaction() as session:
        old, new = find_department(session, retired), find_department(session, surviving)
        if old.id == new.id or new.retired:
            raise DepartmentRejected(
                "統合先には統合元と異なる、廃止されていない部局を指定してください。",
                "Merge into a different department that is not retired.")
        note = reason or f"{old.name}を{new.name}に統合"
        _move_links(session, old, new, source, note)
        moved, combined = _move_actuals(session, old, new, source, note)
        moved2, combined2 = _move_progress(session, old, new, source, note)
        _close_name(session, old, day)
        old.retired = True
        session.add(DepartmentMerge(
            retired_department=old, surviving_department=new, merged_on=day,
            merged_by=current_user(), rows_moved=moved + moved2,
            rows_combined=combined + combined2))
        _record(session, source, old, "merged_into", None, new.name, note)
        return MergeResult(old.name, new.name, moved + moved2, combined + combined2)


def _move_links(session: Session, old: Department, new: Department, source: str,
                note: str) -> None:
    for project in session.scalars(select(Project).where(Project.lead_department_id == old.id)):
        project.lead_department = new
        record_change(session, source=source, entity="project", entity_code=project.code,
                      field="lead_department", old=old.name, new=new.name, reason=note)
    for row, field in [(k, "reporting_departments") for k in session.scalars(select(Kpi))] + \
            [(m, "departments") for m in session.scalars(select(Measure))]:
        depts = getattr(row, field)
        if old not in depts:
            continue
        depts.remove(old)
        if new not in depts:
            depts.append(new)
        depts.sort(key=lambda d: d.sort_order)
        record_change(session, source=source, entity="kpi" if isinstance(row, Kpi) else "measure",
                      entity_code=row.code, field=field, old=old.name, new=new.name, reason=note)


def _move_actuals(session: Session, old: Department, new: Department, source: str,
                  note: str) -> tuple[int, int]:
    moved = combined = 0
    for row in session.scalars(select(KpiActual).where(KpiActual.department_id == old.id)).all():
        code = f"{row.kpi.code}/{row.fiscal_year}"
        kept = session.scalar(select(KpiActual).where(
            KpiActual.kpi_id == row.kpi_id, KpiActual.fiscal_year == row.fiscal_year,
            KpiActual.department_id == new.id))
        if kept is None:
            _move_row(session, row, "kpi_actual", code, old, new, source, note)
            moved += 1
            continue
        before = (kept.value, kept.note)
        kept.value = _combined_value(row.kpi, kept.value, row.value)
        kept.note = "\n".join(n for n in (kept.note, row.note) if n)
        for field, was, now in (("actual", before[0], kept.value), ("note", before[1], kept.note)):
            record_change(session, source=source, entity="kpi_actual",
                          entity_code=f"{code}/{new.code}", field=field, old=was, new=now,
                          department=new.name, reason=f"{note}（統合元の値: {row.value}）")
        session.delete(row)
        combined += 1
    session.flush()
    return moved, combined


def _move_row(session: Session, row: KpiActual | MeasureProgress, entity: str, code: str,
              old: Department, new: Department, source: str, note: str) -> None:
    """Give `old`'s row of an item and year (`code`), which `new` has none of, to `new`."""
    row.department = new
    record_change(session, source=source, entity=entity, entity_code=f"{code}/{old.code}",
                  field="department", old=old.name, new=new.name, department=new.name,
                  reason=note)


def _combined_value(kpi: Kpi, kept: str | None, other: str | None) -> str | None:
    if kept is None or other is None:
        return kept if other is None else other
    a = parse_value(kept, unit=kpi.unit, allow_words=True)
    b = parse_value(other, unit=kpi.unit, allow_words=True)
    if kpi.aggregation == "sum" and isinstance(a, Number) and isinstance(b, Number):
        total = Number(a.value + b.value, a.approximate or b.approximate)
        return format_value(total)
    return kept  # one figure per KPI: the surviving department's stands


def _move_progress(session: Session, old: Department, new: Department, source: str,
                   note: str) -> tuple[int, int]:
    moved = combined = 0
    rows = session.scalars(select(MeasureProgress)
                           .where(MeasureProgress.department_id == old.id)).all()
    for row in rows:
        code = f"{row.measure.code}/{row.fiscal_year}"
        kept = session.scalar(select(MeasureProgress).where(
            MeasureProgress.measure_id == row.measure_id,
            MeasureProgress.fiscal_year == row.fiscal_year,
            MeasureProgress.department_id == new.id))
        if kept is None:
            _move_row(session, row, "measure_progress", code, old, new, source, note)
            moved += 1
            continue
        updates = {"status": kept.status or row.status}
        for field in PROGRESS_TEXT_FIELDS:
            texts = [t for t in (getattr(kept, field), getattr(row, field)) if t]
            updates[field] = "\n".join(dict.fromkeys(texts))
        for field, value in updates.items():
            record_change(session, source=source, entity="measure_progress",
                          entity_code=f"{code}/{new.code}", field=field,
                          old=getattr(kept, field), new=value, department=new.name, reason=note)
            setattr(kept, field, value)
        session.delete(row)
        combined += 1
    session.flush()
    return moved, combined
