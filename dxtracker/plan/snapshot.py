"""The whole plan with its entered progress as plain data: the `plan show --json` contract.

Shape (documented in README.md; tests and scripts rely on it — add keys, never rename them):
top level {"format", "format_version", "plan", "departments", "visions", "projects"}; each project
{"number", "code", "title", "lead_department", "vision": {"number", "title"}, "future_picture",
"kpis", "measures"}; each figure a value object from `dxtracker.figures.format.to_json` or null.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxtracker.errors import NotFound
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import to_json
from dxtracker.figures.kpi_figures import actual_of, parse_stored, target_note_of, target_of
from dxtracker.store.lookup import all_departments, get_plan, kpi_reporters, measure_departments
from dxtracker.store.models import Kpi, Measure, Plan, Project, Vision
from dxtracker.store.models.base import Retirable

SNAPSHOT_FORMAT = "dxtracker-plan-show"
SNAPSHOT_VERSION = 1


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def plan_snapshot(session: Session) -> dict[str, Any]:
    plan = _load_plan(session)
    return {
        "format": SNAPSHOT_FORMAT,
        "format_version": SNAPSHOT_VERSION,
        "plan": _plan(plan),
        "departments": [
            {"code": d.code, "name": d.name, "retired": d.retired}
            for d in all_departments(session, include_retired=True)
        ],
        "visions": [{"number": v.number, "title": v.title, **_retired(v)} for v in plan.visions],
        "projects": [_project(session, plan, p) for v in plan.visions for p in v.projects],
    }


def project_snapshot(session: Session, code: str) -> dict[str, Any]:
    """One project, shaped as an entry of `plan_snapshot()["projects"]` (a project view)."""
    plan = get_plan(session)
    project = session.scalar(select(Project).where(Project.code == code))
    if project is None:
        raise NotFound(f"プロジェクトコード「{code}」はこの計画にありません。",
                       f"Project code '{code}' is not in this plan.")
    return _project(session, plan, project)


def _load_plan(session: Session) -> Plan:
    get_plan(session)  # a clear error when the database holds no plan
    return session.scalars(
        select(Plan).order_by(Plan.id).limit(1).options(
            selectinload(Plan.visions).selectinload(Vision.projects).options(
                selectinload(Project.future_picture),
                selectinload(Project.kpis).options(
                    selectinload(Kpi.targets), selectinload(Kpi.revisions),
                    selectinload(Kpi.actuals), selectinload(Kpi.reporting_departments)),
                selectinload(Project.measures).options(
                    selectinload(Measure.schedule), selectinload(Measure.progress),
                    selectinload(Measure.departments)),
            )
        )
    ).one()


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "code": plan.code, "title": plan.title, "organisation": plan.organisation,
        "source": plan.source, "edition": plan.edition, "edition_label": plan.edition_label,
        "baseline_fiscal_year": plan.baseline_fiscal_year,
        "fiscal_years": plan.fiscal_years,
        "fiscal_year_labels": {str(fy): fiscal_year_label(fy) for fy in plan.fiscal_years},
        "notes": [n for n in plan.notes.splitlines() if n],
    }


def _project(session: Session, plan: Plan, project: Project) -> dict[str, Any]:
    return {
        "number": project.number,
        "code": project.code,
        "title": project.title,
        "lead_department": project.lead_department.name,
        "vision": {"number": project.vision.number, "title": project.vision.title},
        "future_picture": [
            {"number": f.number, "text": f.text, "is_new": f.is_new}
            for f in project.future_picture
        ],
        "kpis": [_kpi(session, plan, k) for k in project.kpis],
        "measures": [_measure(session, m) for m in project.measures],
        **_retired(project),
    }


def _retired(row: Retirable) -> dict[str, Any]:
    return {"retired_on": _when(row.retired_on), "retired_in_edition": row.retired_in_edition}


def _kpi(session: Session, plan: Plan, kpi: Kpi) -> dict[str, Any]:
    years = [str(fy) for fy in plan.fiscal_years]
    actuals = {fy: actual_of(kpi, int(fy)) for fy in years}
    return {
        "code": kpi.code,
        "name": kpi.name,
        "unit": kpi.unit,
        "cumulative": kpi.cumulative,
        "direction": kpi.direction,
        "is_new": kpi.is_new,
        "new_in_edition": kpi.new_in_edition,
        "note": kpi.note,
        "aggregation": kpi.aggregation,
        "all_departments_report": kpi.all_departments_report,
        "reporting_departments": [d.name for d in kpi_reporters(session, kpi)],
        "baseline_fiscal_year": kpi.baseline_fiscal_year,
        "baseline": to_json(parse_stored(kpi, kpi.baseline)),
        "targets": {fy: to_json(target_of(kpi, int(fy))) for fy in years},
        "target_notes": {fy: target_note_of(kpi, int(fy)) for fy in years
                         if target_note_of(kpi, int(fy))},
        "actuals": {fy: to_json(a.value) for fy, a in actuals.items()},
        "actual_notes": {fy: a.note for fy, a in actuals.items() if a.note},
        "contributions": {
            fy: [{"department": c.department, "value": to_json(c.value), "note": c.note}
                 for c in a.contributions]
            for fy, a in actuals.items() if a.contributions
        },
        "revisions": [
            {"fiscal_year": r.fiscal_year,
             "old_value": to_json(parse_stored(kpi, r.old_value)),
             "new_value": to_json(parse_stored(kpi, r.new_value)),
             "date": _when(r.revised_on), "reason": r.reason, "edition": r.edition}
            for r in kpi.revisions
        ],
        **_retired(kpi),
    }


def _measure(session: Session, measure: Measure) -> dict[str, Any]:
    progress = sorted(measure.progress, key=lambda p: (p.fiscal_year, p.department.sort_order))
    return {
        "code": measure.code,
        "number": measure.number,
        "title": measure.title,
        "is_new": measure.is_new,
        "new_in_edition": measure.new_in_edition,
        "items": json.loads(measure.items or "[]"),
        "all_departments": measure.all_departments,
        "departments": [d.name for d in measure_departments(session, measure)],
        "schedule": [
            {"from": s.first_fiscal_year, "to": s.last_fiscal_year, "text": s.text}
            for s in measure.schedule
        ],
        "attention_points": measure.attention_points,
        "response_policy": measure.response_policy,
        "progress": [
            {"fiscal_year": p.fiscal_year, "department": p.department.name, "status": p.status,
             "record": p.record, "issues": p.issues, "next_policy": p.next_policy,
             "updated_at": _when(p.updated_at), "updated_by": p.updated_by}
            for p in progress
        ],
        **_retired(measure),
    }


# --------------------------------------------------------------------------- retired items


def shown_for_year(snapshot: dict[str, Any], fiscal_year: int) -> dict[str, Any]:
    """The snapshot as the views and the report of `fiscal_year` show it: a retired KPI stays
    where it has an actual for that year, a retired measure where it has progress for it (so a
    report of a year it was still reported in reads as before); other retired items, and a
    retired project or vision left with nothing, are left out. `snapshot` is not changed."""
    projects = [kept for kept in (project_for_year(p, fiscal_year)
                                  for p in snapshot["projects"]) if kept is not None]
    numbers = {p["vision"]["number"] for p in projects}
    visions = [v for v in snapshot["visions"] if not v["retired_on"] or v["number"] in numbers]
    return dict(snapshot, visions=visions, projects=projects)


def project_for_year(project: dict[str, Any], fiscal_year: int) -> dict[str, Any] | None:
    """One project of a snapshot as `shown_for_year` shows it (None: left out)."""
    kpis = [k for k in project["kpis"]
            if not k["retired_on"] or k["actuals"].get(str(fiscal_year)) is not None]
    measures = [m for m in project["measures"] if not m["retired_on"] or any(
        row["fiscal_year"] == fiscal_year for row in m["progress"])]
    if project["retired_on"] and not kpis and not measures:
        return None
    return dict(project, kpis=kpis, measures=measures)
