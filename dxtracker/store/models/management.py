"""What headquarters manages besides the plan's content: published editions, the name history
of departments and their merges (issue 6), grades entered by hand and the plan's settings
(issue 5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base
from dxtracker.store.models.kpi import Kpi
from dxtracker.store.models.plan import Department

# --------------------------------------------------------------------------- editions, departments
# A renamed department keeps its id, so its earlier rows still belong to it.


class PlanEdition(Base):
    """An edition of the plan (版). `Plan.edition` is the current one.

    A database without a row for the current edition treats it as published: a plan loaded
    from a plan file is the adopted document. Changes made while the current edition is
    published belong to the next edition (revisions, 【新】 marks) until it is published.
    """

    __tablename__ = "plan_edition"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_by: Mapped[str] = mapped_column(Text, default="")


class DepartmentName(Base):
    """One name a department had, from `valid_from` to `valid_to` (None: open-ended)."""

    __tablename__ = "department_name"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    department: Mapped[Department] = relationship()


class DepartmentMerge(Base):
    """A department merged into another: its rows moved to the surviving one on `merged_on`."""

    __tablename__ = "department_merge"
    id: Mapped[int] = mapped_column(primary_key=True)
    retired_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    surviving_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    merged_on: Mapped[date] = mapped_column(Date)
    merged_by: Mapped[str] = mapped_column(Text, default="")
    rows_moved: Mapped[int] = mapped_column(Integer, default=0)
    rows_combined: Mapped[int] = mapped_column(Integer, default=0)

    retired_department: Mapped[Department] = relationship(
        foreign_keys=[retired_department_id]
    )
    surviving_department: Mapped[Department] = relationship(
        foreign_keys=[surviving_department_id]
    )


# --------------------------------------------------------------------------- grades and settings
# Grades entered by hand: word targets, or a judgement that overrides the computed grade, always
# with a reason. The grade scheme (thresholds and labels) is a setting, not code.


class ManualGrade(Base):
    """A grade entered by hand for a KPI and fiscal year (`part`: a part of a composite KPI,
    "" for the whole KPI). `grade` is a label of the grade scheme or "not_assessable"."""

    __tablename__ = "manual_grade"
    __table_args__ = (UniqueConstraint("kpi_id", "fiscal_year", "part"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship()


class PlanSetting(Base):
    """A setting of the plan as key and JSON text (e.g. "grade_scheme")."""

    __tablename__ = "plan_setting"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(Text, default="")
