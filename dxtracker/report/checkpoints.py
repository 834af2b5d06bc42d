"""The last return of each department: what "since the last accepted return" compares with.

A checkpoint is a moment in the audit log: the state of the database right after audit entry
number `audit_id`. A department's figures as they stood then are its figures now with every
later change of the log taken back (`values_at`), so no copy of the figures is kept anywhere.

Which moment: the department's last accepted return for the year — the audit entry of the
review's move to 承認 (`dxtracker.returns.review`: entity "return_review", code "D04/2022",
field "state", new value "accepted"). A department whose return has not been accepted yet
falls back to its last merged return (the import history; the checkpoint is the last audit
entry that merge wrote) and is labelled so; one with no merged return has no checkpoint, and
everything it holds counts as new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxtracker.returns.review import ENTITY as REVIEW_ENTITY
from dxtracker.returns.review import entity_code as review_code
from dxtracker.store.models import AuditEntry, Department, ReturnImport

# The review's move to 承認, as dxtracker/returns/review.py records it.
REVIEW_FIELD, ACCEPTED = "state", "accepted"
# The department's own figures, as the audit log names them ("P03-K2/2022/D04", field).
FIGURE_ENTITIES = ("kpi_actual", "measure_progress")


@dataclass(frozen=True)
class Checkpoint:
    """What a department's "previous" figures are: `basis` "accepted" (the return accepted at
    `at` by `by`), "merged" (the return `file_name` merged then, not yet accepted) or "none"."""

    department_code: str
    department: str
    basis: str
    audit_id: int = 0
    at: datetime | None = None
    by: str = ""
    file_name: str = ""


def last_return_checkpoints(session: Session, fiscal_year: int,
                            departments: Iterable[Department]) -> dict[str, Checkpoint]:
    """Department code → its checkpoint for the year."""
    return {d.code: _checkpoint(session, d, fiscal_year) for d in departments}


def _checkpoint(session: Session, department: Department, fiscal_year: int) -> Checkpoint:
    accepted = session.execute(
        select(AuditEntry.id, AuditEntry.at, AuditEntry.user)
        .where(AuditEntry.entity == REVIEW_ENTITY,
               AuditEntry.entity_code == review_code(department, fiscal_year),
               AuditEntry.field == REVIEW_FIELD, AuditEntry.new_value == ACCEPTED)
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if accepted is not None:
        return Checkpoint(department.code, department.name, "accepted", accepted.id,
                          accepted.at, accepted.user)
    merged = session.scalars(
        select(ReturnImport)
        .where(ReturnImport.department_id == department.id,
               ReturnImport.fiscal_year == fiscal_year, ReturnImport.state == "merged")
        .order_by(ReturnImport.id.desc()).limit(1)).first()
    if merged is None:
        return Checkpoint(department.code, department.name, "none")
    return Checkpoint(department.code, department.name, "merged",
                      _merge_audit_id(session, merged, department.code),
                      merged.imported_at, merged.imported_by, merged.file_name)


def _merge_audit_id(session: Session, merged: ReturnImport, code: str) -> int:
    """The last audit entry the merge of `merged` wrote (its figures and its review move);
    for a merge that changed nothing, the last entry of the log at the time it was made."""
    suffix = f"/{merged.fiscal_year}/{code}"
    written = session.scalar(
        select(func.max(AuditEntry.id))
        .where(AuditEntry.source == "return", AuditEntry.source_detail == merged.file_name,
               or_(AuditEntry.entity_code.endswith(suffix, autoescape=True),
                   AuditEntry.entity_code == f"{code}/{merged.fiscal_year}")))
    if written is not None:
        return int(written)
    before = session.scalar(select(func.max(AuditEntry.id))
                            .where(AuditEntry.at <= merged.imported_at))
    return int(before or 0)


FieldKey = tuple[str, str, str]  # (entity, item code, field)


def values_at(session: Session, fiscal_year: int, department_code: str, audit_id: int
              ) -> dict[FieldKey, str | None]:
    """The department's figures of the year that changed after audit entry `audit_id`, as
    they were then: (entity, item code, field) → the old value of the first later change.
    A field not in the result has not changed since."""
    suffix = f"/{fiscal_year}/{department_code}"
    rows = session.execute(
        select(AuditEntry.entity, AuditEntry.entity_code, AuditEntry.field,
               AuditEntry.old_value)
        .where(AuditEntry.id > audit_id, AuditEntry.entity.in_(FIGURE_ENTITIES),
               AuditEntry.entity_code.endswith(suffix, autoescape=True))
        .order_by(AuditEntry.id))
    found: dict[FieldKey, str | None] = {}
    for entity, entity_code, field, old in rows:
        found.setdefault((entity, entity_code.removesuffix(suffix), field), old)
    return found
