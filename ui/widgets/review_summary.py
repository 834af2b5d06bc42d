"""How far the year's returns are, in one line for the dashboard: at headquarters how many
departments' returns are accepted and how many are outstanding (and why); for a department,
where headquarters' review of its own return stands, when its database holds it.

Read on the worker (`ctx.tasks`), like the dashboard's charts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QWidget

from ui.context import AppContext
from ui.i18n import tr
from ui.models import year_label

if TYPE_CHECKING:
    from dxtracker.returns.review_info import ReviewInfo
    from dxtracker.returns.status import ReviewCounts
    from dxtracker.store.db import Database


def review_text_of(counts: ReviewCounts) -> str:
    return tr("回答の確認: 承認 {accepted}／対象 {expected}部局。未承認 {outstanding}（未提出 "
              "{missing}、不受理 {refused}、受付 {received}、確認中 {under_review}、差戻し中 "
              "{sent_back}）", accepted=counts.accepted, expected=counts.expected,
              outstanding=counts.outstanding, missing=counts.missing, refused=counts.refused,
              received=counts.received, under_review=counts.under_review,
              sent_back=counts.sent_back)


def load_reviews(db: Database, fiscal_year: int, department: str | None) -> Any:
    """ReviewCounts at headquarters; a department's own ReviewInfo (or None). Worker-safe."""
    from dxtracker.returns.review_info import review_of
    from dxtracker.returns.status import review_counts, submission_status
    from dxtracker.store.lookup import find_department

    with db.read() as session:
        if department is None:
            return review_counts(submission_status(session, fiscal_year))
        return review_of(session, find_department(session, department), fiscal_year)


class ReviewSummary(QLabel):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("review_summary")
        self.setWordWrap(True)
        self.loaded: Any = None
        self.setVisible(False)

    def refresh(self) -> None:
        db, fiscal_year, department = self.ctx.db, self.ctx.fiscal_year, self.ctx.department
        self.ctx.tasks.run(lambda _progress: load_reviews(db, fiscal_year, department),
                           on_success=self._loaded, parent=self, quiet=True)

    def _loaded(self, loaded: Any) -> None:
        self.loaded = loaded
        self.retranslate()

    def retranslate(self) -> None:
        from dxtracker.returns.review_info import ReviewInfo

        loaded = self.loaded
        if isinstance(loaded, ReviewInfo):
            self.setText(self._own(loaded))
        elif loaded is not None:
            self.setText(review_text_of(loaded))  # the year is the dashboard's heading
        self.setVisible(loaded is not None)

    @staticmethod
    def _own(info: ReviewInfo) -> str:
        from ui.models.tracker_model import review_text, when

        text = tr("{department}の{year}の回答（本部の確認）: {state}（{when}）",
                  department=info.department_name, year=year_label(info.fiscal_year),
                  state=review_text(info.state), when=when(info.state_at))
        if info.state == "sent_back":
            text += "\n" + tr("差戻しの理由: {reason}", reason=info.sent_back_reason)
        return text
