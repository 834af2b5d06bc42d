"""A new plan built from checked Excel tables (inside the caller's transaction): the rows of
`dxtracker.plan.excel_tables` become the plan, its departments, visions, projects, KPIs and
measures, with figures stored as their canonical text."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.plan.excel_tables import SHEETS, Tables
from dxtracker.store.models import (
    Department,
    DepartmentName,
    FuturePictureItem,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureProgress,
    Plan,
    PlanEdition,
    Project,
    ScheduleItem,
    TargetRevision,
    Vision,
)

__all__ = ["build_plan"]


def _canonical(text: str | None, unit: str, words: bool = True) -> str | None:
    value = parse_value(text, unit=unit, allow_words=words)
    return None if value is None else format_value(value)


def build_plan(session: Session, t: Tables) -> Plan:
    """Write checked tables into an empty database (inside the caller's transaction)."""
    meta = t["plan"][0]
    plan = Plan(**{c.name: meta[c.name] for c in SHEETS["plan"]},
                notes="\n".join(r["text"] for r in sorted(t["plan_notes"],
                                                          key=lambda r: r["number"])))
    session.add(plan)
    depts = {}
    for row in t["departments"]:
        depts[row["code"]] = Department(code=row["code"], name=row["name"],
                                        sort_order=row["sort_order"], retired=row["retired"])
        session.add(depts[row["code"]])
    for row in t["department_names"]:
        session.add(DepartmentName(department=depts[row["department_code"]], name=row["name"],
                                   valid_from=row["valid_from"], valid_to=row["valid_to"]))
    session.flush()
    for row in t["editions"]:
        session.add(PlanEdition(plan_id=plan.id, number=row["number"], label=row["label"],
                                published=row["published"], published_on=row["published_on"],
                                published_by=row["published_by"]))
    visions = {}
    for row in sorted(t["visions"], key=lambda r: r["number"]):
        visions[row["number"]] = Vision(number=row["number"], title=row["title"],
                                        retired_on=row["retired_on"],
                                        retired_in_edition=row["retired_in_edition"])
        plan.visions.append(visions[row["number"]])
    projects = {}
    for row in t["projects"]:
        projects[row["code"]] = Project(code=row["code"], number=row["number"],
                                        title=row["title"],
                                        lead_department=depts[row["lead_department_code"]],
                                        retired_on=row["retired_on"],
                                        retired_in_edition=row["retired_in_edition"])
        visions[row["vision_number"]].projects.append(projects[row["code"]])
    for row in t["future_picture"]:
        projects[row["project_code"]].future_picture.append(FuturePictureItem(
            number=row["number"], text=row["text"], is_new=row["is_new"]))
    _build_kpis(t, projects, depts)
    _build_measures(t, projects, depts)
    session.flush()
    return plan


def _by(rows: list[dict[str, Any]], column: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


def _build_kpis(t: Tables, projects: dict[str, Project], depts: dict[str, Department]) -> None:
    links, targets = _by(t["kpi_departments"], "kpi_code"), _by(t["targets"], "kpi_code")
    revisions, actuals = _by(t["revisions"], "kpi_code"), _by(t["actuals"], "kpi_code")
    for row in t["kpis"]:
        unit = row["unit"]
        kpi = Kpi(**{c.name: row[c.name] for c in SHEETS["kpis"]
                     if c.name not in ("project_code", "baseline")},
                  baseline=_canonical(row["baseline"], unit, words=False),
                  reporting_departments=sorted(
                      (depts[r["department_code"]] for r in links.get(row["code"], [])),
                      key=lambda d: d.sort_order))
        projects[row["project_code"]].kpis.append(kpi)
        for r in sorted(targets.get(row["code"], []), key=lambda r: r["fiscal_year"]):
            kpi.targets.append(KpiTarget(fiscal_year=r["fiscal_year"], note=r["note"],
                                         value=_canonical(r["value"], unit)))
        for r in sorted(revisions.get(row["code"], []), key=lambda r: r["sequence"]):
            kpi.revisions.append(TargetRevision(
                fiscal_year=r["fiscal_year"], old_value=_canonical(r["old_value"], unit),
                new_value=_canonical(r["new_value"], unit), revised_on=r["revised_on"],
                reason=r["reason"], edition=r["edition"]))
        for r in actuals.get(row["code"], []):
            kpi.actuals.append(KpiActual(
                fiscal_year=r["fiscal_year"], department=depts.get(r["department_code"]),
                value=_canonical(r["value"], unit, words=False), note=r["note"],
                updated_at=r["updated_at"], updated_by=r["updated_by"]))


def _build_measures(t: Tables, projects: dict[str, Project],
                    depts: dict[str, Department]) -> None:
    items, links = _by(t["measure_items"], "measure_code"), _by(t["measure_departments"],
                                                                 "measure_code")
    schedule, progress = _by(t["schedule"], "measure_code"), _by(t["progress"], "measure_code")
    for row in t["measures"]:
        texts = [r["text"] for r in sorted(items.get(row["code"], []), key=lambda r: r["number"])]
        measure = Measure(**{c.name: row[c.name] for c in SHEETS["measures"]
                             if c.name != "project_code"},
                          items=json.dumps(texts, ensure_ascii=False),
                          departments=sorted(
                              (depts[r["department_code"]] for r in links.get(row["code"], [])),
                              key=lambda d: d.sort_order))
        projects[row["project_code"]].measures.append(measure)
        for r in sorted(schedule.get(row["code"], []), key=lambda r: r["position"]):
            measure.schedule.append(ScheduleItem(
                position=r["position"], first_fiscal_year=r["from_fiscal_year"],
                last_fiscal_year=r["to_fiscal_year"], text=r["text"]))
        for r in progress.get(row["code"], []):
            measure.progress.append(MeasureProgress(
                fiscal_year=r["fiscal_year"], department=depts[r["department_code"]],
                status=r["status"], record=r["record"], issues=r["issues"],
                next_policy=r["next_policy"], updated_at=r["updated_at"],
                updated_by=r["updated_by"]))
