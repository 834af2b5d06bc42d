"""Writing one previewed return into the caller's transaction, in bulk.

The rules are those of `progress.set_actual_in` / `set_progress_in` — the department must report
the KPI or be responsible for the measure, the year must lie in the plan, a figure is parsed
with the KPI's unit and stored as canonical text, a status must be one of STATUSES, a changed
row gets new `updated_at`/`updated_by` stamps, and every changed field gets an audit entry
(source "return", the file name as detail) — but applied with a handful of statements per file
instead of several queries per field: calling those functions row by row made merging forty
returns take half a minute (benchmarks/bench_merge.py). The rows go to the database as tuples
through `bulk` (one executemany per table, no ORM unit of work, no dict per row).
tests/core/test_merge_writer.py checks that both paths leave the same rows and audit entries.

Each changed field is also kept with its old value in `MergeChange` for `undo_last_merge`. For a
row the merge creates, every field it fills is kept, so that undo can tell whether anyone has
touched the row since.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from dxtracker.figures.entry import EntryRejected, check_fiscal_year
from dxtracker.figures.format import format_value, is_canonical_number
from dxtracker.figures.parse import parse_value
from dxtracker.returns.bulk import insert_rows, update_rows
from dxtracker.returns.collect import department_by_code, reported_items
from dxtracker.returns.current import KpiState, ProgressState, kpi_states, progress_states
from dxtracker.returns.merge import FieldChange, MergePreview
from dxtracker.returns.model import ParsedReturn, ProposedRevision
from dxtracker.returns.review import note_merged_in
from dxtracker.store.audit import current_user, now
from dxtracker.store.models import (
    STATUSES,
    AuditEntry,
    Department,
    Kpi,
    KpiActual,
    MeasureProgress,
    MergeChange,
    ReturnImport,
    RevisionProposal,
)

SOURCE = "return"
KPI_COLUMNS = {"actual": "value", "note": "note"}  # field (as in the audit log) → column
PROGRESS_COLUMNS = {"status": "status", "record": "record", "issues": "issues",
                    "next_policy": "next_policy"}


def write_merge(session: Session, run_id: int, parsed: ParsedReturn,
                preview: MergePreview, *, forced: bool) -> int:
    """Record the import (in merge run `run_id`) and apply the preview's changes; returns the
    import's id."""
    assert parsed.meta is not None
    department = department_by_code(session, parsed.meta.department_code)
    if department is None:  # the preview found it in this transaction: a guard only
        raise EntryRejected(f"部局コード「{parsed.meta.department_code}」はこの計画にありません。",
                            f"Department code '{parsed.meta.department_code}' is not in "
                            "this plan.")
    record = _Import(run_id, _record_import(session, run_id, parsed, preview, department, forced),
                     parsed.meta.fiscal_year)
    if preview.changes:
        check_fiscal_year(session, record.fiscal_year)
        batch = _Batch(session, record, department, parsed.file_name)
        batch.kpis(preview.changes, preview.state.kpis if preview.state else None)
        batch.progress(preview.changes, preview.state.progress if preview.state else None)
        batch.write()
    _store_proposals(session, record.id, department, preview.proposals)
    note_merged_in(session, run_id, record.id, department, record.fiscal_year,
                   parsed.file_name, changed=bool(preview.changes))
    return record.id


@dataclass(frozen=True)
class _Import:
    run_id: int
    id: int
    fiscal_year: int


_INSERT_IMPORT = ReturnImport.__table__.insert()


def _record_import(session: Session, run_id: int, parsed: ParsedReturn,
                   preview: MergePreview, department: Department, forced: bool) -> int:
    """The import history's row for this file (one Core statement: no ORM flush); its id."""
    assert parsed.meta is not None
    chosen = sum(1 for c in preview.changes if c.resolution == "theirs")
    result = session.connection().execute(_INSERT_IMPORT, {
        "run_id": run_id, "file_name": parsed.file_name, "sha256": parsed.sha256,
        "content_sha256": preview.content_sha256, "department_id": department.id,
        "fiscal_year": parsed.meta.fiscal_year, "exported_at": parsed.meta.exported_at,
        "imported_at": now(), "imported_by": current_user(),
        "changes_count": len(preview.changes), "conflicts_count": len(preview.conflicts),
        "resolved_count": chosen + len(preview.resolved), "warnings_count": len(preview.warnings),
        "proposals_count": len(preview.proposals),
        "forced": forced and preview.stale_against is not None, "state": "merged"})
    key = result.inserted_primary_key
    assert key is not None  # None only for a statement that inserts no single row
    return int(key[0])


def _by_item(changes: Iterable[FieldChange], entity: str) -> dict[str, dict[str, FieldChange]]:
    rows: dict[str, dict[str, FieldChange]] = defaultdict(dict)
    for change in changes:
        if change.entity == entity:
            rows[change.item_code][change.field] = change
    return rows


@dataclass(frozen=True, eq=False)  # two of them, compared (and hashed) by identity
class _Entity:
    """A table the merge writes: its name in the audit log, and field (as in the log) → column."""

    name: str
    table: Table
    item_column: str
    columns: dict[str, str]


_KPI = _Entity("kpi_actual", KpiActual.__table__, "kpi_id", KPI_COLUMNS)
_PROGRESS = _Entity("measure_progress", MeasureProgress.__table__, "measure_id",
                    PROGRESS_COLUMNS)
# The columns of the rows the batch collects, in their order (the order the statements take).
STAMP_COLUMNS = ("updated_at", "updated_by")
AUDIT_COLUMNS = ("at", "user", "department", "source", "source_detail", "entity", "entity_code",
                 "field", "old_value", "new_value", "reason")
KEPT_COLUMNS = ("run_id", "import_id", "entity", "item_code", "fiscal_year", "department_id",
                "field", "old_value", "new_value", "resolution", "row_created",
                "old_updated_at", "old_updated_by")


class _Batch:
    """The rows, audit entries and kept changes of one file, written with executemany.

    Rows are collected as plain lists of values (see the *_COLUMNS above; `bulk` converts
    them in place): a merge of forty returns makes some 30,000 of them, and a dict per row was
    a good part of its time."""

    def __init__(self, session: Session, record: _Import, department: Department,
                 file_name: str) -> None:
        self.session, self.department = session, department
        self.year = record.fiscal_year
        # Plain values: an ORM attribute read costs a call, and _row reads them for every row.
        self.department_id, self.code_suffix = department.id, f"/{self.year}/{department.code}"
        self.at, self.user = now(), current_user()
        self.allowed = reported_items(session, department)
        self.inserts: dict[_Entity, list[list[Any]]] = defaultdict(list)
        self.updates: dict[_Entity, list[list[Any]]] = defaultdict(list)
        self.audit: list[list[Any]] = []
        self.kept: list[list[Any]] = []
        # What every audit entry and kept change of this file begins with.
        self.audit_head = (self.at, self.user, department.name, SOURCE, file_name)
        self.kept_head = (record.run_id, record.id)

    # -- KPI actuals

    def kpis(self, changes: Iterable[FieldChange],
             states: dict[str, KpiState] | None) -> None:
        rows = _by_item(changes, "kpi_actual")
        if states is None:
            states = kpi_states(self.session, self.department.id, self.year, rows)
        for code, fields in rows.items():
            if code not in self.allowed.kpi_units:
                raise EntryRejected(
                    f"{self.department.name}は指標 {code} の実績を報告する部局ではありません。",
                    f"{self.department.name} does not report KPI {code}.")
            state = states[code]
            old = (state.value, state.note)
            new = (_figure(fields["actual"].new, state.unit) if "actual" in fields
                   else state.value,
                   (fields["note"].new or "") if "note" in fields else state.note)
            self._row(_KPI, code, state, state.kpi_id, old, new, fields)

    # -- measure progress

    def progress(self, changes: Iterable[FieldChange],
                 states: dict[str, ProgressState] | None) -> None:
        rows = _by_item(changes, "measure_progress")
        if states is None:
            states = progress_states(self.session, self.department.id, self.year, rows)
        for code, fields in rows.items():
            if code not in self.allowed.measure_codes:
                raise EntryRejected(
                    f"{self.department.name}は施策 {code} の担当部局ではありません。",
                    f"{self.department.name} is not responsible for measure {code}.")
            state = states[code]
            old = (state.status, state.record, state.issues, state.next_policy)
            new = tuple(_progress_value(name, fields[name].new) if name in fields else before
                        for name, before in zip(PROGRESS_COLUMNS, old, strict=True))
            self._row(_PROGRESS, code, state, state.measure_id, old, new, fields)

    # -- shared

    def _row(self, entity: _Entity, code: str, state: KpiState | ProgressState,
             item_id: int | None, old: tuple[Any, ...], new: tuple[Any, ...],
             fields: dict[str, FieldChange]) -> None:
        if new == old:
            return
        created = not state.row_exists
        if created:
            self.inserts[entity].append(
                [item_id, self.year, self.department_id, *new, self.at, self.user])
        else:
            self.updates[entity].append([*new, self.at, self.user, state.row_id])
        # The same entry `audit.record_change` adds, and the old value and stamps for undo.
        entity_code = code + self.code_suffix
        kept_head = (*self.kept_head, entity.name, code, self.year, self.department_id)
        kept_tail = (created, None, "") if created else \
            (created, state.updated_at, state.updated_by)
        for field, before, after in zip(entity.columns, old, new, strict=True):
            if before != after:
                self.audit.append([*self.audit_head, entity.name, entity_code, field, before,
                                   after, ""])
                chosen = fields[field].resolution if field in fields else "change"
                self.kept.append([*kept_head, field, before, after, chosen, *kept_tail])

    def write(self) -> None:
        connection = self.session.connection()
        for entity, rows in self.updates.items():
            update_rows(connection, entity.table, (*entity.columns.values(), *STAMP_COLUMNS),
                        rows)
        for entity, rows in self.inserts.items():
            insert_rows(connection, entity.table,
                        (entity.item_column, "fiscal_year", "department_id",
                         *entity.columns.values(), *STAMP_COLUMNS), rows)
        insert_rows(connection, AuditEntry.__table__, AUDIT_COLUMNS, self.audit)
        insert_rows(connection, MergeChange.__table__, KEPT_COLUMNS, self.kept)


def _progress_value(field: str, text: str | None) -> str | None:
    return _status(text) if field == "status" else (text or "")


def _figure(text: str | None, unit: str) -> str | None:
    """As `set_actual_in` stores a figure: parsed with the KPI's unit, canonical text.

    The reader has already turned the figure into canonical text, so the usual figure is
    recognised as such without parsing it again (parsing was a tenth of a merge's time)."""
    if text is not None and is_canonical_number(text, unit):
        return text
    return _parsed_figure(text, unit)


@functools.lru_cache(maxsize=4096)
def _parsed_figure(text: str | None, unit: str) -> str | None:
    # Cached: a pure function of its arguments (a refused text raises again every time).
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


def _store_proposals(session: Session, import_id: int, department: Department,
                     proposals: Iterable[ProposedRevision]) -> None:
    """Keep each proposed target revision as pending, once (merging again adds no copy)."""
    proposals = list(proposals)
    if not proposals:
        return
    kpis = {k.code: k for k in session.scalars(
        select(Kpi).where(Kpi.code.in_({p.kpi_code for p in proposals})))}
    pending = {tuple(row) for row in session.execute(
        select(RevisionProposal.kpi_id, RevisionProposal.fiscal_year, RevisionProposal.value,
               RevisionProposal.reason)
        .where(RevisionProposal.department_id == department.id,
               RevisionProposal.status == "pending"))}
    for proposal in proposals:
        kpi = kpis[proposal.kpi_code]
        key = (kpi.id, proposal.fiscal_year, proposal.value, proposal.reason)
        if key not in pending:
            pending.add(key)
            session.add(RevisionProposal(
                import_id=import_id, kpi=kpi, fiscal_year=proposal.fiscal_year,
                department=department, value=proposal.value, reason=proposal.reason,
                status="pending", proposed_at=now()))

