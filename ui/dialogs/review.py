"""Reviewing a return (headquarters, from the submission tracker): start the review, accept,
reopen — and send back, with a reason per item chosen from the return's items (send_back.py).

Each dialog is the confirmation: it says what will happen before the button that does it (what
accepting locks, what reopening unlocks, which file a send-back writes), and that button names
the action. The core does the work in one transaction on the worker (`ctx.tasks`); the dialog
closes on success, and on failure shows the core's message and stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import tr
from ui.models import year_label
from ui.tasks import error_text

if TYPE_CHECKING:
    from dxtracker.returns.review_info import ReviewInfo

ACTION_TITLES = ("start", "accept", "reopen")


def reason_edit(name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)  # Tab leaves the field: the dialog stays keyboard-friendly
    edit.setFixedHeight(72)
    return edit


class ReviewDialog(QDialog):
    """Start the review, accept or reopen one department's return for the year."""

    def __init__(self, ctx: AppContext, department: str, action: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if action not in ACTION_TITLES:
            raise ValueError(f"no dialog for review action {action!r}")
        self.ctx, self.department, self.action = ctx, department, action
        self.fiscal_year = ctx.fiscal_year
        self.result_info: ReviewInfo | None = None
        self.setObjectName(f"review_dialog_{action}")
        self.explanation = QLabel()
        self.explanation.setObjectName("review_explanation")
        self.explanation.setWordWrap(True)
        self.reason_label = QLabel()
        self.reason = reason_edit("review_reason")
        self.reason_label.setBuddy(self.reason)
        self.reason.textChanged.connect(self._update_button)
        self.message = QLabel()
        self.message.setObjectName("review_message")
        self.message.setWordWrap(True)
        self.ok_button = QPushButton()
        self.ok_button.setObjectName("review_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.apply)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        for widget in (self.explanation, self.reason_label, self.reason, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        self.retranslate()
        self._update_button()
        self.reason.setFocus()

    @property
    def reason_needed(self) -> bool:
        return self.action == "reopen"

    def retranslate(self) -> None:
        names = {"department": self.department, "year": year_label(self.fiscal_year)}
        titles = {"start": tr("確認の開始"), "accept": tr("回答の承認"),
                  "reopen": tr("承認の取消し（再開）")}
        texts = {
            "start": tr("{department}の{year}の回答の確認を始めます。確認状況が「確認中」になります。"
                        "この後、承認するか差し戻してください。", **names),
            "accept": tr("{department}の{year}の回答を承認します。\n承認すると、{department}の{year}の"
                         "実績値と施策の進捗は変更できなくなります（入力画面・コマンド・後から届く回答の"
                         "いずれからも）。変更が必要になったときは、本部が「再開」すると変更できます。",
                         **names),
            "reopen": tr("{department}の{year}の回答の承認を取り消し、「確認中」に戻します。\n"
                         "{department}の{year}の実績値と進捗は、再び変更できるようになります。"
                         "再開したことは理由とともに変更履歴に記録されます。", **names),
        }
        buttons = {"start": tr("確認を開始する(&K)"), "accept": tr("承認する(&A)"),
                   "reopen": tr("再開する(&R)")}
        self.setWindowTitle(titles[self.action])
        self.explanation.setText(texts[self.action])
        self.reason_label.setText(tr("理由（必須）(&E):") if self.reason_needed
                                  else tr("メモ（任意）(&E):"))
        self.ok_button.setText(buttons[self.action])
        self.cancel_button.setText(tr("キャンセル"))

    def _update_button(self) -> None:
        self.ok_button.setEnabled(not self.reason_needed
                                  or bool(self.reason.toPlainText().strip()))

    def apply(self) -> None:
        from dxtracker.returns.review import change_review

        db, department, fiscal_year = self.ctx.db, self.department, self.fiscal_year
        action, reason = self.action, self.reason.toPlainText().strip()
        self.ok_button.setEnabled(False)
        run_review(self, lambda: change_review(db, department, fiscal_year, action,
                                               reason=reason, source="form"), self._done)

    def _done(self, info: ReviewInfo) -> None:
        self.result_info = info
        self.ctx.notify_saved(tr("{department}の{year}の回答: {state}",
                                 department=info.department_name,
                                 year=year_label(info.fiscal_year), state=state_text(info)))
        self.accept()


def state_text(info: ReviewInfo) -> str:
    from ui.models.tracker_model import review_text

    return review_text(info.state)


def run_review(dialog: Any, work: Callable[[], Any],
               on_done: Callable[[Any], None]) -> None:
    """Run the core's review action on the worker; `on_done(result)` on success, and on
    failure the core's message in the dialog, which stays open."""
    def failed(exc: BaseException) -> None:
        dialog.message.setStyleSheet("color: #b00000;")
        dialog.message.setText(error_text(exc))
        dialog.ok_button.setEnabled(True)

    dialog.ctx.tasks.run(lambda _progress: work(), on_success=on_done, on_failure=failed,
                         progress_label=tr("保存しています…"), parent=dialog)
