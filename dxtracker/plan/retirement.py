"""Retiring (廃止) a vision, project, KPI or measure, and reinstating it.

A retired item stays in the database with everything entered for it: the history, the audit
log and the reports of the fiscal years in which it has data keep it
(`dxtracker.plan.snapshot.shown_for_year`). New returns, the checks on returns, the entry forms
and the next plan period leave it out. Retiring a project retires its KPIs and measures with
it, retiring a vision its projects; reinstating them (the undo) brings back exactly those.
Each call is one transaction with an audit entry per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.plan.item_state import (
    KIND_NAMES,
    Item,
    ItemChanged,
    find_item,
    item_code,
    item_label,
)
from dxtracker.plan.revisions import edition_for_changes
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.models import Kpi, Measure, Project, Vision

ItemKey = tuple[str, str]  # (kind, code): ("kpi", "P03-K1"), ("vision", "V2")


class RetireRejected(DxTrackerError):
    """A retirement or reinstatement that cannot be made."""


def retire_item(db: Database, kind: str, code: str | int, *, on: date | None = None,
                reason: str = "", source: str = "cli", source_detail: str = "") -> list[ItemKey]:
    """Retire the item (and what is below it) from `on` (default today); returns every item
    retired, the item first."""
    with db.read() as session:
        row = find_item(session, kind, code)
        if row.retired:
            raise RetireRejected(f"{item_label(kind, row)} は{row.retired_on}に廃止済みです。",
                                 f"{item_label(kind, row)} was retired on {row.retired_on}.")
        # What below it was retired earlier on its own stays so when it comes back.
        items = [(kind, item_code(kind, row))] + [
            (k, item_code(k, child)) for k, child in items_below(row) if not child.retired]
    retire_items(db, items, on=on, reason=reason or f"{KIND_NAMES[kind][0]}の廃止",
                 source=source, source_detail=source_detail)
    return items


def retire_items(db: Database, items: Sequence[ItemKey], *, on: date | None = None,
                 reason: str = "", source: str = "form", source_detail: str = "") -> None:
    """Retire exactly these items (the redo of a retirement, the undo of a reinstatement)."""
    day = on or date.today()
    with db.transaction() as session:
        edition = edition_for_changes(session)
        for kind, code in items:
            row = find_item(session, kind, code)
            if row.retired:
                raise ItemChanged(f"{item_label(kind, row)} はすでに廃止されています。",
                                  f"{item_label(kind, row)} is already retired.")
            row.retired_on, row.retired_in_edition = day, edition
            _record(session, source, source_detail, kind, row, None, day.isoformat(),
                    reason.strip() or "廃止")


def reinstate_items(db: Database, items: Sequence[ItemKey], *, source: str = "form",
                    source_detail: str = "", reason: str = "") -> None:
    """Make exactly these retired items current again (the undo of a retirement)."""
    with db.transaction() as session:
        rows = [(kind, find_item(session, kind, code)) for kind, code in items]
        for kind, row in rows:
            if not row.retired:
                raise ItemChanged(
                    f"{item_label(kind, row)} はすでに廃止されていません（ほかで変更されました）。",
                    f"{item_label(kind, row)} is no longer retired (changed elsewhere).")
            old = row.retired_on.isoformat() if row.retired_on else None
            row.retired_on, row.retired_in_edition = None, None
            _record(session, source, source_detail, kind, row, old, None,
                    reason.strip() or "廃止の取り消し")
        for kind, row in rows:
            _check_parent_current(kind, row)


def reinstate_item(db: Database, kind: str, code: str | int, *,
                   source: str = "cli", reason: str = "") -> list[ItemKey]:
    """Reinstate the item and what below it was retired the same day; returns them."""
    with db.read() as session:
        row = find_item(session, kind, code)
        if not row.retired:
            raise RetireRejected(f"{item_label(kind, row)} は廃止されていません。",
                                 f"{item_label(kind, row)} is not retired.")
        items = [(kind, item_code(kind, row))] + [
            (k, item_code(k, child)) for k, child in items_below(row)
            if child.retired_on == row.retired_on]
    reinstate_items(db, items, source=source, reason=reason)
    return items


def items_below(row: Item) -> list[tuple[str, Item]]:
    """The projects of a vision and the KPIs and measures of a project, parents first."""
    if isinstance(row, Vision):
        return [pair for p in row.projects for pair in [("project", p), *items_below(p)]]
    if isinstance(row, Project):
        return [("kpi", k) for k in row.kpis] + [("measure", m) for m in row.measures]
    return []


def _check_parent_current(kind: str, row: Item) -> None:
    parent: Item | None = row.project if isinstance(row, Kpi | Measure) else \
        row.vision if isinstance(row, Project) else None
    if parent is not None and parent.retired:
        parent_kind = "project" if isinstance(parent, Project) else "vision"
        raise RetireRejected(
            f"{item_label(kind, row)} の属する{item_label(parent_kind, parent)}が廃止されています。"
            "先にそちらを元に戻してください。",
            f"{item_label(parent_kind, parent)}, which {item_code(kind, row)} belongs to, is "
            "retired: reinstate it first.")


def _record(session: Session, source: str, detail: str, kind: str, row: Item,
            old: str | None, new: str | None, reason: str) -> None:
    record_change(session, source=source, source_detail=detail, entity=kind,
                  entity_code=item_code(kind, row), field="retired_on", old=old, new=new,
                  reason=reason)
