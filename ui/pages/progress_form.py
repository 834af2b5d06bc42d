"""The form of the progress page: one measure's status and three texts, with live counts.

The form knows what is stored (`saved_values`) and what is typed (`values`); it is dirty when
they differ. It writes nothing itself: the page saves through the core.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxtracker.store.models import STATUSES
from ui.i18n import tr
from ui.models import year_label
from ui.models.progress_model import EMPTY_PROGRESS, TEXT_FIELDS, MeasureEntry, status_text

STATUS_CHOICES = ("", *STATUSES)  # "" is (未入力)


def field_title(name: str) -> str:
    return {"record": tr("取組実績"), "issues": tr("課題"),
            "next_policy": tr("今後の対応方針")}[name]


class ProgressForm(QWidget):
    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: MeasureEntry | None = None
        self.fiscal_year: int | None = None
        self._saved = dict(EMPTY_PROGRESS)
        self._dirty = False
        self._loading = False
        self._build()

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("measure_title")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.schedule_box = QGroupBox()
        self.schedule = QLabel()
        self.schedule.setObjectName("schedule")
        self.schedule.setWordWrap(True)
        box_layout = QVBoxLayout(self.schedule_box)
        box_layout.addWidget(self.schedule)
        self.status_label = QLabel()
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_combo")
        self.status_label.setBuddy(self.status_combo)
        self.status_combo.currentIndexChanged.connect(lambda _: self._edited())
        self.editors: dict[str, QPlainTextEdit] = {}
        self.labels: dict[str, QLabel] = {}
        self.counts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow(self.status_label, self.status_combo)
        for name in TEXT_FIELDS:
            form.addRow(*self._text_row(name))
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copy_last_year")
        self.copy_button.clicked.connect(self.copy_last_year)
        self.revert_button = QPushButton()
        self.revert_button.setObjectName("revert")
        self.revert_button.clicked.connect(self.discard)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        self.message = QLabel()
        self.message.setObjectName("form_message")
        self.message.setWordWrap(True)
        self.updated = QLabel()
        self.updated.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.schedule_box)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.updated)
        order = [self.status_combo, *self.editors.values(), self.copy_button,
                 self.revert_button, self.save_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _text_row(self, name: str) -> tuple[QWidget, QWidget]:
        editor = QPlainTextEdit()
        editor.setObjectName(f"{name}_edit")
        editor.setTabChangesFocus(True)  # Tab moves on, as in every other field
        editor.textChanged.connect(lambda: self._text_changed(name))
        label, count = QLabel(), QLabel()
        count.setObjectName(f"{name}_count")
        count.setStyleSheet("color: #555;")
        label.setBuddy(editor)
        heading = QWidget()
        column = QVBoxLayout(heading)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(label)
        column.addWidget(count)
        column.addStretch(1)
        self.editors[name], self.labels[name], self.counts[name] = editor, label, count
        return heading, editor

    def last_widget(self) -> QWidget:
        return self.save_button

    # ------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        self.status_label.setText(tr("進捗状況(&T)"))
        self.labels["record"].setText(tr("取組実績(&1)"))
        self.labels["issues"].setText(tr("課題(&2)"))
        self.labels["next_policy"].setText(tr("今後の対応方針(&3)"))
        self.copy_button.setText(tr("前年度からコピー(&C)"))
        self.revert_button.setText(tr("入力を取り消す"))
        self.save_button.setText(tr("保存 (Ctrl+S)"))
        current = self.status_combo.currentIndex()
        blocked = self.status_combo.blockSignals(True)
        self.status_combo.clear()
        for status in STATUS_CHOICES:
            self.status_combo.addItem(status_text(status), status)
        self.status_combo.setCurrentIndex(max(current, 0))
        self.status_combo.blockSignals(blocked)
        for name in TEXT_FIELDS:
            self._update_count(name)
        self._update_headings()

    def _update_headings(self) -> None:
        if self.entry is None or self.fiscal_year is None:
            self.title.setText(tr("施策がありません。"))
            self.schedule_box.setTitle(tr("工程"))
            self.schedule.setText("")
            self.updated.setText("")
            return
        self.title.setText(f"{self.entry.label}\n{self.entry.project}")
        self.schedule_box.setTitle(tr("{year}の工程", year=year_label(self.fiscal_year)))
        self.schedule.setText(self.entry.schedule or tr("（この年度の工程はありません）"))
        self.updated.setText(tr("最終更新: {when}", when=self.entry.updated)
                             if self.entry.updated else tr("まだ入力されていません。"))
        self.copy_button.setEnabled(self.entry.last_year is not None)
        self.copy_button.setToolTip(
            tr("前年度（{year}）の取組実績・課題・今後の対応方針を入力欄にコピーします。",
               year=year_label(self.fiscal_year - 1))
            if self.entry.last_year else tr("前年度の入力はありません。"))

    def _update_count(self, name: str) -> None:
        self.counts[name].setText(tr("{count}文字", count=len(self.editors[name].toPlainText())))

    # ------------------------------------------------------------------ values

    def load(self, entry: MeasureEntry, fiscal_year: int) -> None:
        self.entry, self.fiscal_year = entry, fiscal_year
        self._saved = dict(entry.progress)
        self._set_values(self._saved)
        self.message.clear()
        self._update_headings()
        self._set_dirty(False)

    def clear(self) -> None:
        self.entry = None
        self._saved = dict(EMPTY_PROGRESS)
        self._set_values(self._saved)
        self.message.clear()
        self._update_headings()
        self._set_dirty(False)
        self.setEnabled(False)

    def _set_values(self, values: dict[str, str]) -> None:
        self._loading = True
        try:
            self.setEnabled(True)
            self.status_combo.setCurrentIndex(max(self.status_combo.findData(values["status"]), 0))
            for name in TEXT_FIELDS:
                self.editors[name].setPlainText(values[name])
        finally:
            self._loading = False

    def values(self) -> dict[str, str]:
        data = {"status": self.status_combo.currentData() or ""}
        data.update({name: self.editors[name].toPlainText() for name in TEXT_FIELDS})
        return data

    def saved_values(self) -> dict[str, str]:
        return dict(self._saved)

    def is_dirty(self) -> bool:
        return self._dirty

    def entry_title(self) -> str:
        return self.entry.label if self.entry else ""

    def discard(self) -> None:
        self._set_values(self._saved)
        self.message.clear()
        self._set_dirty(False)

    def copy_last_year(self) -> None:
        if self.entry is None or self.entry.last_year is None:
            return
        for name in TEXT_FIELDS:
            self.editors[name].setPlainText(self.entry.last_year[name])
        self.show_message(tr("前年度の入力をコピーしました。内容を今年度に合わせて直し、保存してください。"))

    # ------------------------------------------------------------------ feedback

    def _text_changed(self, name: str) -> None:
        self._update_count(name)
        self._edited()

    def _edited(self) -> None:
        if not self._loading:
            self._set_dirty(self.values() != self._saved)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def show_saved(self) -> None:
        self.show_message(tr("保存しました。"), colour="#1d6b2c")

    def show_error(self, message: str) -> None:
        self.show_message(message, colour="#b00000")

    def show_message(self, message: str, colour: str = "#333") -> None:
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(message)
