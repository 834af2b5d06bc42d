"""Measures (施策): their 工程 schedule and the progress departments report on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base, Retirable, Versioned
from dxtracker.store.models.plan import Department, Project, measure_department

STATUSES = ("順調", "概ね順調", "やや遅れ", "遅れ", "完了", "未着手")


class Measure(Versioned, Retirable, Base):
    __tablename__ = "measure"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    new_in_edition: Mapped[int | None] = mapped_column(Integer, nullable=True)
    items: Mapped[str] = mapped_column(Text, default="")  # JSON list of the ○ items
    all_departments: Mapped[bool] = mapped_column(Boolean, default=False)
    attention_points: Mapped[str] = mapped_column(Text, default="")
    response_policy: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="measures")
    departments: Mapped[list[Department]] = relationship(
        secondary=measure_department, order_by="Department.sort_order"
    )
    schedule: Mapped[list[ScheduleItem]] = relationship(
        back_populates="measure", order_by="ScheduleItem.position",
        cascade="all, delete-orphan",
    )
    progress: Mapped[list[MeasureProgress]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )


class ScheduleItem(Base):
    """One box of the 工程 grid; it may span several fiscal years."""

    __tablename__ = "schedule_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    first_fiscal_year: Mapped[int] = mapped_column(Integer)
    last_fiscal_year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    measure: Mapped[Measure] = relationship(back_populates="schedule")


class MeasureProgress(Versioned, Base):
    """What one department reports on one measure for one fiscal year."""

    __tablename__ = "measure_progress"
    __table_args__ = (UniqueConstraint("measure_id", "department_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    record: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    next_policy: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_by: Mapped[str] = mapped_column(Text, default="")

    measure: Mapped[Measure] = relationship(back_populates="progress")
    department: Mapped[Department] = relationship()
