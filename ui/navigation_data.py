"""Reading the plan's outline for the navigation tree: a few column queries, no ORM objects,
no plan snapshot, so it stays quick on a plan 100× the seed. Safe on the worker thread."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
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
    kpi_departments = _links(session, kpi_reporting_department.c.kpi_id,
                             kpi_reporting_department.c.department_id)
    measure_departments = _links(session, measure_department.c.measure_id,
                                 measure_department.c.department_id)
    visions = {number: TreeNode("vision", f"V{number}", number, title)
               for number, title in session.execute(
                   select(Vision.number, Vision.title).order_by(Vision.number))}
    projects: dict[int, TreeNode] = {}
    rows = session.execute(
        select(Project.id, Project.code, Project.number, Project.title, Vision.number,
               Department.name)
        .join(Vision, Project.vision_id == Vision.id)
        .join(Department, Project.lead_department_id == Department.id)
        .order_by(Project.number))
    for pid, code, number, title, vision_number, lead in rows:
        projects[pid] = TreeNode("project", code, number, title, code, (lead,))
        visions[vision_number].children.append(projects[pid])
    for kid, code, pos, name, is_new, every, pid in session.execute(
            select(Kpi.id, Kpi.code, Kpi.position, Kpi.name, Kpi.is_new,
                   Kpi.all_departments_report, Kpi.project_id).order_by(Kpi.position)):
        departments = (ALL,) if every else tuple(kpi_departments.get(kid, ()))
        project = projects[pid]
        project.children.append(
            TreeNode("kpi", code, pos, name, project.code, departments, bool(is_new)))
    for mid, code, number, title, is_new, every, pid in session.execute(
            select(Measure.id, Measure.code, Measure.number, Measure.title, Measure.is_new,
                   Measure.all_departments, Measure.project_id).order_by(Measure.number)):
        departments = (ALL,) if every else tuple(measure_departments.get(mid, ()))
        project = projects[pid]
        project.children.append(
            TreeNode("measure", code, number, title, project.code, departments, bool(is_new)))
    return list(visions.values())


def _links(session: Session, owner_column, department_column) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    links: dict[int, list[str]] = defaultdict(list)
    for owner, name in session.execute(
            select(owner_column, Department.name)
            .join(Department, Department.id == department_column)
            .order_by(Department.sort_order)):
        links[owner].append(name)
    return links
