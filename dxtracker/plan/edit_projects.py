"""Editing visions, projects and their 概ね3年後の姿 (3-year picture) at headquarters.

Every function is one transaction, audited (see `dxtracker.plan.edit`). Picture items added
while the current edition is published are marked new.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxtracker.errors import NotFound
from dxtracker.plan import edit
from dxtracker.plan.item_versions import check_item_versions
from dxtracker.plan.revisions import is_published
from dxtracker.store.db import Database
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import Department, FuturePictureItem, Project, Vision
from dxtracker.store.row_versions import Versions, touch


def _find_vision(session: Session, number: int) -> Vision:
    plan = get_plan(session)
    vision = next((v for v in plan.visions if v.number == number), None)
    if vision is None:
        raise NotFound(f"ビジョン{number}はこの計画にありません。", f"No vision {number}.")
    return vision


def _one_department(session: Session, name: str) -> Department:
    everyone, depts = edit.named_departments(session, [name])
    if everyone or len(depts) != 1:
        raise edit.PlanEditRejected("主管部局を1つ指定してください。", "Name one lead department.")
    return depts[0]


def add_vision(db: Database, title: str, *, source: str = "cli") -> int:
    with db.transaction() as session:
        plan = get_plan(session)
        number = max((v.number for v in plan.visions), default=0) + 1
        plan.visions.append(Vision(number=number, title=edit.clean_text("title", title)))
        edit.record_edit(session, source, "vision", f"V{number}", "title", None, title.strip())
        return number


def edit_vision(db: Database, number: int, *, title: str, source: str = "cli",
                expected_versions: Versions | None = None) -> dict:
    """Change a vision's title; `expected_versions` as for `edit_project`."""
    with db.transaction() as session:
        check_item_versions(session, "vision", number, expected_versions)
        vision = _find_vision(session, number)
        return edit.apply_changes(session, vision, "vision", f"V{number}",
                                  {"title": edit.clean_text("title", title)}, source)


def add_project(db: Database, vision_number: int, title: str, lead_department: str, *,
                code: str | None = None, source: str = "cli") -> str:
    with db.transaction() as session:
        vision = _find_vision(session, vision_number)
        number = (session.scalar(select(func.max(Project.number))) or 0) + 1
        code = (code or f"P{number:02d}").strip().upper()
        edit.check_code_free(session, code)
        lead = _one_department(session, lead_department)
        vision.projects.append(Project(code=code, number=number,
                                       title=edit.clean_text("title", title), lead_department=lead))
        edit.record_edit(session, source, "project", code, "title", None, title.strip())
        return code


def edit_project(db: Database, code: str, *, title: str | None = None,
                 lead_department: str | None = None, vision_number: int | None = None,
                 vision_title: str | None = None, future_picture: Sequence[str] | None = None,
                 source: str = "cli", expected_versions: Versions | None = None) -> dict:
    """Change a project (and, from the same form, its vision's title and its 概ね3年後の姿
    as a list of texts: item n is text n; extra texts are added, missing ones removed).
    `expected_versions`: what the form loaded (`item_versions`); refused with `RowChanged`
    when the project changed since."""
    with db.transaction() as session:
        check_item_versions(session, "project", code, expected_versions)
        project = edit.find_project(session, code)
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = edit.clean_text("title", title)
        if lead_department is not None:
            changes["lead_department_id"] = _one_department(session, lead_department).id
        if vision_number is not None:
            changes["vision_id"] = _find_vision(session, vision_number).id
        done = edit.apply_changes(session, project, "project", project.code, changes, source)
        session.flush()
        if vision_title is not None:
            vision = session.get_one(Vision, project.vision_id)
            title_change = {"title": edit.clean_text("vision_title", vision_title)}
            changed = edit.apply_changes(session, vision, "vision", f"V{vision.number}",
                                         title_change, source)
            if changed:
                done["vision_title"] = changed["title"]
        if future_picture is not None:
            done |= _replace_future_picture(session, project, future_picture, source)
        if done:
            touch(project)
        return done


# --------------------------------------------------------------------------- 3-year picture


def set_future_picture_item(db: Database, project_code: str, number: int | None, text: str,
                            *, is_new: bool | None = None, source: str = "cli") -> int:
    """Change item `number` of 概ね3年後の姿, or add one (number None); returns its number."""
    with db.transaction() as session:
        project = edit.find_project(session, project_code)
        if number is None:
            item = FuturePictureItem(
                number=max((f.number for f in project.future_picture), default=0) + 1,
                text="", is_new=is_published(session))
            project.future_picture.append(item)
        else:
            item = _picture_item(project, number)
        changes: dict[str, Any] = {"text": edit.clean_text("text", text)}
        if is_new is not None:
            changes["is_new"] = is_new
        if edit.apply_changes(session, item, "future_picture", f"{project.code}/{item.number}",
                              changes, source):
            touch(project)
        return item.number


def remove_future_picture_item(db: Database, project_code: str, number: int, *,
                               source: str = "cli") -> None:
    with db.transaction() as session:
        project = edit.find_project(session, project_code)
        item = _picture_item(project, number)
        edit.record_edit(session, source, "future_picture", f"{project.code}/{number}", "text",
                         item.text, None)
        project.future_picture.remove(item)
        touch(project)
        session.flush()
        for later in sorted(project.future_picture, key=lambda f: f.number):
            if later.number > number:  # renumber one at a time: (project, number) is unique
                later.number -= 1
                session.flush()


def _picture_item(project: Project, number: int) -> FuturePictureItem:
    item = next((f for f in project.future_picture if f.number == number), None)
    if item is None:
        raise NotFound(f"{project.code} の概ね3年後の姿に ({number}) はありません。",
                       f"{project.code} has no future picture item {number}.")
    return item


def _replace_future_picture(session: Session, project: Project, texts: Sequence[str],
                            source: str) -> dict:
    texts = [t.strip() for t in texts if t and t.strip()]
    items = sorted(project.future_picture, key=lambda f: f.number)
    done: dict[str, tuple[Any, Any]] = {}
    for number, text in enumerate(texts, start=1):
        code = f"{project.code}/{number}"
        if number <= len(items):
            done |= {f"future_picture {number}": change for change in edit.apply_changes(
                session, items[number - 1], "future_picture", code, {"text": text},
                source).values()}
        else:
            project.future_picture.append(FuturePictureItem(
                number=number, text=text, is_new=is_published(session)))
            edit.record_edit(session, source, "future_picture", code, "text", None, text)
            done[f"future_picture {number}"] = (None, text)
    for item in items[len(texts):]:
        edit.record_edit(session, source, "future_picture", f"{project.code}/{item.number}",
                         "text", item.text, None)
        done[f"future_picture {item.number}"] = (item.text, None)
        project.future_picture.remove(item)
    return done
