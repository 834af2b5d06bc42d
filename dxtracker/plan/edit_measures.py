"""Editing measures (施策) at headquarters, with their 工程 schedule boxes.

Every function is one transaction, audited; a schedule box lies within the plan period.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import parse_fiscal_year
from dxtracker.plan import edit
from dxtracker.plan.item_versions import check_item_versions
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_measure, get_plan
from dxtracker.store.models import Measure, ScheduleItem
from dxtracker.store.row_versions import Versions, touch

MEASURE_FIELDS = ("title", "items", "departments", "attention_points", "response_policy",
                  "is_new")
RESPONSIBLE_DEPARTMENTS = edit.DepartmentsField(
    "departments", "all_departments",
    ("担当部局を指定してください。", "Name at least one responsible department."))


@dataclass(frozen=True)
class ScheduleBox:
    first_fiscal_year: int
    last_fiscal_year: int
    text: str


def add_measure(db: Database, project_code: str, title: str, *, code: str | None = None,
                source: str = "cli", **fields: Any) -> str:
    """Add a measure at the end of a project; other fields as in `edit_measure`."""
    with db.transaction() as session:
        project = edit.find_project(session, project_code)
        code = edit.new_item_code(session, project, Measure, "M", code)
        number = max((m.number for m in project.measures), default=0) + 1
        measure = Measure(code=code, number=number, title="", items="[]", is_new=False,
                          all_departments=False, attention_points="", response_policy="")
        project.measures.append(measure)
        edit.record_new_item(session, source, "measure", measure)
        _edit_measure_in(session, measure, dict(fields, title=title), source)
        return code


def edit_measure(db: Database, code: str, *, source: str = "cli",
                 schedule: Sequence[ScheduleBox] | None = None,
                 expected_versions: Versions | None = None, **fields: Any) -> dict:
    """Change any of title, items (list of ○ texts), departments (names; "全部局"),
    attention_points (留意点), response_policy (対応方針), is_new — and the schedule boxes
    (see `set_schedule`) in the same transaction. `expected_versions` as for
    `edit_projects.edit_project`."""
    with db.transaction() as session:
        check_item_versions(session, "measure", code, expected_versions)
        measure = find_measure(session, code)
        done = _edit_measure_in(session, measure, fields, source)
        if schedule is not None and _schedule_text(schedule) != _schedule_text(
                measure.schedule):
            _set_schedule_in(session, measure, schedule, source)
            done["schedule"] = (None, _schedule_text(schedule))
        if done:
            touch(measure)
        return done


def _edit_measure_in(session: Session, measure: Measure, fields: dict[str, Any],
                     source: str) -> dict:
    edit.reject_unknown_fields(fields, MEASURE_FIELDS, "measure")
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = edit.clean_text("title", fields["title"])
    for name in ("attention_points", "response_policy"):
        if name in fields:
            changes[name] = edit.clean_text(name, fields[name], required=False)
    if "items" in fields:
        items = [str(i).strip() for i in fields["items"] if str(i).strip()]
        changes["items"] = json.dumps(items, ensure_ascii=False)
    done = edit.apply_changes(session, measure, "measure", measure.code, changes, source)
    edit.edit_shared_fields(session, source, "measure", measure, fields, done,
                            RESPONSIBLE_DEPARTMENTS)
    return done


# --------------------------------------------------------------------------- schedule


def set_schedule(db: Database, measure_code: str, boxes: Sequence[ScheduleBox], *,
                 source: str = "cli") -> None:
    """Replace the 工程 boxes of a measure (each within the plan period, from ≤ to)."""
    with db.transaction() as session:
        _set_schedule_in(session, find_measure(session, measure_code), boxes, source)


def _set_schedule_in(session: Session, measure: Measure, boxes: Sequence[ScheduleBox],
                     source: str) -> None:
    years = get_plan(session).fiscal_years
    for i, box in enumerate(boxes, start=1):
        first, last = box.first_fiscal_year, box.last_fiscal_year
        if first not in years or last not in years or first > last:
            raise edit.PlanEditRejected(
                f"工程 {i}: {first}年度〜{last}年度 は計画期間外か逆順です。",
                f"Schedule box {i}: FY{first}–FY{last} is outside the plan or reversed.")
        edit.clean_text(f"工程 {i}", box.text)
    old = _schedule_text(measure.schedule)
    measure.schedule.clear()
    session.flush()
    for position, box in enumerate(boxes, start=1):
        measure.schedule.append(ScheduleItem(
            position=position, first_fiscal_year=box.first_fiscal_year,
            last_fiscal_year=box.last_fiscal_year, text=box.text.strip()))
    edit.record_edit(session, source, "schedule", measure.code, "schedule", old,
                     _schedule_text(measure.schedule))
    touch(measure)


def parse_schedule_box(text: str) -> ScheduleBox:
    """ "R4-R5: 本格実施", "2022: 準備", "令和4年度～令和5年度：導入" → a ScheduleBox."""
    colon = re.search("[:：]", text)
    years = unicodedata.normalize("NFKC", text[:colon.start()]) if colon else ""
    body = text[colon.end():].strip() if colon else ""
    first, _, last = re.sub(r"[~〜～]", "-", years).partition("-")
    if not first.strip() or not body:
        raise edit.PlanEditRejected(
            f"工程「{text.strip()}」は「R4-R5: 内容」の形で入力してください。",
            f"Write the schedule box '{text.strip()}' as 'R4-R5: text'.")
    start = parse_fiscal_year(first.strip())
    end = parse_fiscal_year(last.strip()) if last.strip() else start
    return ScheduleBox(start, end, body)


def _schedule_text(items: Iterable[ScheduleItem | ScheduleBox]) -> str:
    return "\n".join(f"{i.first_fiscal_year}-{i.last_fiscal_year}: {i.text}" for i in items)
