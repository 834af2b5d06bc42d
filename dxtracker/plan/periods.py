"""Plan periods: extend the current plan by fiscal years, or start the next plan from it.

The next plan is written as a new database file from a plan-file dict (docs/plan-format.md)
produced from the current plan, carrying what the user chooses; it starts as a draft of edition
1 (targets can be set freely until it is published). The current database is not changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError, DxTrackerError, PlanFileError
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value
from dxtracker.figures.kpi_figures import actual_of, target_note_of, target_of
from dxtracker.plan.plan_file import FORMAT_NAME, FORMAT_VERSION, load_plan, validate_plan_data
from dxtracker.store.audit import record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import all_departments, get_plan
from dxtracker.store.models import (
    ALL_DEPARTMENTS,
    Department,
    Kpi,
    KpiActual,
    Measure,
    MeasureProgress,
    Meta,
    Plan,
    PlanEdition,
    Project,
)
from dxtracker.store.schema import write_new_database


class PeriodRejected(DxTrackerError):
    """A period change that is not possible."""


@dataclass(frozen=True)
class NewPlanOptions:
    first_fiscal_year: int
    last_fiscal_year: int
    code: str = ""  # default: the current code with the first year appended
    title: str = ""  # default: the current title
    edition_label: str = ""
    carry_targets: bool = False  # targets of fiscal years inside the new period
    carry_baselines: bool = True  # new baseline = the actual of the year before the period
    carry_future_picture: bool = True
    carry_schedule: bool = False  # schedule boxes, clipped to the new period
    carry_progress: bool = False  # actuals and progress of fiscal years inside the new period


def extend_plan(db: Database, last_fiscal_year: int, *, source: str = "cli") -> tuple[int, int]:
    """Extend the plan period to `last_fiscal_year`; returns (old last, new last)."""
    with db.transaction() as session:
        plan = get_plan(session)
        old = plan.last_fiscal_year
        if last_fiscal_year <= old:
            raise PeriodRejected(
                f"計画期間はすでに{fiscal_year_label(old)}までです。それより後の年度を指定してください"
                "（期間の短縮はできません）。",
                f"The plan already runs to FY{old}; give a later year (it cannot be shortened).")
        if last_fiscal_year - old > 10:
            raise PeriodRejected("一度に延長できるのは10年度までです。",
                                 "Extend by at most 10 fiscal years at a time.")
        plan.last_fiscal_year = last_fiscal_year
        record_change(session, source=source, entity="plan", entity_code=plan.code,
                      field="last_fiscal_year", old=old, new=last_fiscal_year,
                      reason="計画期間の延長")
        return old, last_fiscal_year


# --------------------------------------------------------------------------- the next plan


def plan_file_data(session: Session, options: NewPlanOptions) -> dict[str, Any]:
    """The current plan as a plan-file dict for the period and choices in `options`."""
    plan = get_plan(session)
    first, last = options.first_fiscal_year, options.last_fiscal_year
    if first > last:
        raise PeriodRejected("開始年度が終了年度より後です。", "The first year is after the last.")
    ctx = _Context(session, plan, options, range(first, last + 1))
    return {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "plan": {
            "code": options.code or f"{plan.code}-{first}", "title": options.title or plan.title,
            "organisation": plan.organisation, "source": plan.source, "edition": 1,
            "edition_label": options.edition_label, "baseline_fiscal_year": first - 1,
            "first_fiscal_year": first, "last_fiscal_year": last, "notes": [],
        },
        "departments": [{"code": d.code, "name": d.name} for d in all_departments(session)],
        "visions": [  # retired items stay behind, in the current plan's history
            {"number": v.number, "title": v.title,
             "projects": [ctx.project(p) for p in v.projects if not p.retired]}
            for v in plan.visions if not v.retired
        ],
    }


@dataclass
class _Context:
    session: Session
    plan: Plan
    options: NewPlanOptions
    years: range

    def names(self, everyone: bool, depts: list[Department]) -> list[str]:
        return [ALL_DEPARTMENTS] if everyone else [d.name for d in depts if not d.retired]

    def project(self, project: Project) -> dict[str, Any]:
        return {
            "number": project.number, "code": project.code, "title": project.title,
            "lead_department": project.lead_department.name,
            "future_picture": [{"number": f.number, "text": f.text, "is_new": False}
                               for f in project.future_picture]
            if self.options.carry_future_picture else [],
            "kpis": [self.kpi(k) for k in project.kpis if not k.retired],
            "measures": [self.measure(m) for m in project.measures if not m.retired],
        }

    def kpi(self, kpi: Kpi) -> dict[str, Any]:
        baseline = None
        if self.options.carry_baselines:
            baseline = format_value(actual_of(kpi, self.years.start - 1).value) or None
        targets = {str(fy): format_value(target_of(kpi, fy)) for fy in self.years
                   if self.options.carry_targets and target_of(kpi, fy) is not None}
        notes = {str(fy): target_note_of(kpi, fy) for fy in self.years
                 if self.options.carry_targets and target_note_of(kpi, fy)}
        return {
            "code": kpi.code, "name": kpi.name, "unit": kpi.unit, "cumulative": kpi.cumulative,
            "direction": kpi.direction, "is_new": False, "note": kpi.note,
            "reporting_departments": self.names(kpi.all_departments_report,
                                                kpi.reporting_departments),
            "aggregation": kpi.aggregation, "baseline": baseline, "targets": targets,
            "target_notes": notes, "actuals": {}, "actual_notes": {}, "revisions": [],
        }

    def measure(self, measure: Measure) -> dict[str, Any]:
        schedule = []
        if self.options.carry_schedule:
            for box in measure.schedule:
                first = max(box.first_fiscal_year, self.years.start)
                last = min(box.last_fiscal_year, self.years.stop - 1)
                if first <= last:
                    schedule.append({"from": first, "to": last, "text": box.text})
        return {
            "code": measure.code, "number": measure.number, "title": measure.title,
            "is_new": False, "items": json.loads(measure.items or "[]"),
            "departments": self.names(measure.all_departments, measure.departments),
            "schedule": schedule, "attention_points": measure.attention_points,
            "response_policy": measure.response_policy,
        }


# The steps `start_new_plan` reports to its `progress(done, total, step)` callback.
NEW_PLAN_STEPS = ("read", "check", "write", "done")


def start_new_plan(db: Database, path: Path, options: NewPlanOptions, *,
                   force: bool = False,
                   progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write the next plan into a new database file at `path` (built aside, then moved in).
    `progress` is told each step of NEW_PLAN_STEPS; it may raise to stop, and then no file
    is left behind."""
    def step(name: str) -> None:
        if progress is not None:
            progress(NEW_PLAN_STEPS.index(name), len(NEW_PLAN_STEPS) - 1, name)

    path = Path(path)
    if path.exists() and not force:
        raise DatabaseError(path, "すでに存在します。上書きする場合は --force を付けてください。",
                            "already exists; add --force to replace it.")
    if db.path is not None and path.resolve() == db.path.resolve():
        raise DatabaseError(path, "現在のデータベースとは別のファイルを指定してください。",
                            "choose a file other than the current database.")
    step("read")
    with db.read() as session:
        data = plan_file_data(session, options)
        rows = _progress_rows(session, options) if options.carry_progress else ([], [])
        source_code = get_plan(session).code
    step("check")
    problems = validate_plan_data(data)
    if problems:
        raise PlanFileError(path, problems)

    def fill(session: Session) -> None:
        step("write")
        plan = load_plan(session, data)
        session.add(PlanEdition(plan_id=plan.id, number=1, label=options.edition_label))
        session.add(Meta(key="plan_source", value=f"new plan from {source_code}"))
        _copy_progress(session, *rows)
        record_change(session, source="import", entity="plan", entity_code=plan.code,
                      field="created_from", old=None, new=source_code, reason="新しい計画の作成")

    written = write_new_database(path, fill)
    step("done")
    return written


def _progress_rows(session: Session, options: NewPlanOptions) -> tuple[list, list]:
    years = list(range(options.first_fiscal_year, options.last_fiscal_year + 1))
    actuals = [(a.kpi.code, a.fiscal_year, a.department.name if a.department else None,
                a.value, a.note, a.updated_at, a.updated_by)
               for a in session.scalars(select(KpiActual).where(KpiActual.fiscal_year.in_(years)))]
    progress = [(p.measure.code, p.fiscal_year, p.department.name, p.status, p.record, p.issues,
                 p.next_policy, p.updated_at, p.updated_by)
                for p in session.scalars(select(MeasureProgress)
                                         .where(MeasureProgress.fiscal_year.in_(years)))]
    return actuals, progress


def _copy_progress(session: Session, actuals: list, progress: list) -> None:
    depts = {d.name: d for d in session.scalars(select(Department))}
    kpis = {k.code: k for k in session.scalars(select(Kpi))}
    measures = {m.code: m for m in session.scalars(select(Measure))}
    for code, fy, dept, value, note, at, by in actuals:
        if code not in kpis:  # a retired KPI: its figures stay in the current plan
            continue
        if dept is None or dept in depts:  # rows of retired departments stay behind
            kpis[code].actuals.append(KpiActual(
                fiscal_year=fy, department=depts.get(dept) if dept else None, value=value,
                note=note, updated_at=at, updated_by=by))
    for code, fy, dept, status, record, issues, policy, at, by in progress:
        if code in measures and dept in depts:
            measures[code].progress.append(MeasureProgress(
                fiscal_year=fy, department=depts[dept], status=status, record=record,
                issues=issues, next_policy=policy, updated_at=at, updated_by=by))
