"""Undoing the last merge run: every field it changed goes back, in one transaction.

Undo refuses, changing nothing, when a field the merge set has been changed again since (by a
person, or by a later merge that was not undone): putting the old value back would silently
throw that later work away. Rows the merge created are removed again, and the stamps of rows it
changed are put back, so the plan reads exactly as before the merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxtracker.errors import DxTrackerError
from dxtracker.figures.locks import lock_of
from dxtracker.returns.review import ENTITY as REVIEW
from dxtracker.returns.review import undo_review_changes_in
from dxtracker.store.audit import current_user, now, record_change
from dxtracker.store.db import Database
from dxtracker.store.models import (
    Kpi,
    KpiActual,
    Measure,
    MeasureProgress,
    MergeChange,
    MergeRun,
    RevisionProposal,
)

SOURCE = "undo"
# The stored column behind each field name used in MergeChange (and in the audit log).
COLUMNS = {"kpi_actual": {"actual": "value", "note": "note"},
           "measure_progress": {"status": "status", "record": "record", "issues": "issues",
                                "next_policy": "next_policy"}}
SHOWN_LIMIT = 10

Row = KpiActual | MeasureProgress


class UndoRefused(DxTrackerError):
    """The last merge cannot be undone (nothing to undo, or changed again since)."""


@dataclass(frozen=True)
class UndoResult:
    run_id: int
    started_at: datetime
    files: tuple[str, ...]
    restored: int  # fields put back


def undo_last_merge(db: Database) -> UndoResult:
    with db.transaction(exclusive=True) as session:  # never beside a merge (see apply.py)
        run = _last_run(session)
        # The figures it changed, and the review states it moved (review.note_merged_in).
        changes = [c for c in run.changes if c.entity in COLUMNS]
        rows = _rows_of(session, changes)
        _check_unchanged(run, changes, rows)
        _check_unlocked(session, changes)
        _check_proposals(session, run)
        detail = f"統合の取消 #{run.id}: " + "、".join(i.file_name for i in run.imports)
        undo_review_changes_in(session, [c for c in run.changes if c.entity == REVIEW], detail)
        for change in reversed(changes):
            _restore(session, change, rows[_key(change)], detail)
        _remove_created_rows(session, changes, rows)
        for record in run.imports:
            record.state = "undone"
        run.undone_at, run.undone_by = now(), current_user()
        return UndoResult(run.id, run.started_at, tuple(i.file_name for i in run.imports),
                          len(run.changes))


def _last_run(session: Session) -> MergeRun:
    run = session.scalar(
        select(MergeRun).where(MergeRun.undone_at.is_(None)).order_by(MergeRun.id.desc())
        .limit(1).options(selectinload(MergeRun.changes).selectinload(MergeChange.department),
                          selectinload(MergeRun.imports)))
    if run is None:
        raise UndoRefused("取り消せる統合はありません。", "There is no merge to undo.")
    return run


def _key(change: MergeChange) -> tuple[str, str, int, int]:
    return (change.entity, change.item_code, change.fiscal_year, change.department_id)


def _rows_of(session: Session, changes: list[MergeChange]) -> dict[tuple, Row | None]:
    rows: dict[tuple, Row | None] = {}
    for change in changes:
        key = _key(change)
        if key not in rows:
            rows[key] = _find_row(session, *key)
    return rows


def _find_row(session: Session, entity: str, code: str, fiscal_year: int,
              department_id: int) -> Row | None:
    if entity == "kpi_actual":
        return session.scalar(select(KpiActual).join(Kpi).where(
            Kpi.code == code, KpiActual.fiscal_year == fiscal_year,
            KpiActual.department_id == department_id))
    return session.scalar(select(MeasureProgress).join(Measure).where(
        Measure.code == code, MeasureProgress.fiscal_year == fiscal_year,
        MeasureProgress.department_id == department_id))


def _current(row: Row | None, change: MergeChange) -> str | None:
    if row is None:
        return None
    return getattr(row, COLUMNS[change.entity][change.field]) or None


def _check_unchanged(run: MergeRun, changes: list[MergeChange],
                     rows: dict[tuple, Row | None]) -> None:
    moved = [c for c in changes if _current(rows[_key(c)], c) != (c.new_value or None)]
    moved += _touched_created_rows(changes, rows)
    if not moved:
        return
    lines = [f"  {c.item_code} {c.fiscal_year} {c.department.name} {c.field}: "
             f"統合で「{c.new_value or ''}」→ 現在「{_current(rows[_key(c)], c) or ''}」"
             for c in moved[:SHOWN_LIMIT]]
    more = f"\n  ほか{len(moved) - SHOWN_LIMIT}件" if len(moved) > SHOWN_LIMIT else ""
    body = "\n".join(lines) + more
    raise UndoRefused(
        f"最後の統合（#{run.id}）で変更した項目のうち{len(moved)}件が、その後さらに変更されています。"
        f"取り消すとその変更が失われるため、取り消しませんでした（何も変更していません）:\n{body}",
        f"{len(moved)} field(s) set by the last merge (#{run.id}) were changed again since; "
        f"undoing would lose that work, so nothing was undone:\n{body}",
    )


def _check_unlocked(session: Session, changes: list[MergeChange]) -> None:
    """Undoing must not change figures headquarters has accepted since the merge."""
    for department_id, fiscal_year in sorted({(c.department_id, c.fiscal_year)
                                               for c in changes}):
        lock = lock_of(session, department_id, fiscal_year)
        if lock is not None:
            ja, en = lock.message("この統合で変更した値", "the figures this merge changed")
            raise UndoRefused(f"最後の統合は取り消せません（何も変更していません）: {ja}",
                              f"The last merge cannot be undone (nothing was changed): {en}")


def _touched_created_rows(changes: list[MergeChange], rows: dict[tuple, Row | None]
                          ) -> list[MergeChange]:
    """Changes of rows the merge created where a field it did not set is no longer blank."""
    touched = []
    for key, row in rows.items():
        created = [c for c in changes if _key(c) == key and c.row_created]
        if not created or row is None:
            continue
        set_fields = {c.field for c in created}
        for field, column in COLUMNS[key[0]].items():
            if field not in set_fields and getattr(row, column):
                touched.append(created[0])
                break
    return touched


def _check_proposals(session: Session, run: MergeRun) -> None:
    decided = session.scalars(select(RevisionProposal).where(
        RevisionProposal.import_id.in_([i.id for i in run.imports]),
        RevisionProposal.status != "pending")).all()
    if decided:
        raise UndoRefused(
            f"最後の統合（#{run.id}）で受け付けた目標値の修正提案のうち{len(decided)}件が、"
            "すでに採否を決定済みのため、取り消しませんでした（何も変更していません）。",
            f"{len(decided)} target revision proposal(s) from the last merge (#{run.id}) were "
            "already accepted or rejected, so nothing was undone.",
        )
    for proposal in session.scalars(select(RevisionProposal).where(
            RevisionProposal.import_id.in_([i.id for i in run.imports]))):
        session.delete(proposal)


def _restore(session: Session, change: MergeChange, row: Row | None, detail: str) -> None:
    if row is None:  # only possible for a change that set a field to blank on a created row
        return
    column = COLUMNS[change.entity][change.field]
    current = getattr(row, column)
    restored = change.old_value if column in ("value", "status") else (change.old_value or "")
    setattr(row, column, restored)
    if not change.row_created:
        row.updated_at, row.updated_by = change.old_updated_at, change.old_updated_by
    record_change(session, source=SOURCE, source_detail=detail, entity=change.entity,
                  entity_code=f"{change.item_code}/{change.fiscal_year}/"
                              f"{change.department.code}",
                  field=change.field, old=current, new=restored,
                  department=change.department.name)


def _remove_created_rows(session: Session, changes: list[MergeChange],
                         rows: dict[tuple, Row | None]) -> None:
    created = {_key(c) for c in changes if c.row_created}
    for key in created:
        row = rows[key]
        if row is not None:
            session.delete(row)

