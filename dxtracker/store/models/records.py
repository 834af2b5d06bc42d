"""What happened to the plan: the audit log of every change, the department returns merged
(issue 3: import history, merge runs with the old value of every field they changed, for undo),
and the target revisions that returns propose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base
from dxtracker.store.models.kpi import Kpi
from dxtracker.store.models.plan import Department

RETURN_IMPORT_STATES = ("merged", "undone")
PROPOSAL_STATUSES = ("pending", "accepted", "rejected")


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
