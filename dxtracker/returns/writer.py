"""Writing one previewed return into the caller's transaction, in bulk.

The rules are those of `progress.set_actual_in` / `set_progress_in` — the department must report
the KPI or be responsible for the measure, the year must lie in the plan, a figure is parsed
with the KPI's unit and stored as canonical text, a status must be one of STATUSES, a changed
row gets new `updated_at`/`updated_by` stamps, and every changed field gets an audit entry
(source "return", the file name as detail) — but applied with a handful of statements per file
instead of several queries per field: calling those functions row by row made merging forty
returns take half a minute (benchmarks/bench_merge.py). tests/core/test_merge_writer.py checks
that both paths leave the same rows and audit entries.

Each changed field is also kept with its old value in `MergeChange` for `undo_last_merge`. For a
row the merge creates, every field it fills is kept, so that undo can tell whether anyone has
touched the row since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dxtracker.audit import current_user, now
from dxtracker.models import (
    STATUSES,
    AuditEntry,
    Department,
    Kpi,
    KpiActual,
    MeasureProgress,
    MergeChange,
    MergeRun,
    ReturnImport,
    RevisionProposal,
)
from dxtracker.progress import EntryRejected, check_fiscal_year
from dxtracker.returns.collect import reported_items
from dxtracker.returns.current import KpiState, ProgressState, kpi_states, progress_states
from dxtracker.returns.merge import FieldChange, MergePreview
from dxtracker.returns.model import ParsedReturn, ProposedRevision
from dxtracker.values import format_value, parse_value

SOURCE = "return"
KPI_COLUMNS = {"actual": "value", "note": "note"}  # field (as in the audit log) → column
PROGRESS_COLUMNS = {"status": "status", "record": "record", "issues": "issues",
                    "next_policy": "next_policy"}


def write_merge(session: Session, merge_run: MergeRun, parsed: ParsedReturn,
                preview: MergePreview, *, forced: bool) -> int:
    """Record the import and apply the preview's changes; returns the import's id."""
    assert parsed.meta is not None
    department = session.scalars(
        select(Department).where(Department.code == parsed.meta.department_code)).one()
    record = _import_record(merge_run, parsed, preview, department, forced)
    session.add(record)
    session.flush()
    if preview.changes:
        check_fiscal_year(session, record.fiscal_year)
        batch = _Batch(session, record, department, parsed.file_name)
        batch.kpis(preview.changes, preview.state.kpis if preview.state else None)
        batch.progress(preview.changes, preview.state.progress if preview.state else None)
        batch.write()
    _store_proposals(session, record, department, preview.proposals)
    return record.id


def _import_record(merge_run: MergeRun, parsed: ParsedReturn, preview: MergePreview,
                   department: Department, forced: bool) -> ReturnImport:
    assert parsed.meta is not None
    chosen = sum(1 for c in preview.changes if c.resolution == "theirs")
    return ReturnImport(
        run=merge_run, file_name=parsed.file_name, sha256=parsed.sha256,
        content_sha256=preview.content_sha256, department=department,
        fiscal_year=parsed.meta.fiscal_year, exported_at=parsed.meta.exported_at,
        imported_at=now(), imported_by=current_user(), changes_count=len(preview.changes),
        conflicts_count=len(preview.conflicts), resolved_count=chosen + len(preview.resolved),
        warnings_count=len(preview.warnings), proposals_count=len(preview.proposals),
        forced=forced and preview.stale_against is not None, state="merged",
    )


def _by_item(changes: Iterable[FieldChange], entity: str) -> dict[str, dict[str, FieldChange]]:
    rows: dict[str, dict[str, FieldChange]] = defaultdict(dict)
    for change in changes:
        if change.entity == entity:
            rows[change.item_code][change.field] = change
    return rows


class _Batch:
    """The rows, audit entries and kept changes of one file, written with executemany."""

    def __init__(self, session: Session, record: ReturnImport, department: Department,
                 file_name: str) -> None:
        self.session, self.record, self.department = session, record, department
        self.file_name = file_name
        self.year = record.fiscal_year
        self.at, self.user = now(), current_user()
        self.allowed = reported_items(session, department)
        self.inserts: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.updates: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.audit: list[dict[str, Any]] = []
        self.kept: list[dict[str, Any]] = []

    # -- KPI actuals

    def kpis(self, changes: Iterable[FieldChange],
             states: dict[str, KpiState] | None) -> None:
        rows = _by_item(changes, "kpi_actual")
        if states is None:
            states = kpi_states(self.session, self.department.id, self.year, rows)
        for code, fields in rows.items():
            state = states[code]
            if code not in self.allowed.kpi_units:
                raise EntryRejected(
                    f"{self.department.name}は指標 {code} の実績を報告する部局ではありません。",
                    f"{self.department.name} does not report KPI {code}.")
            old = {"value": state.value, "note": state.note}
            new = dict(old)
            for name, change in fields.items():
                new[KPI_COLUMNS[name]] = _figure(change.new, state.unit) if name == "actual" \
                    else (change.new or "")
            self._row(KpiActual, "kpi_actual", code, state, old, new, KPI_COLUMNS,
                      {"kpi_id": state.kpi_id}, fields)

    # -- measure progress

    def progress(self, changes: Iterable[FieldChange],
                 states: dict[str, ProgressState] | None) -> None:
        rows = _by_item(changes, "measure_progress")
        if states is None:
            states = progress_states(self.session, self.department.id, self.year, rows)
        for code, fields in rows.items():
            state = states[code]
            if code not in self.allowed.measure_codes:
                raise EntryRejected(
                    f"{self.department.name}は施策 {code} の担当部局ではありません。",
                    f"{self.department.name} is not responsible for measure {code}.")
            old = {column: state.field(column) for column in PROGRESS_COLUMNS.values()}
            new = dict(old)
            for name, change in fields.items():
                new[PROGRESS_COLUMNS[name]] = _status(change.new) if name == "status" \
                    else (change.new or "")
            self._row(MeasureProgress, "measure_progress", code, state, old, new,
                      PROGRESS_COLUMNS, {"measure_id": state.measure_id}, fields)

    # -- shared

    def _row(self, model: type, entity: str, code: str, state: KpiState | ProgressState,
             old: dict[str, Any], new: dict[str, Any], columns: dict[str, str],
             keys: dict[str, Any], fields: dict[str, FieldChange]) -> None:
        if new == old:
            return
        stamps = {"updated_at": self.at, "updated_by": self.user}
        if state.row_exists:
            self.updates[model].append({"id": state.row_id, **new, **stamps})
        else:
            self.inserts[model].append({**keys, "fiscal_year": self.year,
                                        "department_id": self.department.id, **new, **stamps})
        for field, column in columns.items():
            if old[column] != new[column]:
                self._audit(entity, code, field, old[column], new[column])
                chosen = fields[field].resolution if field in fields else "change"
                self._keep(entity, code, field, old[column], new[column], state, chosen)

    def _audit(self, entity: str, code: str, field: str, old: str | None,
               new: str | None) -> None:
        # The same entry `audit.record_change` adds, for many rows at once.
        self.audit.append({
            "at": self.at, "user": self.user, "department": self.department.name,
            "source": SOURCE, "source_detail": self.file_name, "entity": entity,
            "entity_code": f"{code}/{self.year}/{self.department.code}", "field": field,
            "old_value": old, "new_value": new, "reason": ""})

    def _keep(self, entity: str, code: str, field: str, old: str | None, new: str | None,
              state: KpiState | ProgressState, resolution: str) -> None:
        self.kept.append({
            "run_id": self.record.run_id, "import_id": self.record.id, "entity": entity,
            "item_code": code, "fiscal_year": self.year, "department_id": self.department.id,
            "field": field, "old_value": old, "new_value": new, "resolution": resolution,
            "row_created": not state.row_exists,
            "old_updated_at": state.updated_at if state.row_exists else None,
            "old_updated_by": state.updated_by if state.row_exists else ""})

    def write(self) -> None:
        # Core statements on the tables: one executemany each, no ORM bookkeeping per row.
        connection = self.session.connection()
        for model, rows in self.updates.items():
            table = model.__table__
            statement = table.update().where(table.c.id == bindparam("row_id"))
            connection.execute(statement, [_renamed_id(r) for r in rows])
        for model, rows in self.inserts.items():
            connection.execute(model.__table__.insert(), rows)
        if self.audit:
            connection.execute(AuditEntry.__table__.insert(), self.audit)
        if self.kept:
            connection.execute(MergeChange.__table__.insert(), self.kept)


def _renamed_id(row: dict[str, Any]) -> dict[str, Any]:
    """An UPDATE's parameters: the key under a name that is not a column being set."""
    values = dict(row)
    values["row_id"] = values.pop("id")
    return values


def _figure(text: str | None, unit: str) -> str | None:
    """As `set_actual_in` stores a figure: parsed with the KPI's unit, canonical text."""
    value = parse_value(text, unit=unit, allow_words=False)
    return None if value is None else format_value(value)


def _status(text: str | None) -> str | None:
    if not text:
        return None
    if text not in STATUSES:
        raise EntryRejected(
            f"進捗状況「{text}」は選べません。{' / '.join(STATUSES)} のいずれかです。",
            f"Status '{text}' is not one of {' / '.join(STATUSES)}.")
    return text


def _store_proposals(session: Session, record: ReturnImport, department: Department,
                     proposals: Iterable[ProposedRevision]) -> None:
    """Keep each proposed target revision as pending, once (merging again adds no copy)."""
    proposals = list(proposals)
    if not proposals:
        return
    kpis = {k.code: k for k in session.scalars(
        select(Kpi).where(Kpi.code.in_({p.kpi_code for p in proposals})))}
    pending = set(session.execute(
        select(RevisionProposal.kpi_id, RevisionProposal.fiscal_year, RevisionProposal.value,
               RevisionProposal.reason)
        .where(RevisionProposal.department_id == department.id,
               RevisionProposal.status == "pending")).all())
    for proposal in proposals:
        kpi = kpis[proposal.kpi_code]
        key = (kpi.id, proposal.fiscal_year, proposal.value, proposal.reason)
        if key not in pending:
            pending.add(key)
            session.add(RevisionProposal(
                import_id=record.id, kpi=kpi, fiscal_year=proposal.fiscal_year,
                department=department, value=proposal.value, reason=proposal.reason,
                status="pending", proposed_at=now()))

