"""Editing the plan at headquarters: the rules every edit follows. The edits themselves are in
`edit_projects` (visions, projects, 概ね3年後の姿), `edit_kpis` (KPIs and targets) and
`edit_measures` (measures and their schedules).

Each public function there is one transaction and records every changed field in the audit log
(`source` says where the change came from: "form", "cli" or "import"). Items added while the
current edition is published carry the 【新】 mark of the next edition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError, NotFound
from dxtracker.plan.revisions import edition_for_changes, is_published
from dxtracker.store.audit import record_change
from dxtracker.store.lookup import find_department
from dxtracker.store.models import ALL_DEPARTMENTS, Department, Kpi, Measure, Project


class PlanEditRejected(DxTrackerError):
    """An edit that is not valid; the message names the field."""


def record_edit(session: Session, source: str, entity: str, code: str, field: str,
                old: Any, new: Any, reason: str = "") -> None:
    record_change(session, source=source, entity=entity, entity_code=code, field=field,
                  old=old, new=new, reason=reason)


def apply_changes(session: Session, row: Any, entity: str, code: str, changes: dict[str, Any],
                  source: str) -> dict[str, tuple[Any, Any]]:
    """Set the fields of `row` that differ from `changes`; returns {field: (old, new)}."""
    done: dict[str, tuple[Any, Any]] = {}
    for name, new in changes.items():
        old = getattr(row, name)
        if old != new:
            setattr(row, name, new)
            done[name] = (old, new)
            record_edit(session, source, entity, code, name, old, new)
    return done


def clean_text(field: str, value: Any, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise PlanEditRejected(f"{field} を入力してください。", f"{field} is required.")
    return text


def find_project(session: Session, code: str) -> Project:
    project = session.scalar(select(Project).where(Project.code == code.strip().upper()))
    if project is None:
        raise NotFound(f"プロジェクト「{code}」はこの計画にありません。", f"No project '{code}'.")
    return project


def named_departments(session: Session, names: Iterable[str]) -> tuple[bool, list[Department]]:
    """(all departments?, the named active departments in display order)."""
    names = [n.strip() for n in names if n and n.strip()]
    everyone = ALL_DEPARTMENTS in names
    found = [find_department(session, n) for n in names if n != ALL_DEPARTMENTS]
    retired = [d.name for d in found if d.retired]
    if retired:
        raise PlanEditRejected(f"廃止された部局は指定できません: {'、'.join(retired)}",
                               f"Retired departments cannot be named: {', '.join(retired)}")
    unique = {d.id: d for d in found}
    return everyone, sorted(unique.values(), key=lambda d: d.sort_order)


# --------------------------------------------------------------------------- codes
# Projects, KPIs and measures share one space of codes ("P04", "P04-K1", "P04-M2").


def check_code_free(session: Session, code: str) -> None:
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]*", code):
        raise PlanEditRejected(f"コード「{code}」には英数字・-・_ だけが使えます。",
                               f"Code '{code}' may hold only letters, digits, - and _.")
    for model in (Project, Kpi, Measure):
        if session.scalar(select(model.id).where(model.code == code)) is not None:
            raise PlanEditRejected(f"コード「{code}」はすでに使われています。",
                                   f"Code '{code}' is already in use.")


def new_item_code(session: Session, project: Project, model: type[Kpi] | type[Measure],
                  letter: str, code: str | None) -> str:
    """The code asked for, or the project's next ("P04-K5" after "P04-K4"), once checked free."""
    if not code:
        prefix = f"{project.code}-{letter}"
        codes = session.scalars(select(model.code).where(model.code.startswith(prefix))).all()
        numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
        code = f"{prefix}{max(numbers, default=0) + 1}"
    code = code.strip().upper()
    check_code_free(session, code)
    return code


# --------------------------------------------------------------------------- KPIs and measures
# What KPIs and measures share: the 【新】 mark with its edition, and their departments.


def reject_unknown_fields(fields: Iterable[str], known: Sequence[str], what: str) -> None:
    """A TypeError, as for an unknown keyword argument: callers pass fields by name."""
    unknown = set(fields) - set(known)
    if unknown:
        raise TypeError(f"unknown {what} fields: {sorted(unknown)}")


@dataclass(frozen=True)
class DepartmentsField:
    """Where a KPI or measure keeps its departments, and the message when none is named."""

    field: str          # the list of departments
    everyone_attr: str  # the flag that stands for 全部局
    missing: tuple[str, str]


def record_new_item(session: Session, source: str, entity: str, item: Kpi | Measure) -> None:
    """A KPI or measure just added: 【新】 while the current edition is published."""
    _mark_new(session, item, is_published(session))
    record_edit(session, source, entity, item.code, "code", None, item.code)


def edit_shared_fields(session: Session, source: str, entity: str, item: Kpi | Measure,
                       fields: dict[str, Any], done: dict[str, Any],
                       departments: DepartmentsField) -> None:
    """Apply `is_new` and the departments from `fields`, adding what changed to `done`."""
    if "is_new" in fields and bool(fields["is_new"]) != item.is_new:
        is_new = bool(fields["is_new"])
        record_edit(session, source, entity, item.code, "is_new", item.is_new, is_new)
        done["is_new"] = (item.is_new, is_new)
        _mark_new(session, item, is_new)
    if departments.field in fields:
        _set_departments(session, source, entity, item, fields[departments.field], done,
                         departments)


def _mark_new(session: Session, item: Kpi | Measure, is_new: bool) -> None:
    item.is_new = is_new
    item.new_in_edition = edition_for_changes(session) if is_new else None


def _set_departments(session: Session, source: str, entity: str, item: Kpi | Measure,
                     names: Sequence[str], done: dict[str, Any],
                     spec: DepartmentsField) -> None:
    """Who reports a KPI / is responsible for a measure: names, or 全部局 for everyone."""
    everyone, depts = named_departments(session, names)
    if not everyone and not depts:
        raise PlanEditRejected(*spec.missing)
    old = _dept_names(getattr(item, spec.everyone_attr), getattr(item, spec.field))
    setattr(item, spec.everyone_attr, everyone)
    setattr(item, spec.field, depts)
    new = _dept_names(everyone, depts)
    if old != new:
        record_edit(session, source, entity, item.code, spec.field, old, new)
        done[spec.field] = (old, new)



def _dept_names(everyone: bool, depts: list[Department]) -> str:
    return "・".join(([ALL_DEPARTMENTS] if everyone else []) + [d.name for d in depts])
