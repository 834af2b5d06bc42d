"""What the KPI entry table shows: one department's KPIs for one fiscal year, read from the core.

Kept free of Qt so that the rows can be built in a read session and handed to the model as
plain values. A department sees its own KPIs and its contribution (寄与) to the KPIs fed by
several departments (全部局), in the plan's order: the rows of its return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxtracker.figures.format import format_value
from dxtracker.figures.kpi_figures import actual_of, original_target, revisions_of
from dxtracker.figures.values import Value
from dxtracker.returns.collect import KpiRow, department_rows
from dxtracker.store.lookup import find_department
from dxtracker.store.models import Department, Kpi, KpiActual


@dataclass(frozen=True)
class KpiEntryRow:
    """One KPI as the department enters it. Figures are display texts with the unit."""

    kpi_code: str
    project: str
    kpi_name: str
    unit: str
    shared: bool  # a contribution to a KPI fed by several departments
    baseline: str
    target: str
    original_target: str | None  # the target before its revision; None when not revised
    revision_reason: str
    last_actual: str
    last_actual_is_total: bool  # no own figure last year: the KPI's total is shown instead
    actual: str | None  # canonical text (no unit) of this department's actual
    note: str
    plan_figure: str  # the plan's own figure for the year, when the department has none
    updated_at: datetime | None
    updated_by: str
    version: int = 0  # the actual's row version as loaded (0: no row); the save hands it back


def load_kpi_rows(session: Session, department: str, fiscal_year: int) -> list[KpiEntryRow]:
    """The rows of the department's return (`dxtracker.returns.collect.department_rows`, so
    that the table shows exactly what the return will carry), with what the table adds: the
    revision in words, last year's total of a shared KPI, and who entered the figure when."""
    rows = department_rows(session, department, fiscal_year)
    # Figures, revisions and targets in three queries, not three per KPI (a large plan's
    # department has hundreds of KPIs).
    kpis = {k.code: k for k in session.scalars(
        select(Kpi).where(Kpi.code.in_([r.kpi_code for r in rows.kpis])).options(
            selectinload(Kpi.actuals).selectinload(KpiActual.department),
            selectinload(Kpi.revisions), selectinload(Kpi.targets)))}
    dept = find_department(session, department)
    return [_row(r, kpis[r.kpi_code], dept, fiscal_year) for r in rows.kpis]


def _row(row: KpiRow, kpi: Kpi, dept: Department, fiscal_year: int) -> KpiEntryRow:
    own = next((a for a in kpi.actuals
                if a.fiscal_year == fiscal_year and a.department_id == dept.id), None)
    revisions = revisions_of(kpi, fiscal_year)
    last, last_is_total = _show(kpi, row.last_actual), False
    if row.last_actual is None and row.aggregation == "sum":
        total = actual_of(kpi, fiscal_year - 1).value
        last, last_is_total = _show(kpi, total), total is not None
    return KpiEntryRow(
        kpi_code=row.kpi_code,
        project=row.project,
        kpi_name=row.kpi_name,
        unit=row.unit,
        shared=row.aggregation == "sum",
        baseline=_show(kpi, row.baseline),
        target=_show(kpi, row.target),
        original_target=_show(kpi, original_target(kpi, fiscal_year)) if revisions else None,
        revision_reason="\n".join(r.reason for r in revisions if r.reason),
        last_actual=last,
        last_actual_is_total=last_is_total,
        actual=row.actual,
        note=row.note,
        plan_figure=_plan_figure(kpi, own, fiscal_year),
        updated_at=own.updated_at if own else None,
        updated_by=own.updated_by if own else "",
        version=own.version if own else 0,
    )


def _show(kpi: Kpi, value: Value | None) -> str:
    return format_value(value, unit=kpi.unit, blank="—")


def _plan_figure(kpi: Kpi, own: KpiActual | None, fiscal_year: int) -> str:
    """The figure the plan already records for the year when the department has none (the
    seed's actuals carry no department): shown as a hint, never as the department's entry."""
    if own is not None or kpi.aggregation == "sum":
        return ""
    value = actual_of(kpi, fiscal_year).value
    return "" if value is None else format_value(value, unit=kpi.unit)
