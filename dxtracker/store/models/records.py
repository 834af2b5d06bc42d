"""The plan as stored: typed SQLAlchemy 2 models.

Figures (baselines, targets, actuals) are stored as the canonical text of a parsed value
(`dxtracker.figures.values.format_value`), so that words, ranges, bounds and composites keep their
meaning and blank stays distinguishable from zero. Only portable constructs are used: the same
models are meant to run on PostgreSQL for headquarters that outgrow one PC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so that later upgrade steps (batch mode on SQLite) can reach them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ALL_DEPARTMENTS = "全部局"
STATUSES = ("順調", "概ね順調", "やや遅れ", "遅れ", "完了", "未着手")
DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("single", "sum")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Key/value facts about the file itself (schema version, created by which app version)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


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


class Vision(Base):
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


class Project(Base):
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


kpi_reporting_department = Table(
    "kpi_reporting_department",
    Base.metadata,
    Column("kpi_id", ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True),
    # Indexed: a department's reported items are looked up by department for every return.
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
)

measure_department = Table(
    "measure_department",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    # Indexed: a department's reported items are looked up by department for every return.
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
)


class Kpi(Base):
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


class KpiTarget(Base):
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


class KpiActual(Base):
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


class Measure(Base):
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


class MeasureProgress(Base):
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


class AuditEntry(Base):
    """Every change to the plan and to entered progress: who, when, what, why, from where."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    # A merge asks for one department's changes since its return was exported: by the
    # department's names and the time (returns/current.py), not by scanning the whole log.
    __table_args__ = (Index("ix_audit_entry_department_at", "department", "at"),)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32))  # cli, form, return, import, upgrade
    source_detail: Mapped[str] = mapped_column(Text, default="")  # e.g. the return's file name
    entity: Mapped[str] = mapped_column(String(32))  # kpi_actual, measure_progress, target, …
    entity_code: Mapped[str] = mapped_column(Text)  # e.g. "P01-K1/2022/D03"
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------------- returns and merges
# Added for department returns (issue 3): the import history, merge runs with the old value of
# every field they changed (for undo), and the target revisions that returns propose.

RETURN_IMPORT_STATES = ("merged", "undone")
PROPOSAL_STATUSES = ("pending", "accepted", "rejected")


class MergeRun(Base):
    """One `merge_returns` call that wrote something; undo works on the last one not undone."""

    __tablename__ = "merge_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(Text, default="")
    backup_path: Mapped[str] = mapped_column(Text, default="")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    undone_by: Mapped[str] = mapped_column(Text, default="")

    imports: Mapped[list[ReturnImport]] = relationship(
        back_populates="run", order_by="ReturnImport.id"
    )
    changes: Mapped[list[MergeChange]] = relationship(
        back_populates="run", order_by="MergeChange.id", cascade="all, delete-orphan"
    )


class ReturnImport(Base):
    """A return file merged into the database (refused files leave no trace here).

    `content_sha256` identifies the content whatever the bytes (a file saved again by another
    program is the same return); `state` becomes "undone" when its merge run is undone.
    """

    __tablename__ = "return_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("merge_run.id"))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    exported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(Text, default="")
    changes_count: Mapped[int] = mapped_column(Integer, default=0)
    conflicts_count: Mapped[int] = mapped_column(Integer, default=0)  # left waiting
    resolved_count: Mapped[int] = mapped_column(Integer, default=0)  # a side was chosen
    warnings_count: Mapped[int] = mapped_column(Integer, default=0)
    proposals_count: Mapped[int] = mapped_column(Integer, default=0)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="merged")

    run: Mapped[MergeRun] = relationship(back_populates="imports")
    department: Mapped[Department] = relationship()


class MergeChange(Base):
    """One field a merge changed, with its old value, so that the merge can be undone.

    `row_created` marks a row the merge added (undo removes it again); `old_updated_*` are the
    row's stamps before the merge (undo puts them back, so the plan reads exactly as before).
    """

    __tablename__ = "merge_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("merge_run.id", ondelete="CASCADE"))
    import_id: Mapped[int] = mapped_column(ForeignKey("return_import.id"))
    entity: Mapped[str] = mapped_column(String(32))  # kpi_actual, measure_progress
    item_code: Mapped[str] = mapped_column(String(32))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolution: Mapped[str] = mapped_column(String(16), default="change")  # change, theirs
    row_created: Mapped[bool] = mapped_column(Boolean, default=False)
    old_updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    old_updated_by: Mapped[str] = mapped_column(Text, default="")

    run: Mapped[MergeRun] = relationship(back_populates="changes")
    department: Mapped[Department] = relationship()


class RevisionProposal(Base):
    """A target revision a department proposed in its return; headquarters decides on it."""

    __tablename__ = "revision_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("return_import.id"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str] = mapped_column(Text, default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship()
    department: Mapped[Department] = relationship()


# --------------------------------------------------------------------------- plan management
# Added for plan management at headquarters (issue 6): published editions, the name history of
# departments (a renamed department keeps its id, so its earlier rows still belong to it), and
# department merges.


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
# Added for the consolidated report (issue 5): grades entered by hand (word targets, or a
# judgement that overrides the computed grade, always with a reason) and the plan's settings
# (the grade scheme: thresholds and labels are settings, not code).


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
