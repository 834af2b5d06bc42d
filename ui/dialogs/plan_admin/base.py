"""What the plan-administration dialogs share: a form of fields, the preview of what the step
will change (HTML, updated as the fields change), a message line for what the core refuses,
and [confirm] [cancel]. Confirming calls the core; on success the app re-reads the plan
(`ctx.plan_changed`) and the dialog closes; a refusal leaves it open with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import FiscalYearError
from dxtracker.figures.parse import ValueParseError
from ui.context import AppContext
from ui.i18n import language, list_text, tr
from ui.models import full_year_label

USER_ERRORS = (DxTrackerError, ValueParseError, FiscalYearError)


def html_list(items: Iterable[str], *, empty: str = "") -> str:
    """Items (plain text) as an HTML list; `empty` (plain text) when there are none."""
    rows = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"<ul>{rows}</ul>" if rows else f"<p>{escape(empty)}</p>" if empty else ""


def codes_text(codes: Iterable[str]) -> str:
    """Codes as a list in the running text ("P03-K1、P03-K2" / "P03-K1, P03-K2"), — if none."""
    return list_text(codes) or "—"


def para(text: str, *, strong: bool = False) -> str:
    body = escape(text).replace("\n", "<br>")
    return f"<p><b>{body}</b></p>" if strong else f"<p>{body}</p>"


def date_edit(name: str) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def year_combo(name: str, years: Iterable[int]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for fiscal_year in years:
        combo.addItem(full_year_label(fiscal_year), fiscal_year)
    return combo


def chosen_date(edit: QDateEdit) -> date:
    return edit.date().toPython()  # type: ignore[no-any-return]


class ConfirmDialog(QDialog):
    """Subclasses build their fields into `self.form` (with `add_row`), and define `title`,
    `ok_text`, `label_texts`, `preview_html` and `apply` (the core call; returns the status
    message, or None when it finishes later, as background work)."""

    name = "confirm"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"{self.name}_dialog")
        self.labels: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.preview_title = QLabel()
        self.preview = QTextBrowser()
        self.preview.setObjectName(f"{self.name}_preview")
        self.preview_title.setBuddy(self.preview)
        self.message = QLabel()
        self.message.setObjectName(f"{self.name}_message")
        self.message.setWordWrap(True)
        self.ok_button, self.cancel_button = QPushButton(), QPushButton()
        self.ok_button.setObjectName(f"{self.name}_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.done_text = ""
        self.source: QObject | None = None  # a page that refreshes itself after the change
        # Set by `preview_html` when the step cannot be taken but the preview still explains
        # the situation (what refers to an item, what a department is in charge of).
        self.refusal = ""
        self.button_row = buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview_title)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(680, 540)

    def add_row(self, key: str, widget: QWidget) -> None:
        label = QLabel()
        label.setBuddy(widget)
        self.labels[key] = label
        self.form.addRow(label, widget)

    def finish_setup(self) -> None:
        """Call at the end of a subclass's __init__: texts, then the first preview."""
        self.retranslate()

    # --- what subclasses say ---------------------------------------------------------------
    def title(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def ok_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def label_texts(self) -> dict[str, str]:
        return {}

    def preview_html(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- behaviour ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.title())
        for key, text in self.label_texts().items():
            if key in self.labels:  # (a dialog of several kinds shows some of its fields)
                self.labels[key].setText(text)
        self.preview_title.setText(tr("変更の内容(&C):"))
        self.ok_button.setText(self.ok_text())
        self.cancel_button.setText(tr("キャンセル"))
        self.update_preview()

    def update_preview(self) -> None:
        """Show what confirming would change; a refusal disables the confirm button."""
        self.refusal = ""
        try:
            html = self.preview_html()
        except USER_ERRORS as exc:
            self.preview.clear()
            self.show_message(exc.message(language()), error=True)
            self.ok_button.setEnabled(False)
            return
        self.preview.setHtml(html)
        self.show_message(self.refusal, error=bool(self.refusal))
        self.ok_button.setEnabled(not self.refusal)

    def confirm(self) -> None:
        try:
            text = self.apply()
        except USER_ERRORS as exc:
            self.show_message(exc.message(language()), error=True)
            return
        if text is not None:
            self.succeeded(text)

    def succeeded(self, text: str) -> None:
        self.done_text = text
        self.ctx.plan_changed(text, source=self.source)
        self.accept()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)
