"""Reading the review of the returns: the state of each department's return for a year, as
plain values for the command line, the tracker and the dashboard (nothing here writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dxtracker.store.models import Department, ReturnReview

# state → (Japanese, English), in the order of the review.
STATE_LABELS = {
    "received": ("受付", "received"),
    "under_review": ("確認中", "under review"),
    "accepted": ("承認", "accepted"),
    "sent_back": ("差戻し", "sent back"),
}


def state_label(state: str, language: str = "ja") -> str:
    ja, en = STATE_LABELS.get(state, (state, state))
    return en if language == "en" else ja


@dataclass(frozen=True)
class ReviewItemInfo:
    entity: str  # kpi_actual, measure_progress
    item_code: str
    reason: str


@dataclass(frozen=True)
class ReviewInfo:
    """One department's return for one year, as headquarters' review left it."""

    department_code: str
    department_name: str
    fiscal_year: int
    state: str
    state_at: datetime
    state_by: str
    note: str  # the reason given with the last transition
    accepted_at: datetime | None
    accepted_by: str
    sent_back_at: datetime | None
    sent_back_by: str
    sent_back_reason: str
    send_backs: int
    items: tuple[ReviewItemInfo, ...]  # of the last send-back

    def label(self, language: str = "ja") -> str:
        return state_label(self.state, language)

    @property
    def accepted(self) -> bool:
        return self.state == "accepted"


def info_of(review: ReturnReview) -> ReviewInfo:
    return ReviewInfo(
        review.department.code, review.department.name, review.fiscal_year, review.state,
        review.state_at, review.state_by, review.note, review.accepted_at, review.accepted_by,
        review.sent_back_at, review.sent_back_by, review.sent_back_reason, review.send_backs,
        tuple(ReviewItemInfo(i.entity, i.item_code, i.reason) for i in review.items))


def _query() -> Select[ReturnReview]:
    return select(ReturnReview).options(selectinload(ReturnReview.department),
                                        selectinload(ReturnReview.items))


def review_row(session: Session, department_id: int, fiscal_year: int) -> ReturnReview | None:
    return session.scalar(_query().where(ReturnReview.department_id == department_id,
                                         ReturnReview.fiscal_year == fiscal_year))


def review_of(session: Session, department: Department, fiscal_year: int) -> ReviewInfo | None:
    """The review of `department`'s return for the year; None while none was merged."""
    row = review_row(session, department.id, fiscal_year)
    return info_of(row) if row is not None else None


def reviews_of_year(session: Session, fiscal_year: int) -> dict[int, ReviewInfo]:
    """Department id → its review, for every department with a merged return in the year."""
    rows = session.scalars(_query().where(ReturnReview.fiscal_year == fiscal_year))
    return {row.department_id: info_of(row) for row in rows}
