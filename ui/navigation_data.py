"""Reading the plan's outline for the navigation tree: a few column queries, no ORM objects,
no plan snapshot, so it stays quick on a plan 100× the seed. Safe on the worker thread."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dxtracker.store.models import (
    Department,
    Kpi,
    Measure,
    Project,
    Vision,
    kpi_reporting_department,
    measure_department,
)
from ui.navigation_model import ALL, TreeNode


def load_tree(session: Session) -> list[TreeNode]:
    """The plan's outline as plain nodes."""
    visions = {number: TreeNode("vision", f"V{number}", number, title)
               for number, title in session.execute(
                   select(Vision.number, Vision.title).where(Vision.retired_on.is_(None))
                   .order_by(Vision.number))}
    projects: dict[int, TreeNode] = {}
    rows = session.execute(
        select(Project.id, Project.code, Project.number, Project.title, Vision.number,
               Department.name)
        .join(Vision, Project.vision_id == Vision.id)
        .join(Department, Project.lead_department_id == Department.id)
        .where(Project.retired_on.is_(None))  # retired items: see 計画の管理
        .order_by(Project.number))
    for pid, code, number, title, vision_number, lead in rows:
        projects[pid] = TreeNode("project", code, number, title, code, (lead,))
        visions[vision_number].children.append(projects[pid])
    _add_items(session, projects, "kpi",
               select(Kpi.id, Kpi.code, Kpi.position, Kpi.name, Kpi.is_new,
                      Kpi.all_departments_report, Kpi.project_id)
               .where(Kpi.retired_on.is_(None)).order_by(Kpi.position),
               _links(session, kpi_reporting_department.c.kpi_id,
                      kpi_reporting_department.c.department_id))
    _add_items(session, projects, "measure",
               select(Measure.id, Measure.code, Measure.number, Measure.title, Measure.is_new,
                      Measure.all_departments, Measure.project_id)
               .where(Measure.retired_on.is_(None)).order_by(Measure.number),
               _links(session, measure_department.c.measure_id,
                      measure_department.c.department_id))
    return list(visions.values())


def _add_items(session: Session, projects: dict[int, TreeNode], kind: str, query: Select,
               departments_of: dict[int, list[str]]) -> None:
    """KPIs or measures under their projects. `query` gives id, code, number, name, the new
    mark, "every department" and the project's id, in the order they are shown."""
    for item_id, code, number, name, is_new, every, pid in session.execute(query):
        departments = (ALL,) if every else tuple(departments_of.get(item_id, ()))
        project = projects[pid]
        project.children.append(
            TreeNode(kind, code, number, name, project.code, departments, bool(is_new)))


def _links(session: Session, owner_column, department_column) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    links: dict[int, list[str]] = defaultdict(list)
    for owner, name in session.execute(
            select(owner_column, Department.name)
            .join(Department, Department.id == department_column)
            .order_by(Department.sort_order)):
        links[owner].append(name)
    return links
