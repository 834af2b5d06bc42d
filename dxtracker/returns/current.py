"""What headquarters holds ("ours" in the three-way merge) for one department and year: now,
and when a return was exported (the merge base).

Loaded in bulk (one query per table) rather than row by row: a merge of forty returns would
otherwise spend its time in thousands of small queries.

A KPI's figure is the department's own row only, as the return is exported
(`collect.department_rows`): a figure recorded in the plan document without a breakdown is not
the department's, and a contribution to a KPI fed by several departments ("sum") is its own part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, bindparam, func, select, union
from sqlalchemy.orm import Session, aliased

from dxtracker.store.models import (
    AuditEntry,
    Department,
    DepartmentMerge,
    DepartmentName,
    Kpi,
    KpiActual,
    Measure,
    MeasureProgress,
)


@dataclass(frozen=True)
class KpiState:
    """A KPI's actual for one department and year as headquarters holds it."""

    value: str | None
    note: str
    row_id: int | None = None  # the department's own row, if it has one
    kpi_id: int | None = None
    unit: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def row_exists(self) -> bool:
        return self.row_id is not None


@dataclass(frozen=True)
class ProgressState:
    status: str | None
    record: str
    issues: str
    next_policy: str
    row_id: int | None = None
    measure_id: int | None = None
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def row_exists(self) -> bool:
        return self.row_id is not None

    def field(self, name: str) -> str | None:
        return getattr(self, name)


EMPTY_KPI = KpiState(None, "")
EMPTY_PROGRESS = ProgressState(None, "", "", "")


@dataclass(frozen=True)
class DepartmentState:
    """A department's rows of one year that a return touches, as loaded for its diff (the
    writer reuses them in the same transaction instead of loading them again)."""

    kpis: dict[str, KpiState]
    progress: dict[str, ProgressState]


# The queries below are built once, with bound parameters: building a statement (and its
# cache key, and one bound value per code of an IN list) cost more than running it. They are
# run on the session's connection: plain rows, no ORM work to do on them.
_actual = KpiActual.__table__.c
_KPI_STATES = (
    select(Kpi.code, Kpi.id, Kpi.unit, _actual.id, _actual.value, _actual.note,
           _actual.updated_at, _actual.updated_by)
    .outerjoin(KpiActual.__table__, (_actual.kpi_id == Kpi.id)
               & (_actual.fiscal_year == bindparam("fiscal_year"))
               & (_actual.department_id == bindparam("department_id")))
    .where(Kpi.code.in_(bindparam("codes", expanding=True)))
)
_progress = MeasureProgress.__table__.c
_PROGRESS_STATES = (
    select(Measure.code, Measure.id, _progress.id, _progress.status, _progress.record,
           _progress.issues, _progress.next_policy, _progress.updated_at, _progress.updated_by)
    .outerjoin(MeasureProgress.__table__, (_progress.measure_id == Measure.id)
               & (_progress.fiscal_year == bindparam("fiscal_year"))
               & (_progress.department_id == bindparam("department_id")))
    .where(Measure.code.in_(bindparam("codes", expanding=True)))
)


def kpi_states(
    session: Session, department_id: int, fiscal_year: int, kpi_codes: Iterable[str]
) -> dict[str, KpiState]:
    """KPI code → state, for the codes that exist (one query, plain columns)."""
    rows = _state_rows(session, _KPI_STATES, department_id, fiscal_year, kpi_codes)
    return {
        code: KpiState(value, note or "", row_id, kpi_id, unit or "", updated_at,
                       updated_by or "")
        for code, kpi_id, unit, row_id, value, note, updated_at, updated_by in rows
    }


def progress_states(
    session: Session, department_id: int, fiscal_year: int, measure_codes: Iterable[str]
) -> dict[str, ProgressState]:
    """Measure code → state, for the codes that exist (one query, plain columns)."""
    rows = _state_rows(session, _PROGRESS_STATES, department_id, fiscal_year, measure_codes)
    return {
        code: ProgressState(status, record or "", issues or "", next_policy or "", row_id,
                            measure_id, updated_at, updated_by or "")
        for code, measure_id, row_id, status, record, issues, next_policy, updated_at,
        updated_by in rows
    }


def _state_rows(session: Session, query: Executable, department_id: int, fiscal_year: int,
                codes: Iterable[str]) -> Iterable[Sequence[Any]]:
    wanted = sorted(set(codes))
    if not wanted:
        return ()
    return session.connection().execute(query, {
        "fiscal_year": fiscal_year, "department_id": department_id, "codes": wanted})


FieldKey = tuple[str, str, str]  # (entity, item code, field), as in the audit log


@dataclass(frozen=True)
class LoggedChange:
    at: datetime
    old: str | None
    new: str | None


# Escape character of the LIKE below (as SQLAlchemy's `endswith(..., autoescape=True)` uses).
_ESCAPE = "/"
_LOGGED_COLUMNS = (AuditEntry.entity, AuditEntry.entity_code, AuditEntry.field, AuditEntry.at,
                   AuditEntry.old_value, AuditEntry.new_value)
_LOGGED_TERMS = (
    # The code first: SQLite tests the terms in this order, and the department's suffix is
    # what rules out most entries.
    AuditEntry.entity_code.like(bindparam("pattern"), escape=_ESCAPE),
    AuditEntry.entity.in_(("kpi_actual", "measure_progress")),
    AuditEntry.at >= bindparam("start"),
)
# The whole log, scanned: only for a code that names no department.
_LOGGED_SCAN = select(*_LOGGED_COLUMNS).where(*_LOGGED_TERMS).order_by(AuditEntry.id)
# Through the index on (department, at): every entry about a department's rows carries one
# of these names in `department` (`audit.record_change` callers, the return writer, undo):
# the name it had then (renames keep the history in department_name), or the surviving
# department's for the rows a department merge moved away. The suffix still decides.
_Survivor = aliased(Department)  # the one a merged department's rows moved to
# Case-insensitive (ASCII), as the LIKE on the suffix is.
_CODE_MATCHES = func.lower(Department.code) == func.lower(bindparam("code"))
_NAMES = union(
    select(Department.name).where(_CODE_MATCHES),
    select(DepartmentName.name).join(Department, DepartmentName.department_id == Department.id)
    .where(_CODE_MATCHES),
    select(_Survivor.name)
    .join(DepartmentMerge, DepartmentMerge.surviving_department_id == _Survivor.id)
    .join(Department, DepartmentMerge.retired_department_id == Department.id)
    .where(_CODE_MATCHES),
    select(DepartmentName.name)
    .join(DepartmentMerge,
          DepartmentMerge.surviving_department_id == DepartmentName.department_id)
    .join(Department, DepartmentMerge.retired_department_id == Department.id)
    .where(_CODE_MATCHES),
)
_LOGGED_BY_NAME = (
    select(*_LOGGED_COLUMNS)
    .where(AuditEntry.department.in_(bindparam("names", expanding=True)), *_LOGGED_TERMS)
    .order_by(AuditEntry.id)
)


def changes_since(session: Session, department_code: str, fiscal_year: int,
                  since: datetime) -> dict[FieldKey, list[LoggedChange]]:
    """The audit log's changes to this department's fields of the year from the second of
    `since` on, oldest first (the log stamps whole seconds: the caller decides about changes
    in that same second)."""
    suffix = f"/{fiscal_year}/{department_code}"
    connection = session.connection()
    parameters = {"pattern": "%" + _like_literal(suffix), "start": since.replace(microsecond=0)}
    names = sorted(connection.execute(_NAMES, {"code": department_code}).scalars())
    if names:
        entries = connection.execute(_LOGGED_BY_NAME, {**parameters, "names": names})
    else:
        entries = connection.execute(_LOGGED_SCAN, parameters)
    found: dict[FieldKey, list[LoggedChange]] = {}
    for entity, entity_code, field, at, old, new in entries:
        key = (entity, entity_code.removesuffix(suffix), field)
        found.setdefault(key, []).append(LoggedChange(at, old, new))
    return found


def _like_literal(text: str) -> str:
    """`text` matched literally by LIKE … ESCAPE _ESCAPE."""
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return text
