"""Accepted figures are locked: once headquarters has accepted a department's return for a
fiscal year (承認), that department's actuals and progress of that year are not changed again —
not by a form, the command line, a later return or undoing a merge — until headquarters reopens
the return (`dxtracker.returns.review`).

The check lives here, below the entry functions (`entry.set_actual_in` / `set_progress_in`) and
the merge, which both ask it; the review itself (who accepts, reopening) is the returns layer's.
A change that would leave a figure as it is passes: only a change is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.store.models import Department, ReturnReview

ACCEPTED = "accepted"


class FiguresLocked(DxTrackerError):
    """A change to figures headquarters has accepted; says when and by whom."""


@dataclass(frozen=True)
class Lock:
    """An accepted return: whose, which year, accepted when and by whom."""

    department_name: str
    fiscal_year: int
    accepted_at: datetime
    accepted_by: str

    def message(self, what_ja: str, what_en: str) -> tuple[str, str]:
        """Why `what` cannot be changed, and what to do (Japanese, English)."""
        when = f"{self.accepted_at:%Y-%m-%d}"
        who = self.accepted_by or "（不明）"
        who_en = self.accepted_by or "(unknown)"
        year = fiscal_year_label(self.fiscal_year)
        return (
            f"{self.department_name}の{year}の回答は {when} に {who} が承認済みのため、{what_ja}は"
            "変更できません。変更が必要な場合は、本部が承認を取り消して（再開）から変更してください。",
            f"The return of {self.department_name} for FY{self.fiscal_year} was accepted on "
            f"{when} by {who_en}, so {what_en} cannot be changed. Headquarters must reopen it "
            "first.",
        )

    def refuse(self, what_ja: str, what_en: str) -> FiguresLocked:
        return FiguresLocked(*self.message(what_ja, what_en))


# Built once, with bound parameters, and run on the session's connection (plain rows): a
# merge asks once per file, a form once per entry (see returns/current.py on why).
_ACCEPTED = (
    select(ReturnReview.accepted_at, ReturnReview.accepted_by, ReturnReview.state_at,
           ReturnReview.state_by, Department.name)
    .join(Department, Department.id == ReturnReview.department_id)
    .where(ReturnReview.state == ACCEPTED,
           ReturnReview.department_id == bindparam("department_id"),
           ReturnReview.fiscal_year == bindparam("fiscal_year"))
)


def lock_of(session: Session, department_id: int | None, fiscal_year: int) -> Lock | None:
    """The lock on `department_id`'s figures of `fiscal_year`, if its return was accepted.
    Figures recorded without a department (the plan document's totals) are never locked."""
    if department_id is None:
        return None
    row = session.connection().execute(
        _ACCEPTED, {"department_id": department_id, "fiscal_year": fiscal_year}).first()
    if row is None:
        return None
    accepted_at, accepted_by, state_at, state_by, name = row
    return Lock(name, fiscal_year, accepted_at or state_at, accepted_by or state_by)


def check_unlocked(session: Session, department_id: int | None, fiscal_year: int,
                   what_ja: str, what_en: str) -> None:
    """Raise FiguresLocked when that department's figures of the year are accepted."""
    lock = lock_of(session, department_id, fiscal_year)
    if lock is not None:
        raise lock.refuse(what_ja, what_en)
