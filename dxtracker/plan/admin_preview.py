"""What a plan-administration step will change, read before it is taken: the app shows it in
the confirmation, so that nobody publishes, starts a new plan or merges departments blind.

- `publication_preview`: the edition publishing makes, with the revisions, the 【新】 KPIs and
  measures it carries and the items it no longer carries (retired);
- `new_plan_preview`: what `periods.start_new_plan` will carry into the next plan;
- `department_uses` and `merge_preview`: what a department leads, reports and is responsible
  for, and how many rows a merge moves or combines.
Read-only; every function takes the caller's session.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from dxtracker.plan.periods import NewPlanOptions, plan_file_data
from dxtracker.plan.revisions import EditionInfo, RevisionRow, current_edition, list_revisions
from dxtracker.store.lookup import all_departments, find_department
from dxtracker.store.models import (
    Department,
    Kpi,
    KpiActual,
    Measure,
    MeasureProgress,
    Project,
    ReturnImport,
    Vision,
    kpi_reporting_department,
    measure_department,
)

# --------------------------------------------------------------------------- publishing


@dataclass(frozen=True)
class PublicationPreview:
    current: EditionInfo
    number: int  # the edition publishing makes current
    first: bool  # the plan was never published: its draft becomes edition `number`
    revisions: tuple[RevisionRow, ...]
    new_kpis: tuple[tuple[str, str], ...]  # (code, name)
    new_measures: tuple[tuple[str, str], ...]
    retired: tuple[tuple[str, str], ...]  # (code, name): no longer in the plan


def publication_preview(session: Session) -> PublicationPreview:
    current = current_edition(session)
    number = current.number + 1 if current.published else current.number
    revisions = tuple(r for r in list_revisions(session) if r.edition == number)
    new_kpis = _pairs(session, select(Kpi.code, Kpi.name).where(
        Kpi.is_new.is_(True), Kpi.new_in_edition == number).order_by(Kpi.code))
    new_measures = _pairs(session, select(Measure.code, Measure.title).where(
        Measure.is_new.is_(True), Measure.new_in_edition == number).order_by(Measure.code))
    retired = tuple((f"V{n}", t) for n, t in session.execute(
        select(Vision.number, Vision.title).where(Vision.retired_in_edition == number)
        .order_by(Vision.number)))
    retired += _pairs(session, select(Project.code, Project.title).where(
        Project.retired_in_edition == number).order_by(Project.code))
    retired += _pairs(session, select(Kpi.code, Kpi.name).where(
        Kpi.retired_in_edition == number).order_by(Kpi.code))
    retired += _pairs(session, select(Measure.code, Measure.title).where(
        Measure.retired_in_edition == number).order_by(Measure.code))
    return PublicationPreview(current, number, not current.published, revisions, new_kpis,
                              new_measures, retired)


def _pairs(session: Session, query: Select[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a, b in session.execute(query))


# --------------------------------------------------------------------------- the next plan


@dataclass(frozen=True)
class NewPlanPreview:
    code: str
    title: str
    projects: int
    kpis: int
    measures: int
    left_behind: int  # retired KPIs and measures, not carried
    baselines: int  # KPIs whose baseline is the actual of the year before the period
    without_baseline: tuple[str, ...]  # KPI codes with no actual that year
    targets: int
    schedule_boxes: int
    picture_items: int
    actuals: int
    progress: int
    departments: int


def new_plan_preview(session: Session, options: NewPlanOptions) -> NewPlanPreview:
    """What `start_new_plan(…, options)` will write (PeriodRejected for a bad period)."""
    data = plan_file_data(session, options)
    projects = [p for v in data["visions"] for p in v["projects"]]
    kpis = [k for p in projects for k in p["kpis"]]
    measures = [m for p in projects for m in p["measures"]]
    carried_kpis = {k["code"] for k in kpis}
    carried_measures = {m["code"] for m in measures}
    years = range(options.first_fiscal_year, options.last_fiscal_year + 1)
    active = {d.id for d in all_departments(session)}
    actuals = progress = 0
    if options.carry_progress:
        actuals = sum(1 for code, dept in session.execute(
            select(Kpi.code, KpiActual.department_id).join(KpiActual.kpi)
            .where(KpiActual.fiscal_year.in_(years)))
            if code in carried_kpis and (dept is None or dept in active))
        progress = sum(1 for code, dept in session.execute(
            select(Measure.code, MeasureProgress.department_id).join(MeasureProgress.measure)
            .where(MeasureProgress.fiscal_year.in_(years)))
            if code in carried_measures and dept in active)
    total = _count(session, select(func.count(Kpi.id))) + \
        _count(session, select(func.count(Measure.id)))
    return NewPlanPreview(
        data["plan"]["code"], data["plan"]["title"], len(projects), len(kpis), len(measures),
        total - len(kpis) - len(measures),
        sum(1 for k in kpis if k["baseline"] is not None),
        tuple(k["code"] for k in kpis if k["baseline"] is None) if options.carry_baselines
        else (),
        sum(len(k["targets"]) for k in kpis), sum(len(m["schedule"]) for m in measures),
        sum(len(p["future_picture"]) for p in projects), actuals, progress,
        len(data["departments"]))


# --------------------------------------------------------------------------- departments


@dataclass(frozen=True)
class DepartmentUses:
    """What a department leads (projects), reports (KPIs) and is responsible for (measures),
    by code; and its own rows (actuals, progress, merged returns)."""

    projects: tuple[str, ...]
    kpis: tuple[str, ...]
    measures: tuple[str, ...]
    actuals: int
    progress: int
    returns: int

    @property
    def links(self) -> int:
        return len(self.projects) + len(self.kpis) + len(self.measures)


def department_uses(session: Session, dept: Department) -> DepartmentUses:
    def codes(query) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
        return tuple(session.scalars(query).all())

    return DepartmentUses(
        codes(select(Project.code).where(Project.lead_department_id == dept.id)
              .order_by(Project.number)),
        codes(select(Kpi.code).join(kpi_reporting_department).where(
            kpi_reporting_department.c.department_id == dept.id).order_by(Kpi.code)),
        codes(select(Measure.code).join(measure_department).where(
            measure_department.c.department_id == dept.id).order_by(Measure.code)),
        _count(session, select(func.count(KpiActual.id))
               .where(KpiActual.department_id == dept.id)),
        _count(session, select(func.count(MeasureProgress.id))
               .where(MeasureProgress.department_id == dept.id)),
        _count(session, select(func.count(ReturnImport.id))
               .where(ReturnImport.department_id == dept.id)))


def _count(session: Session, query: Select[int]) -> int:
    return session.scalar(query) or 0


@dataclass(frozen=True)
class MergePreview:
    retired: str
    surviving: str
    uses: DepartmentUses  # the links that move to the surviving department
    rows_moved: int  # actuals and progress the surviving department has none of
    rows_combined: int  # where both have a row: added (summed KPIs) or filled in


def merge_preview(session: Session, retired: str, surviving: str) -> MergePreview:
    old, new = find_department(session, retired), find_department(session, surviving)
    uses = department_uses(session, old)
    theirs, ours = aliased(KpiActual), aliased(KpiActual)
    both = _count(session, select(func.count(theirs.id)).join(ours, (
        ours.kpi_id == theirs.kpi_id) & (ours.fiscal_year == theirs.fiscal_year)).where(
        theirs.department_id == old.id, ours.department_id == new.id))
    theirs_p, ours_p = aliased(MeasureProgress), aliased(MeasureProgress)
    both += _count(session, select(func.count(theirs_p.id)).join(ours_p, (
        ours_p.measure_id == theirs_p.measure_id) & (
        ours_p.fiscal_year == theirs_p.fiscal_year)).where(
        theirs_p.department_id == old.id, ours_p.department_id == new.id))
    return MergePreview(old.name, new.name, uses, uses.actuals + uses.progress - both, both)
