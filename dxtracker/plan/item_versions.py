"""Optimistic locking of the plan editor's forms: the versions of the rows a form shows for one
item (`dxtracker.store.row_versions`), read when the form loads and checked when it saves.

A vision's form shows the vision; a project's form the project and its vision (it edits the
vision's title); a KPI's form the KPI and its targets; a measure's form the measure. What hangs
off an item without a version of its own (3-year picture, schedule, departments) counts as a
change of the item (`row_versions.touch`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.plan.item_state import find_item, item_code, item_label
from dxtracker.store.models import Kpi, KpiTarget, Project, Vision
from dxtracker.store.row_versions import RowChanged, Versions, versions_of, who_changed

# The audit log's entities of what an item's form edits (the 'who and when' of a refusal).
ITEM_ENTITIES = ("vision", "project", "kpi", "target", "revision", "measure", "schedule",
                 "future_picture")


def item_versions(session: Session, kind: str, code: str | int) -> Versions:
    """What the form of the item loads: hand it back to `check_item_versions` with the save."""
    return versions_of(*_rows(session, find_item(session, kind, code), lock=False))


def check_item_versions(session: Session, kind: str, code: str | int,
                        expected: Versions | None) -> None:
    """Refuse (`RowChanged`) when the item's rows are no longer at the `expected` versions;
    call first in the save's transaction. The rows stay locked until it commits."""
    if expected is None:
        return
    row = find_item(session, kind, code)
    if versions_of(*_rows(session, row, lock=True)) != expected:
        code_text = item_code(kind, row)
        who, when, field = who_changed(session, None, ITEM_ENTITIES, code_text)
        current = _current(session, row, field)
        raise RowChanged((item_label(kind, row), item_label(kind, row)), who, when, current)


def _rows(session: Session, row: Any, *, lock: bool) -> list[Any]:
    """The item's versioned rows as committed now (locked FOR UPDATE when `lock`)."""
    def fresh(query: Any) -> list[Any]:
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(session.scalars(query))

    model = type(row)
    rows = fresh(select(model).where(model.id == row.id))
    if isinstance(row, Project):  # its vision too: the form edits the vision's title
        rows += fresh(select(Vision).where(Vision.id == row.vision_id))
    if isinstance(row, Kpi):
        rows += fresh(select(KpiTarget).where(KpiTarget.kpi_id == row.id)
                      .order_by(KpiTarget.fiscal_year))
    return rows


def _current(session: Session, row: Any, field: str | None) -> str:
    """What the changed field says now (the form shows the rest)."""
    if field and hasattr(row, field):
        return f"{field}: {getattr(row, field)}"
    return f"{field}（画面に表示しました）" if field else "画面に表示しました"
