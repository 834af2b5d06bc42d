"""What headquarters holds ("ours" in the three-way merge) for one department and year: now,
and when a return was exported (the merge base).

Loaded in bulk (one query per table) rather than row by row: a merge of forty returns would
otherwise spend its time in thousands of small queries.

A KPI's figure is the department's own row only, as the return is exported
(`collect.department_rows`): a figure recorded in the plan document without a breakdown is not
the department's, and a contribution to a KPI fed by several departments ("sum") is its own part.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.models import AuditEntry, Kpi, KpiActual, Measure, MeasureProgress


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


def kpi_states(
    session: Session, department_id: int, fiscal_year: int, kpi_codes: Iterable[str]
) -> dict[str, KpiState]:
    """KPI code → state, for the codes that exist (one query, plain columns)."""
    codes = set(kpi_codes)
    if not codes:
        return {}
    actual = KpiActual.__table__.c
    query = (
        select(Kpi.code, Kpi.id, Kpi.unit, actual.id, actual.value, actual.note,
               actual.updated_at, actual.updated_by)
        .outerjoin(KpiActual.__table__, (actual.kpi_id == Kpi.id)
                   & (actual.fiscal_year == fiscal_year)
                   & (actual.department_id == department_id))
        .where(Kpi.code.in_(codes))
    )
    return {
        code: KpiState(value, note or "", row_id, kpi_id, unit or "", updated_at,
                       updated_by or "")
        for code, kpi_id, unit, row_id, value, note, updated_at, updated_by
        in session.execute(query)
    }


def progress_states(
    session: Session, department_id: int, fiscal_year: int, measure_codes: Iterable[str]
) -> dict[str, ProgressState]:
    """Measure code → state, for the codes that exist (one query, plain columns)."""
    codes = set(measure_codes)
    if not codes:
        return {}
    progress = MeasureProgress.__table__.c
    query = (
        select(Measure.code, Measure.id, progress.id, progress.status, progress.record,
               progress.issues, progress.next_policy, progress.updated_at, progress.updated_by)
        .outerjoin(MeasureProgress.__table__, (progress.measure_id == Measure.id)
                   & (progress.fiscal_year == fiscal_year)
                   & (progress.department_id == department_id))
        .where(Measure.code.in_(codes))
    )
    return {
        code: ProgressState(status, record or "", issues or "", next_policy or "", row_id,
                            measure_id, updated_at, updated_by or "")
        for code, measure_id, row_id, status, record, issues, next_policy, updated_at,
        updated_by in session.execute(query)
    }


FieldKey = tuple[str, str, str]  # (entity, item code, field), as in the audit log


@dataclass(frozen=True)
class LoggedChange:
    at: datetime
    old: str | None
    new: str | None


def changes_since(session: Session, department_code: str, fiscal_year: int,
                  since: datetime) -> dict[FieldKey, list[LoggedChange]]:
    """The audit log's changes to this department's fields of the year from the second of
    `since` on, oldest first (the log stamps whole seconds: the caller decides about changes
    in that same second)."""
    start = since.replace(microsecond=0)
    suffix = f"/{fiscal_year}/{department_code}"
    entries = session.execute(
        select(AuditEntry.entity, AuditEntry.entity_code, AuditEntry.field, AuditEntry.at,
               AuditEntry.old_value, AuditEntry.new_value)
        .where(AuditEntry.entity.in_(("kpi_actual", "measure_progress")),
               AuditEntry.at >= start,
               AuditEntry.entity_code.endswith(suffix, autoescape=True))
        .order_by(AuditEntry.id))
    found: dict[FieldKey, list[LoggedChange]] = {}
    for entity, entity_code, field, at, old, new in entries:
        key = (entity, entity_code.removesuffix(suffix), field)
        found.setdefault(key, []).append(LoggedChange(at, old, new))
    return found
