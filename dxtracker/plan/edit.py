"""Editing the plan at headquarters: visions, projects, 3-year pictures, KPIs, targets, measures.

Each public function is one transaction and records every changed field in the audit log
(`source` says where the change came from: "form", "cli" or "import"). Figures go through the
value parser; targets go through `dxtracker.plan.revisions` so that a published target is revised,
not overwritten. Items added while the current edition is published carry the 【新】 mark of the
next edition.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError, NotFound
from dxtracker.figures.fiscal_year import fiscal_year_label, parse_fiscal_year
from dxtracker.figures.values import format_value, parse_value
from dxtracker.plan.revisions import (
    TargetChange,
    change_target_in,
    edition_for_changes,
    is_published,
)
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_department, find_kpi, find_measure, get_plan
from dxtracker.store.models import (
    AGGREGATIONS,
    ALL_DEPARTMENTS,
    DIRECTIONS,
    Department,
    FuturePictureItem,
    Kpi,
    KpiTarget,
    Measure,
    Project,
    ScheduleItem,
    Vision,
)

KPI_FIELDS = ("name", "unit", "cumulative", "direction", "reporting_departments",
              "aggregation", "is_new", "note", "baseline")
MEASURE_FIELDS = ("title", "items", "departments", "attention_points", "response_policy",
                  "is_new")


class PlanEditRejected(DxTrackerError):
    """An edit that is not valid; the message names the field."""


@dataclass(frozen=True)
class ScheduleBox:
    first_fiscal_year: int
    last_fiscal_year: int
    text: str


def _record(session: Session, source: str, entity: str, code: str, field: str,
            old: Any, new: Any, reason: str = "") -> None:
    record_change(session, source=source, entity=entity, entity_code=code, field=field,
                  old=old, new=new, reason=reason)


def _set(session: Session, row: Any, entity: str, code: str, changes: dict[str, Any],
         source: str) -> dict[str, tuple[Any, Any]]:
    done: dict[str, tuple[Any, Any]] = {}
    for name, new in changes.items():
        old = getattr(row, name)
        if old != new:
            setattr(row, name, new)
            done[name] = (old, new)
            _record(session, source, entity, code, name, old, new)
    return done


def _text(field: str, value: Any, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise PlanEditRejected(f"{field} を入力してください。", f"{field} is required.")
    return text


def _choice(field: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise PlanEditRejected(f"{field} は {' / '.join(choices)} のいずれかです（「{value}」）。",
                               f"{field} must be one of {', '.join(choices)} (not '{value}').")
    return value


def _departments(session: Session, names: Iterable[str]) -> tuple[bool, list[Department]]:
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


def _one_department(session: Session, name: str) -> Department:
    everyone, depts = _departments(session, [name])
    if everyone or len(depts) != 1:
        raise PlanEditRejected("主管部局を1つ指定してください。", "Name one lead department.")
    return depts[0]


def _dept_names(everyone: bool, depts: list[Department]) -> str:
    return "・".join(([ALL_DEPARTMENTS] if everyone else []) + [d.name for d in depts])


def _new_mark(session: Session, row: Kpi | Measure, is_new: bool) -> None:
    row.is_new = is_new
    row.new_in_edition = edition_for_changes(session) if is_new else None


# --------------------------------------------------------------------------- visions, projects


def _find_vision(session: Session, number: int) -> Vision:
    plan = get_plan(session)
    vision = next((v for v in plan.visions if v.number == number), None)
    if vision is None:
        raise NotFound(f"ビジョン{number}はこの計画にありません。", f"No vision {number}.")
    return vision


def _find_project(session: Session, code: str) -> Project:
    project = session.scalar(select(Project).where(Project.code == code.strip().upper()))
    if project is None:
        raise NotFound(f"プロジェクト「{code}」はこの計画にありません。", f"No project '{code}'.")
    return project


def add_vision(db: Database, title: str, *, source: str = "cli") -> int:
    with db.transaction() as session:
        plan = get_plan(session)
        number = max((v.number for v in plan.visions), default=0) + 1
        plan.visions.append(Vision(number=number, title=_text("title", title)))
        _record(session, source, "vision", f"V{number}", "title", None, title.strip())
        return number


def edit_vision(db: Database, number: int, *, title: str, source: str = "cli") -> dict:
    with db.transaction() as session:
        vision = _find_vision(session, number)
        return _set(session, vision, "vision", f"V{number}",
                    {"title": _text("title", title)}, source)


def add_project(db: Database, vision_number: int, title: str, lead_department: str, *,
                code: str | None = None, source: str = "cli") -> str:
    with db.transaction() as session:
        vision = _find_vision(session, vision_number)
        number = (session.scalar(select(func.max(Project.number))) or 0) + 1
        code = (code or f"P{number:02d}").strip().upper()
        _check_code_free(session, code)
        lead = _one_department(session, lead_department)
        vision.projects.append(Project(code=code, number=number,
                                       title=_text("title", title), lead_department=lead))
        _record(session, source, "project", code, "title", None, title.strip())
        return code


def edit_project(db: Database, code: str, *, title: str | None = None,
                 lead_department: str | None = None, vision_number: int | None = None,
                 vision_title: str | None = None, future_picture: Sequence[str] | None = None,
                 source: str = "cli") -> dict:
    """Change a project (and, from the same form, its vision's title and its 概ね3年後の姿
    as a list of texts: item n is text n; extra texts are added, missing ones removed)."""
    with db.transaction() as session:
        project = _find_project(session, code)
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = _text("title", title)
        if lead_department is not None:
            changes["lead_department_id"] = _one_department(session, lead_department).id
        if vision_number is not None:
            changes["vision_id"] = _find_vision(session, vision_number).id
        done = _set(session, project, "project", project.code, changes, source)
        session.flush()
        if vision_title is not None:
            vision = session.get(Vision, project.vision_id)
            changed = _set(session, vision, "vision", f"V{vision.number}",
                           {"title": _text("vision_title", vision_title)}, source)
            if changed:
                done["vision_title"] = changed["title"]
        if future_picture is not None:
            done |= _replace_future_picture(session, project, future_picture, source)
        return done


def _check_code_free(session: Session, code: str) -> None:
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]*", code):
        raise PlanEditRejected(f"コード「{code}」には英数字・-・_ だけが使えます。",
                               f"Code '{code}' may hold only letters, digits, - and _.")
    for model in (Project, Kpi, Measure):
        if session.scalar(select(model.id).where(model.code == code)) is not None:
            raise PlanEditRejected(f"コード「{code}」はすでに使われています。",
                                   f"Code '{code}' is already in use.")


# --------------------------------------------------------------------------- 3-year picture


def set_future_picture_item(db: Database, project_code: str, number: int | None, text: str,
                            *, is_new: bool | None = None, source: str = "cli") -> int:
    """Change item `number` of 概ね3年後の姿, or add one (number None); returns its number."""
    with db.transaction() as session:
        project = _find_project(session, project_code)
        item = next((f for f in project.future_picture if f.number == number), None)
        if item is None:
            if number is not None:
                raise NotFound(f"{project.code} の概ね3年後の姿に ({number}) はありません。",
                               f"{project.code} has no future picture item {number}.")
            number = max((f.number for f in project.future_picture), default=0) + 1
            item = FuturePictureItem(number=number, text="", is_new=is_published(session))
            project.future_picture.append(item)
        changes: dict[str, Any] = {"text": _text("text", text)}
        if is_new is not None:
            changes["is_new"] = is_new
        _set(session, item, "future_picture", f"{project.code}/{number}", changes, source)
        return number


def remove_future_picture_item(db: Database, project_code: str, number: int, *,
                               source: str = "cli") -> None:
    with db.transaction() as session:
        project = _find_project(session, project_code)
        item = next((f for f in project.future_picture if f.number == number), None)
        if item is None:
            raise NotFound(f"{project.code} の概ね3年後の姿に ({number}) はありません。",
                           f"{project.code} has no future picture item {number}.")
        _record(session, source, "future_picture", f"{project.code}/{number}", "text",
                item.text, None)
        project.future_picture.remove(item)
        session.flush()
        for later in sorted(project.future_picture, key=lambda f: f.number):
            if later.number > number:  # renumber one at a time: (project, number) is unique
                later.number -= 1
                session.flush()


def _replace_future_picture(session: Session, project: Project, texts: Sequence[str],
                            source: str) -> dict:
    texts = [t.strip() for t in texts if t and t.strip()]
    items = sorted(project.future_picture, key=lambda f: f.number)
    done: dict[str, tuple[Any, Any]] = {}
    for number, text in enumerate(texts, start=1):
        code = f"{project.code}/{number}"
        if number <= len(items):
            done |= {f"future_picture {number}": change for change in _set(
                session, items[number - 1], "future_picture", code, {"text": text},
                source).values()}
        else:
            project.future_picture.append(FuturePictureItem(
                number=number, text=text, is_new=is_published(session)))
            _record(session, source, "future_picture", code, "text", None, text)
            done[f"future_picture {number}"] = (None, text)
    for item in items[len(texts):]:
        _record(session, source, "future_picture", f"{project.code}/{item.number}", "text",
                item.text, None)
        done[f"future_picture {item.number}"] = (item.text, None)
        project.future_picture.remove(item)
    return done


# --------------------------------------------------------------------------- KPIs and targets


def add_kpi(db: Database, project_code: str, name: str, *, unit: str = "",
            code: str | None = None, source: str = "cli", **fields: Any) -> str:
    """Add a KPI at the end of a project; other fields as in `edit_kpi`. Returns its code."""
    with db.transaction() as session:
        project = _find_project(session, project_code)
        code = (code or _next_code(session, project, Kpi, "K")).strip().upper()
        _check_code_free(session, code)
        plan = get_plan(session)
        kpi = Kpi(code=code, name="", unit="", position=len(project.kpis) + 1,
                  baseline_fiscal_year=plan.baseline_fiscal_year, cumulative=False,
                  direction="higher", aggregation="single", note="", is_new=False,
                  all_departments_report=False)
        project.kpis.append(kpi)
        _new_mark(session, kpi, is_published(session))
        _record(session, source, "kpi", code, "code", None, code)
        _edit_kpi_in(session, kpi, dict(fields, name=name, unit=unit), source)
        return code


def _next_code(session: Session, project: Project, model: type, letter: str) -> str:
    prefix = f"{project.code}-{letter}"
    codes = session.scalars(select(model.code).where(model.code.startswith(prefix))).all()
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def edit_kpi(db: Database, code: str, *, source: str = "cli",
             targets: Mapping[int, str | None] | None = None, reason: str = "",
             **fields: Any) -> dict:
    """Change any of name, unit, cumulative, direction, reporting_departments (names;
    "全部局" for every department), aggregation ("single"/"sum"), is_new, note, baseline —
    and, in the same transaction, `targets` {fiscal year: text} (revisions once published,
    with `reason`)."""
    with db.transaction() as session:
        kpi = find_kpi(session, code)
        done = _edit_kpi_in(session, kpi, fields, source)
        for fiscal_year, text in sorted((targets or {}).items()):
            change = change_target_in(session, kpi, fiscal_year, text, reason=reason,
                                      source=source)
            if change.changed:
                done[f"target {fiscal_year}"] = (change.old_value, change.new_value)
        return done


def _edit_kpi_in(session: Session, kpi: Kpi, fields: dict[str, Any], source: str) -> dict:
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"unknown KPI fields: {sorted(unknown)}")
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = _text("name", fields["name"])
    if "unit" in fields:
        changes["unit"] = _text("unit", fields["unit"], required=False)
    for flag in ("cumulative",):
        if flag in fields:
            changes[flag] = bool(fields[flag])
    if "direction" in fields:
        changes["direction"] = _choice("direction", fields["direction"], DIRECTIONS)
    if "aggregation" in fields:
        changes["aggregation"] = _choice("aggregation", fields["aggregation"], AGGREGATIONS)
    if "note" in fields:
        changes["note"] = _text("note", fields["note"], required=False)
    done = _set(session, kpi, "kpi", kpi.code, changes, source)
    if "baseline" in fields:  # after the unit, which the parser checks against
        value = parse_value(fields["baseline"], unit=kpi.unit, allow_words=False)
        baseline = None if value is None else format_value(value)
        done |= _set(session, kpi, "kpi", kpi.code, {"baseline": baseline}, source)
    if "is_new" in fields:
        _set_is_new(session, source, "kpi", kpi, bool(fields["is_new"]), done)
    if "reporting_departments" in fields:
        _set_departments(session, source, "kpi", kpi, fields["reporting_departments"], done,
                         field="reporting_departments", everyone_attr="all_departments_report",
                         missing=("実績を報告する部局を指定してください。",
                                  "Name at least one reporting department."))
    return done


def set_target(db: Database, kpi_code: str, fiscal_year: int, value_text: str | None, *,
               reason: str = "", source: str = "cli") -> TargetChange:
    """Set a target; once the edition is published this records a revision (reason needed)."""
    with db.transaction() as session:
        return change_target_in(session, find_kpi(session, kpi_code), fiscal_year, value_text,
                                reason=reason, source=source)


def set_target_note(db: Database, kpi_code: str, fiscal_year: int, note: str, *,
                    source: str = "cli") -> None:
    """The note printed with a target (e.g. 目標なし（現状値のみ）)."""
    with db.transaction() as session:
        kpi = find_kpi(session, kpi_code)
        if fiscal_year not in get_plan(session).fiscal_years:
            raise PlanEditRejected(f"{fiscal_year_label(fiscal_year)}は計画期間の外です。",
                                   f"FY{fiscal_year} is outside the plan period.")
        row = next((t for t in kpi.targets if t.fiscal_year == fiscal_year), None)
        if row is None:
            row = KpiTarget(fiscal_year=fiscal_year, value=None, note="")
            kpi.targets.append(row)
        _set(session, row, "target", f"{kpi.code}/{fiscal_year}", {"note": note.strip()}, source)


# --------------------------------------------------------------------------- measures


def add_measure(db: Database, project_code: str, title: str, *, code: str | None = None,
                source: str = "cli", **fields: Any) -> str:
    """Add a measure at the end of a project; other fields as in `edit_measure`."""
    with db.transaction() as session:
        project = _find_project(session, project_code)
        code = (code or _next_code(session, project, Measure, "M")).strip().upper()
        _check_code_free(session, code)
        number = max((m.number for m in project.measures), default=0) + 1
        measure = Measure(code=code, number=number, title="", items="[]", is_new=False,
                          all_departments=False, attention_points="", response_policy="")
        project.measures.append(measure)
        _new_mark(session, measure, is_published(session))
        _record(session, source, "measure", code, "code", None, code)
        _edit_measure_in(session, measure, dict(fields, title=title), source)
        return code


def edit_measure(db: Database, code: str, *, source: str = "cli",
                 schedule: Sequence[ScheduleBox] | None = None, **fields: Any) -> dict:
    """Change any of title, items (list of ○ texts), departments (names; "全部局"),
    attention_points (留意点), response_policy (対応方針), is_new — and the schedule boxes
    (see `set_schedule`) in the same transaction."""
    with db.transaction() as session:
        measure = find_measure(session, code)
        done = _edit_measure_in(session, measure, fields, source)
        if schedule is not None and _schedule_text(schedule) != _schedule_text(
                measure.schedule):
            _set_schedule_in(session, measure, schedule, source)
            done["schedule"] = (None, _schedule_text(schedule))
        return done


def _edit_measure_in(session: Session, measure: Measure, fields: dict[str, Any],
                     source: str) -> dict:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = _text("title", fields["title"])
    for name in ("attention_points", "response_policy"):
        if name in fields:
            changes[name] = _text(name, fields[name], required=False)
    if "items" in fields:
        items = [str(i).strip() for i in fields["items"] if str(i).strip()]
        changes["items"] = json.dumps(items, ensure_ascii=False)
    done = _set(session, measure, "measure", measure.code, changes, source)
    if "is_new" in fields:
        _set_is_new(session, source, "measure", measure, bool(fields["is_new"]), done)
    if "departments" in fields:
        _set_departments(session, source, "measure", measure, fields["departments"], done,
                         field="departments", everyone_attr="all_departments",
                         missing=("担当部局を指定してください。",
                                  "Name at least one responsible department."))
    return done


def _set_is_new(session: Session, source: str, entity: str, item: Kpi | Measure,
                is_new: bool, done: dict[str, Any]) -> None:
    """The 【新】/【新規】 mark of a KPI or measure, with its edition."""
    if is_new == item.is_new:
        return
    _record(session, source, entity, item.code, "is_new", item.is_new, is_new)
    done["is_new"] = (item.is_new, is_new)
    _new_mark(session, item, is_new)


def _set_departments(session: Session, source: str, entity: str, item: Kpi | Measure,
                     names: Sequence[str], done: dict[str, Any], *, field: str,
                     everyone_attr: str, missing: tuple[str, str]) -> None:
    """Who reports a KPI / is responsible for a measure: names, or 全部局 for everyone."""
    everyone, depts = _departments(session, names)
    if not everyone and not depts:
        raise PlanEditRejected(*missing)
    old = _dept_names(getattr(item, everyone_attr), getattr(item, field))
    setattr(item, everyone_attr, everyone)
    setattr(item, field, depts)
    new = _dept_names(everyone, depts)
    if old != new:
        _record(session, source, entity, item.code, field, old, new)
        done[field] = (old, new)


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
            raise PlanEditRejected(
                f"工程 {i}: {first}年度〜{last}年度 は計画期間外か逆順です。",
                f"Schedule box {i}: FY{first}–FY{last} is outside the plan or reversed.")
        _text(f"工程 {i}", box.text)
    old = _schedule_text(measure.schedule)
    measure.schedule.clear()
    session.flush()
    for position, box in enumerate(boxes, start=1):
        measure.schedule.append(ScheduleItem(
            position=position, first_fiscal_year=box.first_fiscal_year,
            last_fiscal_year=box.last_fiscal_year, text=box.text.strip()))
    _record(session, source, "schedule", measure.code, "schedule", old,
            _schedule_text(measure.schedule))


def parse_schedule_box(text: str) -> ScheduleBox:
    """ "R4-R5: 本格実施", "2022: 準備", "令和4年度～令和5年度：導入" → a ScheduleBox."""
    colon = re.search("[:：]", text)
    years = unicodedata.normalize("NFKC", text[:colon.start()]) if colon else ""
    body = text[colon.end():].strip() if colon else ""
    first, _, last = re.sub(r"[~〜～]", "-", years).partition("-")
    if not first.strip() or not body:
        raise PlanEditRejected(
            f"工程「{text.strip()}」は「R4-R5: 内容」の形で入力してください。",
            f"Write the schedule box '{text.strip()}' as 'R4-R5: text'.")
    start = parse_fiscal_year(first.strip())
    end = parse_fiscal_year(last.strip()) if last.strip() else start
    return ScheduleBox(start, end, body)


def _schedule_text(items: Iterable[ScheduleItem | ScheduleBox]) -> str:
    return "\n".join(f"{i.first_fiscal_year}-{i.last_fiscal_year}: {i.text}" for i in items)
