"""One plan item's state as plain values, and writing such a state back: what undo and redo of
a plan edit (and the undo of a deletion) are made of.

`capture_in` reads everything headquarters edits on a vision, project, KPI or measure — its
fields, departments, targets with their notes and revisions, schedule or 概ね3年後の姿, and
whether it is retired — but none of the figures departments enter. `restore_state` writes a
captured state back exactly, in one transaction, recording every field it changes in the
audit log. Given `expected` (the state the caller last saw), it refuses when the item has
changed since (another window, the command line, a department merge): undo never overwrites
work it does not know about.

States are compared with `==`; departments are kept by code (stable through renames).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError, NotFound
from dxtracker.plan import edit
from dxtracker.plan.revisions import edition_for_changes
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_kpi, find_measure, get_plan
from dxtracker.store.models import (
    Department,
    FuturePictureItem,
    Kpi,
    KpiTarget,
    Measure,
    Project,
    ScheduleItem,
    TargetRevision,
    Vision,
)
from dxtracker.store.row_versions import touch

KINDS = ("vision", "project", "kpi", "measure")
KIND_NAMES = {"vision": ("ビジョン", "vision"), "project": ("プロジェクト", "project"),
              "kpi": ("指標", "KPI"), "measure": ("施策", "measure")}
Item = Vision | Project | Kpi | Measure
State = dict[str, Any]

RETIRED_FIELDS = ("retired_on", "retired_in_edition")
_SCALARS = {
    "vision": ("title", *RETIRED_FIELDS),
    "project": ("title", *RETIRED_FIELDS),
    "kpi": ("name", "unit", "cumulative", "direction", "is_new", "new_in_edition", "note",
            "aggregation", "baseline", "baseline_fiscal_year", "all_departments_report",
            *RETIRED_FIELDS),
    "measure": ("title", "items", "is_new", "new_in_edition", "all_departments",
                "attention_points", "response_policy", *RETIRED_FIELDS),
}


class ItemChanged(DxTrackerError):
    """The item is no longer as the undo or redo expects it."""


# --------------------------------------------------------------------------- finding items


def vision_number(code: str | int) -> int:
    """"V3", "3" or 3 → 3."""
    text = unicodedata.normalize("NFKC", str(code)).strip().upper().removeprefix("V")
    if not text.isdigit():
        raise NotFound(f"ビジョン「{code}」はありません（番号で指定してください）。",
                       f"No vision '{code}' (give its number).")
    return int(text)


def item_code(kind: str, row: Item) -> str:
    """The code an item is named by in the audit log and on the command line."""
    return f"V{row.number}" if isinstance(row, Vision) else row.code


def find_item(session: Session, kind: str, code: str | int) -> Item:
    if kind == "vision":
        number = vision_number(code)
        vision = next((v for v in get_plan(session).visions if v.number == number), None)
        if vision is None:
            raise NotFound(f"ビジョン{number}はこの計画にありません。", f"No vision {number}.")
        return vision
    finders: dict[str, Callable[[Session, str], Item]] = {
        "project": edit.find_project, "kpi": find_kpi, "measure": find_measure}
    if kind not in finders:
        raise ValueError(f"unknown item kind {kind!r}; one of {KINDS}")
    return finders[kind](session, str(code))


def item_label(kind: str, row: Item) -> str:
    """"P03-K1 デジタル化に取り組む企業の割合" — how a message names the item."""
    name = row.name if isinstance(row, Kpi) else row.title
    return f"{item_code(kind, row)} {name}"


# --------------------------------------------------------------------------- capture


def capture(db: Database, kind: str, code: str | int) -> State:
    with db.read() as session:
        return capture_in(session, kind, code)


def capture_in(session: Session, kind: str, code: str | int) -> State:
    return state_of(kind, find_item(session, kind, code), session)


def state_of(kind: str, row: Item, session: Session) -> State:
    state: State = {name: getattr(row, name) for name in _SCALARS[kind]}
    if isinstance(row, Project):
        state["vision"] = row.vision.number
        state["lead_department"] = row.lead_department.code
        state["future_picture"] = _picture(row)
        # The project form also edits its vision's title (possibly of the vision it moves to).
        state["vision_titles"] = {v.number: v.title for v in get_plan(session).visions}
    elif isinstance(row, Kpi):
        state["reporting_departments"] = [d.code for d in row.reporting_departments]
        state["targets"] = {t.fiscal_year: (t.value, t.note) for t in row.targets}
        state["revisions"] = [_revision(r) for r in row.revisions]
    elif isinstance(row, Measure):
        state["departments"] = [d.code for d in row.departments]
        state["schedule"] = _schedule(row)
    return state


def _revision(r: TargetRevision) -> tuple[Any, ...]:
    return (r.fiscal_year, r.old_value, r.new_value, r.revised_on, r.reason, r.edition)


def check_edition(db: Database, edition: int) -> None:
    """Refuse to undo or redo an edit made for another edition than the one changes go into
    now: what was published since is part of the public plan."""
    with db.read() as session:
        pending = edition_for_changes(session)
    if pending != edition:
        raise ItemChanged(
            f"この変更の後に計画が公表されたため（第{pending - 1}版）、元に戻せません（やり直せません）。",
            f"The plan was published since (edition {pending - 1}); this change cannot be "
            "undone (redone).")


# --------------------------------------------------------------------------- restore


def restore_state(db: Database, kind: str, code: str | int, state: State, *,
                  expected: State | None = None, source: str = "form",
                  source_detail: str = "") -> list[str]:
    """Write `state` back onto the item (one transaction, audited); the fields changed.
    With `expected`, refuse unless the item is exactly as `expected` says."""
    with db.transaction() as session:
        row = find_item(session, kind, code)
        if expected is not None and state_of(kind, row, session) != expected:
            raise ItemChanged(
                f"{item_label(kind, row)} はこの操作の後に別の画面やコマンドで変更されたため、"
                "元に戻せません（やり直せません）。現在の内容を確かめて、必要なら編集し直してください。",
                f"{item_label(kind, row)} was changed elsewhere since; this cannot be undone "
                "(redone). Check its current content and edit it again if needed.")
        return restore_in(session, kind, row, state, source, source_detail)


def restore_in(session: Session, kind: str, row: Item, state: State, source: str,
               detail: str) -> list[str]:
    audit = _Audit(session, kind, item_code(kind, row), source, detail)
    for name in _SCALARS[kind]:
        audit.set(row, name, state[name])
    if isinstance(row, Project):
        _restore_project(session, row, state, audit)
    elif isinstance(row, Kpi):
        _set_links(session, row, "reporting_departments", state["reporting_departments"], audit)
        _restore_targets(row, state["targets"], audit)
        _restore_revisions(row, state["revisions"], audit)
    elif isinstance(row, Measure):
        _set_links(session, row, "departments", state["departments"], audit)
        old = _schedule(row)
        if old != state["schedule"]:
            row.schedule.clear()
            session.flush()
            row.schedule.extend(ScheduleItem(position=i, first_fiscal_year=first,
                                             last_fiscal_year=last, text=text)
                                for i, (first, last, text) in enumerate(state["schedule"], 1))
            audit.record("schedule", _boxes_text(old), _boxes_text(state["schedule"]))
    if audit.changed:
        touch(row)  # a form loaded before the undo sees that the item changed
    session.flush()
    return audit.changed


class _Audit:
    """Sets fields and records each change (source_detail says undo or redo)."""

    def __init__(self, session: Session, kind: str, code: str, source: str, detail: str):
        self.session, self.kind, self.code = session, kind, code
        self.source, self.detail = source, detail
        self.changed: list[str] = []

    def set(self, row: Any, name: str, value: Any, *, entity: str = "",
            code: str = "") -> None:
        old = getattr(row, name)
        if old != value:
            setattr(row, name, value)
            self.record(name, old, value, entity=entity, code=code)

    def record(self, name: str, old: Any, new: Any, *, entity: str = "",
               code: str = "") -> None:
        record_change(self.session, source=self.source, source_detail=self.detail,
                      entity=entity or self.kind, entity_code=code or self.code, field=name,
                      old=old, new=new)
        self.changed.append(name)


def _schedule(row: Measure) -> list[tuple[int, int, str]]:
    return [(s.first_fiscal_year, s.last_fiscal_year, s.text) for s in row.schedule]


def _picture(row: Project) -> list[tuple[int, str, bool]]:
    return [(f.number, f.text, f.is_new) for f in row.future_picture]


def _boxes_text(boxes: list[tuple[int, int, str]]) -> str:
    return "\n".join(f"{first}-{last}: {text}" for first, last, text in boxes)


def _set_links(session: Session, row: Kpi | Measure, field: str, codes: list[str],
               audit: _Audit) -> None:
    current = [d.code for d in getattr(row, field)]
    if current == codes:
        return
    depts = {d.code: d for d in session.scalars(select(Department)
                                                .where(Department.code.in_(codes)))}
    missing = [c for c in codes if c not in depts or depts[c].retired]
    if missing:
        raise edit.PlanEditRejected(
            f"部局 {'、'.join(missing)} は廃止されたため、元に戻せません。",
            f"Department(s) {', '.join(missing)} were retired; this cannot be restored.")
    old = "・".join(d.name for d in getattr(row, field))
    setattr(row, field, [depts[c] for c in codes])
    audit.record(field, old, "・".join(depts[c].name for c in codes))


def _restore_project(session: Session, row: Project, state: State, audit: _Audit) -> None:
    visions = {v.number: v for v in get_plan(session).visions}
    for number, title in state["vision_titles"].items():
        if number in visions:
            audit.set(visions[number], "title", title, entity="vision", code=f"V{number}")
    if row.vision.number != state["vision"]:
        audit.record("vision", row.vision.number, state["vision"])
        row.vision = visions[state["vision"]]
    if row.lead_department.code != state["lead_department"]:
        lead = session.scalar(select(Department).where(
            Department.code == state["lead_department"]))
        if lead is None or lead.retired:
            raise edit.PlanEditRejected("主管部局が廃止されたため、元に戻せません。",
                                        "The lead department was retired; cannot restore.")
        audit.record("lead_department", row.lead_department.name, lead.name)
        row.lead_department = lead
    picture = _picture(row)
    if picture != state["future_picture"]:
        row.future_picture.clear()
        session.flush()  # (project, number) is unique: the old rows go first
        row.future_picture.extend(FuturePictureItem(number=n, text=t, is_new=new)
                                  for n, t, new in state["future_picture"])
        audit.record("future_picture", "\n".join(t for _, t, _ in picture),
                     "\n".join(t for _, t, _ in state["future_picture"]))


def _restore_targets(row: Kpi, targets: dict[int, tuple[str | None, str]],
                     audit: _Audit) -> None:
    rows = {t.fiscal_year: t for t in row.targets}
    for fiscal_year in sorted(set(rows) | set(targets)):
        code = f"{row.code}/{fiscal_year}"
        target = rows.get(fiscal_year)
        if fiscal_year not in targets:
            audit.record("target", target.value if target else None, None,
                         entity="target", code=code)
            row.targets.remove(rows[fiscal_year])
            continue
        if target is None:
            target = KpiTarget(fiscal_year=fiscal_year, value=None, note="")
            row.targets.append(target)
        value, note = targets[fiscal_year]
        audit.set(target, "value", value, entity="target", code=code)
        audit.set(target, "note", note, entity="target", code=code)


def _restore_revisions(row: Kpi, revisions: list[tuple[Any, ...]], audit: _Audit) -> None:
    """Keep the revisions both lists begin with; remove the rest, add what `revisions` adds."""
    current = list(row.revisions)
    kept = 0
    while kept < min(len(current), len(revisions)) and \
            _revision(current[kept]) == revisions[kept]:
        kept += 1
    for revision in current[kept:]:
        audit.record("revision", _revision_text(_revision(revision)), None,
                     entity="revision", code=f"{row.code}/{revision.fiscal_year}")
        row.revisions.remove(revision)
    for values in revisions[kept:]:
        fiscal_year, old, new, day, reason, edition = values
        row.revisions.append(TargetRevision(fiscal_year=fiscal_year, old_value=old,
                                            new_value=new, revised_on=day, reason=reason,
                                            edition=edition))
        audit.record("revision", None, _revision_text(values), entity="revision",
                     code=f"{row.code}/{fiscal_year}")


def _revision_text(values: tuple[Any, ...]) -> str:
    _, old, new, day, reason, edition = values
    return f"{old or '（空欄）'} → {new or '（空欄）'}（第{edition}版 {day or ''} {reason}）"
