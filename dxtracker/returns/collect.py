"""What a department reports in its return, read from the database.

`department_rows` gives the rows of the KPI and measures sheets (read-only context and the
current input values); `reported_items` gives just the codes a department may report, for
checking a return; `plan_fingerprint` identifies the plan structure a return depends on.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    Column,
    ColumnElement,
    Row,
    Select,
    bindparam,
    event,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from dxtracker.figures.entry import check_fiscal_year
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.values import Value, Words
from dxtracker.store.lookup import find_department, get_plan
from dxtracker.store.models import (
    ALL_DEPARTMENTS,
    Department,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureProgress,
    Plan,
    Project,
    ScheduleItem,
    TargetRevision,
    kpi_reporting_department,
    measure_department,
)


@dataclass(frozen=True)
class KpiRow:
    kpi_code: str
    project: str
    kpi_name: str
    unit: str
    aggregation: str  # "single": the KPI's figure; "sum": this department's contribution
    scope: str  # the same in words, for the sheet
    baseline: Value | None
    target: Value | None
    target_note: str  # "10,000（8,000からの修正）" and the plan's note on the target
    last_actual: Value | None  # this department's figure last year (or the plan's)
    actual: str | None  # this department's figure this year (canonical text)
    note: str


@dataclass(frozen=True)
class MeasureRow:
    measure_code: str
    project: str
    title: str
    departments: str
    schedule: str  # the 工程 boxes covering the year, one a line
    status: str | None
    record: str
    issues: str
    next_policy: str


@dataclass(frozen=True)
class DepartmentRows:
    plan_code: str
    baseline_fiscal_year: int
    department_code: str
    department_name: str
    fiscal_year: int
    kpis: tuple[KpiRow, ...]
    measures: tuple[MeasureRow, ...]
    proposal_years: tuple[int, ...]  # years whose targets a return may propose to revise


@dataclass(frozen=True)
class ReportedItems:
    """The codes a department reports: KPI code → unit, and measure codes."""

    kpi_units: dict[str, str]
    measure_codes: frozenset[str]


def resolve_department(session: Session, department: str | Department) -> Department:
    return department if isinstance(department, Department) else \
        find_department(session, department)


_DEPARTMENT_BY_CODE = select(Department).where(Department.code == bindparam("code"))


def department_by_code(session: Session, code: str) -> Department | None:
    """The department with this exact code (a return's metadata names it so), looked up once
    per transaction: reading, previewing and writing a return each ask."""
    return session_cached(session, f"dxtracker.returns.department:{code}",
                          lambda s: s.scalar(_DEPARTMENT_BY_CODE, {"code": code}))


def department_rows(session: Session, department: str | Department,
                    fiscal_year: int) -> DepartmentRows:
    """The rows of `department`'s return for `fiscal_year`, filled with what the database holds.

    Raises NotFound for an unknown department and EntryRejected for a year outside the plan.
    Column queries, not ORM objects: an export reads only this department's figures of two
    years, however many departments and years the database holds.
    """
    dept = resolve_department(session, department)
    check_fiscal_year(session, fiscal_year)
    plan = get_plan(session)
    years = tuple(fy for fy in plan.fiscal_years if fy >= fiscal_year)
    return DepartmentRows(plan.code, plan.baseline_fiscal_year, dept.code, dept.name,
                          fiscal_year, _kpi_rows(session, dept, fiscal_year),
                          _measure_rows(session, dept, fiscal_year), years)


# A department as a number or as the statement's bound parameter.
_DepartmentId = int | BindParameter[int]
_AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"  # a row of a column query (SQLAlchemy 2.1 typing)
_R = TypeVar("_R", bound=Sequence[Any])


def _kpi_reported_by(department_id: _DepartmentId, retired: bool) -> ColumnElement[bool]:
    # A retired KPI or measure (廃止, dxtracker.plan.retirement) is in no new return.
    return Kpi.retired_on.is_(None) & _reported_by(
        Kpi.id, Kpi.all_departments_report, kpi_reporting_department.c.kpi_id, department_id,
        retired)


def _measure_reported_by(department_id: _DepartmentId, retired: bool) -> ColumnElement[bool]:
    return Measure.retired_on.is_(None) & _reported_by(
        Measure.id, Measure.all_departments, measure_department.c.measure_id, department_id,
        retired)


def _reported_by(item_id: InstrumentedAttribute[int], every: InstrumentedAttribute[bool],
                 linked_item: Column[Any], department_id: _DepartmentId,
                 retired: bool) -> ColumnElement[bool]:
    """The items a department reports: those linked to it in `linked_item`'s table and,
    unless it is retired, those every department reports."""
    linked = select(linked_item).where(linked_item.table.c.department_id == department_id)
    if retired:
        return item_id.in_(linked)
    return or_(every.is_(True), item_id.in_(linked))


def _grouped(rows: Iterable[_R]) -> dict[int, list[_R]]:
    """Rows whose first column is an item id, grouped by it (in query order)."""
    groups: dict[int, list[_R]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return groups


def _kpi_rows(session: Session, dept: Department, fiscal_year: int) -> tuple[KpiRow, ...]:
    kpis = session.execute(
        select(Kpi.id, Kpi.code, Kpi.name, Kpi.unit, Kpi.aggregation, Kpi.is_new, Kpi.note,
               Kpi.baseline, Project.number, Project.title)
        .join(Project).where(_kpi_reported_by(dept.id, dept.retired))
        .order_by(Project.number, Kpi.position)
    ).all()
    ids = [k.id for k in kpis]
    targets = {row[0]: row for row in session.execute(
        select(KpiTarget.kpi_id, KpiTarget.value, KpiTarget.note)
        .where(KpiTarget.kpi_id.in_(ids), KpiTarget.fiscal_year == fiscal_year))}
    revisions = _grouped(session.execute(
        select(TargetRevision.kpi_id, TargetRevision.old_value)
        .where(TargetRevision.kpi_id.in_(ids), TargetRevision.fiscal_year == fiscal_year)
        .order_by(TargetRevision.id)))
    actuals = _grouped(session.execute(
        select(KpiActual.kpi_id, KpiActual.fiscal_year, KpiActual.department_id,
               KpiActual.value, KpiActual.note, KpiActual.updated_at)
        .where(KpiActual.kpi_id.in_(ids),
               KpiActual.fiscal_year.in_((fiscal_year, fiscal_year - 1)))))
    return tuple(
        _kpi_row(kpi, targets.get(kpi.id), revisions.get(kpi.id, []),
                 actuals.get(kpi.id, []), dept.id, fiscal_year)
        for kpi in kpis)


@functools.lru_cache(maxsize=8192)
def _stored(text: str, unit: str) -> Value | None:
    """A stored figure as a value (values are immutable: cached, as every department's return
    shows the same baselines and targets of the 全部局 KPIs)."""
    try:
        return parse_value(text, unit=unit, allow_words=True)
    except ValueParseError:
        return Words(text)  # stored before a parser change: shown as it is


def _kpi_row(kpi: _AnyRow, target: _AnyRow | None, revisions: list[_AnyRow],
             actuals: list[_AnyRow], dept_id: int, fiscal_year: int) -> KpiRow:
    def parse(text: str | None) -> Value | None:
        return None if text is None else _stored(text, kpi.unit or "")

    own = next((a for a in actuals if a.fiscal_year == fiscal_year and
                a.department_id == dept_id), None)
    contribution = kpi.aggregation == "sum"
    name = f"{kpi.name}【新】" if kpi.is_new else kpi.name
    if kpi.note:
        name = f"{name}\n{kpi.note}"
    target_value = parse(target.value) if target else None
    notes = []
    if revisions:  # "10,000（8,000からの修正）": the first old value is the published one
        notes.append(f"{format_value(target_value, blank='—')}"
                     f"（{format_value(parse(revisions[0].old_value), blank='—')}からの修正）")
    if target and target.note:
        notes.append(target.note)
    last = [a for a in actuals if a.fiscal_year == fiscal_year - 1]
    return KpiRow(
        kpi.code, f"({kpi.number}) {kpi.title}", name, kpi.unit or "", kpi.aggregation,
        "部局分（全部局の合計が指標の値）" if contribution else "指標全体",
        parse(kpi.baseline), target_value, "\n".join(notes),
        parse(_last_actual(last, dept_id, contribution)),
        own.value if own else None, own.note if own else "",
    )


def _last_actual(rows: list[_AnyRow], dept_id: int, contribution: bool) -> str | None:
    """Last year's figure: this department's own; for a single-department KPI otherwise the
    figure on record (as `dxtracker.figures.kpi_figures.actual_of` reads it); for a
    contribution nothing, since the figure on record is every department's total."""
    own = next((a for a in rows if a.department_id == dept_id), None)
    if own is not None:
        return own.value
    if contribution or not rows:
        return None
    by_department = [a for a in rows if a.department_id is not None]
    if by_department:
        return max(by_department, key=lambda a: (a.updated_at is not None,
                                                 a.updated_at or datetime.min)).value
    return rows[0].value


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _measure_rows(session: Session, dept: Department,
                  fiscal_year: int) -> tuple[MeasureRow, ...]:
    measures = session.execute(
        select(Measure.id, Measure.code, Measure.number, Measure.title, Measure.is_new,
               Measure.all_departments, Project.number.label("project_number"), Project.title
               .label("project_title"))
        .join(Project).where(_measure_reported_by(dept.id, dept.retired))
        .order_by(Project.number, Measure.number)
    ).all()
    ids = [m.id for m in measures]
    schedule = _grouped(session.execute(
        select(ScheduleItem.measure_id, ScheduleItem.text)
        .where(ScheduleItem.measure_id.in_(ids), ScheduleItem.first_fiscal_year <= fiscal_year,
               ScheduleItem.last_fiscal_year >= fiscal_year)
        .order_by(ScheduleItem.position)))
    responsible = _grouped(session.execute(
        select(measure_department.c.measure_id, Department.name)
        .join(Department, Department.id == measure_department.c.department_id)
        .where(measure_department.c.measure_id.in_(ids)).order_by(Department.sort_order)))
    progress = {row[0]: row for row in session.execute(
        select(MeasureProgress.measure_id, MeasureProgress.status, MeasureProgress.record,
               MeasureProgress.issues, MeasureProgress.next_policy)
        .where(MeasureProgress.measure_id.in_(ids), MeasureProgress.department_id == dept.id,
               MeasureProgress.fiscal_year == fiscal_year))}
    return tuple(
        _measure_row(m, schedule.get(m.id, []), responsible.get(m.id, []), progress.get(m.id))
        for m in measures)


def _measure_row(measure: _AnyRow, schedule: list[_AnyRow], responsible: list[_AnyRow],
                 progress: _AnyRow | None) -> MeasureRow:
    number = _CIRCLED[measure.number - 1] if 0 < measure.number <= len(_CIRCLED) \
        else f"({measure.number})"
    title = f"{number} {measure.title}" + ("【新規】" if measure.is_new else "")
    departments = ALL_DEPARTMENTS if measure.all_departments else \
        "、".join(name for _, name in responsible)
    return MeasureRow(
        measure.code, f"({measure.project_number}) {measure.project_title}", title, departments,
        "\n".join(text for _, text in schedule),
        progress.status if progress else None, progress.record if progress else "",
        progress.issues if progress else "", progress.next_policy if progress else "",
    )


# --------------------------------------------------------------------------- checking returns


def reported_items(session: Session, department: Department) -> ReportedItems:
    """The KPI and measure codes `department` reports (column reads only: cheap to call for
    every return, twice per merged file)."""
    kpis, measures = _REPORTED[department.retired]
    parameters = {"department_id": department.id}
    connection = session.connection()  # plain rows: no ORM work to do on them
    return ReportedItems(
        {code: unit or "" for code, unit in connection.execute(kpis, parameters)},
        frozenset(connection.execute(measures, parameters).scalars()))


def _reported_queries(retired: bool) -> tuple[Select[str, str], Select[str]]:
    # The department as a bound parameter: the statements are built once (building one cost
    # more than running it).
    department_id: BindParameter[int] = bindparam("department_id")
    return (select(Kpi.code, Kpi.unit).where(_kpi_reported_by(department_id, retired)),
            select(Measure.code).where(_measure_reported_by(department_id, retired)))


_REPORTED = {retired: _reported_queries(retired) for retired in (False, True)}


_FINGERPRINT_KEY = "dxtracker.returns.plan_fingerprint"


def plan_fingerprint(session: Session) -> str:
    """SHA-256 of the plan structure a return depends on: the plan code and period, the active
    departments, every current KPI (code, unit, aggregation, who reports it) and measure (code,
    who is responsible): retiring one makes the returns sent out before stale. Targets, texts
    and entered figures are left out: revising a target does not make the returns already
    sent out stale.

    Kept in the session for the rest of its transaction (exporting or reading 40 returns asks
    40 times); any flush or the end of the transaction forgets it.
    """
    return session_cached(session, _FINGERPRINT_KEY, _compute_fingerprint)


T = TypeVar("T")
_KEPT = "dxtracker.returns.session_cached"


def session_cached(session: Session, key: str, compute: Callable[[Session], T]) -> T:
    """`compute(session)`, kept in the session for the rest of its transaction under `key`.

    What a transaction has read does not change under it (SQLite gives it a consistent view),
    so reading 40 returns in one read session asks the database once. Any flush or the end of
    the transaction forgets everything kept so; keep only what the transaction itself does not
    write (the plan's structure, departments).
    """
    kept = session.info.get(_KEPT)
    if kept is None:
        kept = session.info[_KEPT] = {}
        for name in ("after_flush", "after_transaction_end"):
            event.listen(session, name, _forget)
    if key not in kept:
        kept[key] = compute(session)
    return cast(T, kept[key])


def _forget(session: Session, *_args: object) -> None:
    session.info.get(_KEPT, {}).clear()


def _compute_fingerprint(session: Session) -> str:
    plan = session.execute(
        select(Plan.code, Plan.first_fiscal_year, Plan.last_fiscal_year)
        .order_by(Plan.id).limit(1)).one_or_none()
    departments = dict(session.execute(select(Department.id, Department.code)).all())
    active = sorted(session.scalars(select(Department.code).where(Department.retired.is_(False))))
    kpi_links = _links(session, kpi_reporting_department.c.kpi_id,
                       kpi_reporting_department.c.department_id, departments)
    measure_links = _links(session, measure_department.c.measure_id,
                           measure_department.c.department_id, departments)
    kpis = sorted(
        [code, unit or "", aggregation, ["*"] if every else kpi_links.get(kpi_id, [])]
        for kpi_id, code, unit, aggregation, every in session.execute(
            select(Kpi.id, Kpi.code, Kpi.unit, Kpi.aggregation, Kpi.all_departments_report)
            .where(Kpi.retired_on.is_(None))))
    measures = sorted(
        [code, ["*"] if every else measure_links.get(measure_id, [])]
        for measure_id, code, every in session.execute(
            select(Measure.id, Measure.code, Measure.all_departments)
            .where(Measure.retired_on.is_(None))))
    structure = {
        "plan": list(plan) if plan else None, "departments": active,
        "kpis": kpis, "measures": measures,
    }
    text = json.dumps(structure, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _links(session: Session, item_column: Column[int], department_column: Column[int],
           departments: dict[int, str]) -> dict[int, list[str]]:
    links: dict[int, list[str]] = {}
    for item_id, department_id in session.execute(select(item_column, department_column)):
        links.setdefault(item_id, []).append(departments[department_id])
    return {item_id: sorted(codes) for item_id, codes in links.items()}
