"""The plan's items as headquarters chooses among them (計画の管理's item chooser, the delete
or retire dialog): every vision with its projects, and each project's KPIs and measures
indented below it, retired ones (廃止) included and marked."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxtracker.store.models import Project, Vision
from dxtracker.store.models.base import Retirable
from ui.i18n import tr


class PlanItem(NamedTuple):
    kind: str  # vision, project, kpi, measure
    code: str  # "V2" for a vision
    text: str  # as the chooser shows it
    retired: bool


def plan_items(session: Session) -> list[PlanItem]:
    visions = session.scalars(select(Vision).order_by(Vision.number).options(
        selectinload(Vision.projects).options(selectinload(Project.kpis),
                                              selectinload(Project.measures)))).all()
    items = []
    for v in visions:
        items.append(_item("vision", f"V{v.number}", tr("ビジョン{number} {title}",
                                                        number=v.number, title=v.title), v))
        for p in v.projects:
            items.append(_item("project", p.code, f"  ({p.number}) {p.title}", p))
            items += [_item("kpi", k.code, f"      {k.code} {k.name}", k) for k in p.kpis]
            items += [_item("measure", m.code, f"      {m.code} {m.title}", m)
                      for m in p.measures]
    return items


def _item(kind: str, code: str, text: str, row: Retirable) -> PlanItem:
    retired = row.retired_on is not None
    return PlanItem(kind, code, text + (tr("（{day}廃止）", day=row.retired_on) if retired
                                        else ""), retired)
