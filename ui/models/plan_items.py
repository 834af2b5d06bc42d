"""The plan's items as headquarters chooses among them (計画の管理's item chooser, the delete
or retire dialog): every vision with its projects, and each project's KPIs and measures
indented below it, retired ones (廃止) included and marked."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.store.models import Kpi, Measure, Project, Vision
from ui.i18n import tr


class PlanItem(NamedTuple):
    kind: str  # vision, project, kpi, measure
    code: str  # "V2" for a vision
    text: str  # as the chooser shows it
    retired: bool


def plan_items(session: Session) -> list[PlanItem]:
    # Four queries of the columns shown, not the ORM objects: on a plan of 1,000 projects
    # building ~13,000 objects took most of the plan editor's first show.
    visions = session.execute(select(Vision.id, Vision.number, Vision.title, Vision.retired_on)
                              .order_by(Vision.number, Vision.id)).all()
    projects = _by_parent(session, select(
        Project.vision_id, Project.id, Project.code, Project.number, Project.title,
        Project.retired_on).order_by(Project.number, Project.id))
    kpis = _by_parent(session, select(Kpi.project_id, Kpi.code, Kpi.name, Kpi.retired_on)
                      .order_by(Kpi.position, Kpi.id))
    measures = _by_parent(session, select(Measure.project_id, Measure.code, Measure.title,
                                          Measure.retired_on).order_by(Measure.number,
                                                                       Measure.id))
    items = []
    for vision_id, number, title, retired_on in visions:
        items.append(_item("vision", f"V{number}", tr("ビジョン{number} {title}",
                                                     number=number, title=title), retired_on))
        for project_id, code, project_number, project_title, retired in projects[vision_id]:
            items.append(_item("project", code, f"  ({project_number}) {project_title}",
                               retired))
            items += [_item("kpi", k_code, f"      {k_code} {name}", k_retired)
                      for k_code, name, k_retired in kpis[project_id]]
            items += [_item("measure", m_code, f"      {m_code} {m_title}", m_retired)
                      for m_code, m_title, m_retired in measures[project_id]]
    return items


def _by_parent(session: Session, query: Any) -> dict[int, list[tuple[Any, ...]]]:
    """The rows of `query` (parent id first, then the values), grouped by parent, in order."""
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for parent, *values in session.execute(query):
        grouped[parent].append(tuple(values))
    return grouped


def _item(kind: str, code: str, text: str, retired_on: date | None) -> PlanItem:
    retired = retired_on is not None
    return PlanItem(kind, code, text + (tr("（{day}廃止）", day=retired_on) if retired
                                        else ""), retired)
