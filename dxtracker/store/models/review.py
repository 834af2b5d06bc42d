"""Headquarters' review of the returns (issue 14): the state of each department's return for a
fiscal year, the items of its last send-back, and the files a merge refused.

A merged return (department × fiscal year) is 受付 (received); headquarters starts its review
(確認中), then accepts it (承認: its figures are locked) or sends it back (差戻し, with a reason
overall and per item); a new merge after a send-back puts it back to 受付, and headquarters may
reopen an accepted return (back to 確認中). The transitions are `dxtracker.returns.review`'s;
the lock is `dxtracker.figures.locks`'. Every transition is in the audit log as well: this
table holds the state now, the log how it came to be.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base
from dxtracker.store.models.plan import Department

# 受付, 確認中, 承認, 差戻し
REVIEW_STATES = ("received", "under_review", "accepted", "sent_back")


class ReturnReview(Base):
    """The review state of one department's return for one fiscal year.

    `state_at`/`state_by`/`note`: the last transition and the reason given with it.
    `accepted_*` are set while the return is accepted (what the lock message quotes);
    `sent_back_*` keep the last send-back (its reason, and its items below) after the
    department's fix has arrived, so that headquarters can check the fix against them.
    """

    __tablename__ = "return_review"
    __table_args__ = (UniqueConstraint("department_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    state_at: Mapped[datetime] = mapped_column(DateTime)
    state_by: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    accepted_by: Mapped[str] = mapped_column(Text, default="")
    sent_back_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_back_by: Mapped[str] = mapped_column(Text, default="")
    sent_back_reason: Mapped[str] = mapped_column(Text, default="")
    send_backs: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped[Department] = relationship()
    items: Mapped[list[ReviewItem]] = relationship(
        back_populates="review", order_by="ReviewItem.id", cascade="all, delete-orphan")


class ReviewItem(Base):
    """An item (a KPI or measure row of the return) of the last send-back, with its reason."""

    __tablename__ = "review_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("return_review.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(32))  # kpi_actual, measure_progress
    item_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)

    review: Mapped[ReturnReview] = relationship(back_populates="items")


class RefusedReturn(Base):
    """A file a merge refused: kept so that the tracker and `return history` show it in later
    sessions too. One row per file content (SHA-256 of its bytes): refusing the same file again
    for the same reasons adds nothing. `resolved_at` is set when the same file is merged later
    (after a reopen, say). Department and year are those its metadata named, when readable.

    Like the import history this is itself a record of who did what when (the audit log is for
    changes to the plan and its figures, and a refused file changed none).
    """

    __tablename__ = "refused_return"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), nullable=True)
    fiscal_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    refused_at: Mapped[datetime] = mapped_column(DateTime)
    refused_by: Mapped[str] = mapped_column(Text, default="")
    errors_count: Mapped[int] = mapped_column(Integer, default=0)
    # JSON: [{"sheet": …, "cell": …, "ja": …, "en": …}, …], every error the merge reported.
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    department: Mapped[Department | None] = relationship()
