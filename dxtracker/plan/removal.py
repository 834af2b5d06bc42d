"""Deleting a vision, project, KPI or measure that nothing refers to, and putting it back.

`delete_item` refuses an item that something refers to (`dxtracker.plan.references`), naming
what, and says to retire it instead. It returns what was deleted, in full, so that
`undelete_item` (the undo) puts it back exactly: the same code, the same place among its
siblings, the same fields, departments, targets, schedule and 概ね3年後の姿 — `plan show --json`
reads as before. The items after a deleted one move up (no gap in ①②③), and back again on
undelete. Each is one transaction with audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.plan import edit
from dxtracker.plan.item_state import (
    KIND_NAMES,
    Item,
    State,
    find_item,
    item_code,
    item_label,
    restore_in,
    state_of,
)
from dxtracker.plan.references import Reference, references_in
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import Department, Kpi, Measure, Project, Vision


class ItemInUse(DxTrackerError):
    """An item something refers to: it can be retired, not deleted."""

    def __init__(self, label: str, references: list[Reference]) -> None:
        ja = "、".join(r.text("ja") for r in references)
        en = "; ".join(r.text("en") for r in references)
        super().__init__(
            f"{label} は削除できません（{ja}）。履歴と過去の報告書に残す「廃止」にしてください"
            "（dxtracker plan retire）。",
            f"{label} cannot be deleted ({en}). Retire it instead, which keeps it in the "
            "history and in past reports (dxtracker plan retire).")
        self.references = references


@dataclass(frozen=True)
class RemovedItem:
    """A deleted item, in full: enough to put it back where it was."""

    kind: str
    code: str  # "V3" for a vision
    parent: str  # the project's code (KPI, measure), the vision's number (project), "" (vision)
    slot: int  # its position (KPI) or number (measure, project, vision)
    state: State
    label: str


def delete_item(db: Database, kind: str, code: str | int, *, reason: str = "",
                source: str = "cli", source_detail: str = "") -> RemovedItem:
    """Delete an item nothing refers to (else ItemInUse); returns it for `undelete_item`."""
    with db.transaction() as session:
        row = find_item(session, kind, code)
        references = references_in(session, row)
        label = item_label(kind, row)
        if references:
            raise ItemInUse(label, references)
        removed = RemovedItem(kind, item_code(kind, row), _parent(row), _slot(row),
                              state_of(kind, row, session), label)
        record_change(session, source=source, source_detail=source_detail, entity=kind,
                      entity_code=removed.code, field="deleted", old=label, new=None,
                      reason=reason.strip() or f"{KIND_NAMES[kind][0]}の削除")
        _detach(session, row)
        session.flush()
        _shift(session, removed, -1, deleted=row)
        return removed


def undelete_item(db: Database, removed: RemovedItem, *, source: str = "form",
                  source_detail: str = "") -> None:
    """Put a deleted item back exactly as it was (the undo of `delete_item`)."""
    with db.transaction() as session:
        if removed.kind != "vision":
            edit.check_code_free(session, removed.code)
        _shift(session, removed, +1)
        row = _blank_row(session, removed)
        session.flush()
        record_change(session, source=source, source_detail=source_detail,
                      entity=removed.kind, entity_code=removed.code, field="deleted",
                      old=None, new=removed.label, reason="削除の取り消し")
        restore_in(session, removed.kind, row, removed.state, source, source_detail)


def _detach(session: Session, row: Item) -> None:
    """Take the row out of its parent's list; the delete-orphan cascade deletes it (and its
    targets, schedule, picture items and department links) at the flush."""
    if isinstance(row, Kpi):
        row.project.kpis.remove(row)
    elif isinstance(row, Measure):
        row.project.measures.remove(row)
    elif isinstance(row, Project):
        row.vision.projects.remove(row)
    else:  # (the plan's list of visions may not be loaded: delete the row itself)
        session.delete(row)


def _parent(row: Item) -> str:
    if isinstance(row, Kpi | Measure):
        return row.project.code
    return str(row.vision.number) if isinstance(row, Project) else ""


def _slot(row: Item) -> int:
    return row.position if isinstance(row, Kpi) else row.number


def _siblings(session: Session, removed: RemovedItem) -> list[Item]:
    """The items numbered among the removed one's, in order."""
    if removed.kind in ("kpi", "measure"):
        project = edit.find_project(session, removed.parent)
        return list(project.kpis if removed.kind == "kpi" else project.measures)
    if removed.kind == "project":
        return list(session.scalars(select(Project).order_by(Project.number)))
    return list(get_plan(session).visions)


def _shift(session: Session, removed: RemovedItem, step: int, *,
           deleted: Item | None = None) -> None:
    """Move the items after the slot by `step` (one at a time: a vision's number is unique);
    `deleted`, the row just deleted, may still be in a loaded list of its siblings."""
    later = [r for r in _siblings(session, removed)
             if _slot(r) >= removed.slot and r is not deleted]
    for row in sorted(later, key=_slot, reverse=step > 0):
        if isinstance(row, Kpi):
            row.position += step
        else:
            row.number += step
        session.flush()


def _blank_row(session: Session, removed: RemovedItem) -> Item:
    """A row with the removed item's identity and place; `restore_in` fills in the rest."""
    state, code = removed.state, removed.code
    if removed.kind == "vision":
        vision = Vision(number=removed.slot, title=state["title"])
        plan = get_plan(session)  # held: the list keeps only a weak reference to its owner
        plan.visions.append(vision)
        return vision
    if removed.kind == "project":
        parent = find_item(session, "vision", removed.parent)
        lead = session.scalar(select(Department).where(
            Department.code == state["lead_department"]))
        project = Project(code=code, number=removed.slot, title=state["title"],
                          lead_department=lead)
        parent.projects.append(project)  # type: ignore[union-attr]  # a vision
        return project
    project = edit.find_project(session, removed.parent)
    if removed.kind == "kpi":
        kpi = Kpi(code=code, position=removed.slot, name=state["name"], unit="",
                  baseline_fiscal_year=state["baseline_fiscal_year"], cumulative=False,
                  direction="higher", aggregation="single", note="", is_new=False,
                  all_departments_report=False)
        project.kpis.append(kpi)
        return kpi
    measure = Measure(code=code, number=removed.slot, title=state["title"], items="[]",
                      is_new=False, all_departments=False, attention_points="",
                      response_policy="")
    project.measures.append(measure)
    return measure
