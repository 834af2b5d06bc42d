"""KPIs and their figures: targets, target revisions after publication, and actuals.

Grades entered by hand: `management.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base, Retirable, Versioned
from dxtracker.store.models.plan import Department, Project, kpi_reporting_department

DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("single", "sum")

class Kpi(Versioned, Retirable, Base):
    __tablename__ = "kpi"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32), default="")
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    new_in_edition: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # True when every department reports (全部局): the list below is then not consulted.
    all_departments_report: Mapped[bool] = mapped_column(Boolean, default=False)
    aggregation: Mapped[str] = mapped_column(String(8), default="single")
    baseline: Mapped[str | None] = mapped_column(Text, nullable=True)
    baseline_fiscal_year: Mapped[int] = mapped_column(Integer)

    project: Mapped[Project] = relationship(back_populates="kpis")
    reporting_departments: Mapped[list[Department]] = relationship(
        secondary=kpi_reporting_department, order_by="Department.sort_order"
    )
    targets: Mapped[list[KpiTarget]] = relationship(
        back_populates="kpi", order_by="KpiTarget.fiscal_year", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[TargetRevision]] = relationship(
        back_populates="kpi", order_by="TargetRevision.id", cascade="all, delete-orphan"
    )
    actuals: Mapped[list[KpiActual]] = relationship(
        back_populates="kpi", cascade="all, delete-orphan"
    )


class KpiTarget(Versioned, Base):
    """The current target of a KPI for a fiscal year (its history is in TargetRevision)."""

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship(back_populates="targets")


class TargetRevision(Base):
    """A target changed after publication: shown in red as "new (oldからの修正)"."""

    __tablename__ = "target_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    revised_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    edition: Mapped[int | None] = mapped_column(Integer, nullable=True)

    kpi: Mapped[Kpi] = relationship(back_populates="revisions")


class KpiActual(Versioned, Base):
    """An actual for a fiscal year.

    `department_id` is the contributing department for KPIs fed by several departments
    (aggregation "sum"), the reporting department otherwise, and NULL for a figure recorded in
    the plan document itself without a breakdown (the seed's totals).
    """

    __tablename__ = "kpi_actual"
    __table_args__ = (UniqueConstraint("kpi_id", "fiscal_year", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), nullable=True
    )
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_by: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship(back_populates="actuals")
    department: Mapped[Department | None] = relationship()
