"""The plan's shape: the plan, its visions, projects and their 3-year pictures, the departments,
and which departments report each KPI and are responsible for each measure.

Editions, department name history and merges, hand grades and settings: `management.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base, Retirable, Versioned

if TYPE_CHECKING:  # they import this module; SQLAlchemy finds them by name in its registry
    from dxtracker.store.models.kpi import Kpi
    from dxtracker.store.models.measure import Measure


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    edition: Mapped[int] = mapped_column(Integer, default=1)
    edition_label: Mapped[str] = mapped_column(Text, default="")
    baseline_fiscal_year: Mapped[int] = mapped_column(Integer)
    first_fiscal_year: Mapped[int] = mapped_column(Integer)
    last_fiscal_year: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")  # one note a line

    visions: Mapped[list[Vision]] = relationship(
        back_populates="plan", order_by="Vision.number", cascade="all, delete-orphan"
    )

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.first_fiscal_year, self.last_fiscal_year + 1))


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Vision(Versioned, Retirable, Base):
    __tablename__ = "vision"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="visions")
    projects: Mapped[list[Project]] = relationship(
        back_populates="vision", order_by="Project.number", cascade="all, delete-orphan"
    )


class Project(Versioned, Retirable, Base):
    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(ForeignKey("vision.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))

    vision: Mapped[Vision] = relationship(back_populates="projects")
    lead_department: Mapped[Department] = relationship()
    future_picture: Mapped[list[FuturePictureItem]] = relationship(
        back_populates="project", order_by="FuturePictureItem.number",
        cascade="all, delete-orphan",
    )
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="project", order_by="Kpi.position", cascade="all, delete-orphan"
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="project", order_by="Measure.number", cascade="all, delete-orphan"
    )


class FuturePictureItem(Base):
    """One numbered item of 概ね3年後の姿."""

    __tablename__ = "future_picture_item"
    __table_args__ = (UniqueConstraint("project_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="future_picture")


# Which departments report a KPI (実績を報告する部局) and are responsible for a measure (担当部局);
# `Kpi.all_departments_report` and `Measure.all_departments` stand for 全部局 instead. The
# department is indexed: a department's reported items are looked up by it for every return.
kpi_reporting_department = Table(
    "kpi_reporting_department",
    Base.metadata,
    Column("kpi_id", ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
)

measure_department = Table(
    "measure_department",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
)
