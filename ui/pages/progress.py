"""Measure progress (施策の進捗): per measure, status, 取組実績, 課題 and 今後の対応方針.

The list on the left shows the department's measures for the year with their status; the form
on the right edits one of them. 保存 (Ctrl+S) writes the four fields in one transaction and
pushes one command on the undo stack. Leaving a measure with unsaved edits asks first.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QListView,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dxtracker.errors import DxTrackerError
from dxtracker.figures.entry import ProgressChange
from dxtracker.store.row_versions import RowChanged
from ui.commands import ProgressKey, SetProgressCommand, write_progress
from ui.context import AppContext
from ui.i18n import language, tr
from ui.models import year_label
from ui.models.progress_model import TEXT_FIELDS, ProgressListModel, load_progress_rows
from ui.pages import Page
from ui.pages.progress_form import ProgressForm, field_title
from ui.widgets.department_header import DepartmentHeader

Button = QMessageBox.StandardButton


class ProgressPage(Page):
    page_key = "progress"
    title_ja = "施策の進捗"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.list_model = ProgressListModel(self)
        self.key: ProgressKey | None = None  # what the form shows
        self._build()
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        self.header = DepartmentHeader(self.ctx, self)
        self.header.department_chosen.connect(self._department_chosen)
        self.header.export_requested.connect(self.open_export_dialog)
        self.heading = self.header.heading
        self.department_combo = self.header.department_combo
        self.export_button = self.header.export_button
        self.list_view = QListView()
        self.list_view.setObjectName("measure_list")
        self.list_view.setModel(self.list_model)
        self.list_view.setWordWrap(True)
        self.list_view.setSpacing(2)
        self.list_view.selectionModel().currentChanged.connect(
            lambda current, previous: self._measure_chosen(current.row(), previous.row()))
        self.form = ProgressForm(self)
        self.form.save_button.clicked.connect(self.save)
        self.form.dirty_changed.connect(self._dirty_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_view)
        self.splitter.addWidget(self.form)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([340, 760])
        self.remember_splitter(self.splitter, "main")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self.save_action = QAction(self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.setTabOrder(self.department_combo, self.list_view)
        self.setTabOrder(self.list_view, self.form.status_combo)
        self.setTabOrder(self.form.last_widget(), self.export_button)

    # ------------------------------------------------------------------ Page API

    def department(self) -> str | None:
        return self.header.department()

    def refresh(self) -> None:
        self.header.fill_departments()
        department, fiscal_year = self.department(), self.ctx.fiscal_year
        if self.key and (department, fiscal_year) != (self.key.department, self.key.fiscal_year):
            # The year or department changed under unsaved edits: save them or drop them.
            self._settle_unsaved(can_cancel=False)
        entries = []
        if department is not None:
            with self.ctx.db.read() as session:
                entries = load_progress_rows(session, department, fiscal_year)
        self.list_model.set_entries(entries)
        self._update_heading()
        self._show_current()

    def retranslate(self) -> None:
        self.header.retranslate()
        self.form.retranslate()
        self.list_model.refresh_all()
        self._update_heading()

    def confirm_close(self) -> bool:
        return self._settle_unsaved(can_cancel=True)

    # ------------------------------------------------------------------ showing

    def _update_heading(self) -> None:
        department = self.department()
        if department is None:
            self.heading.setText(tr("部局を選んでください。"))
            return
        self.heading.setText(tr("{year} {department}の施策の進捗",
                                year=year_label(self.ctx.fiscal_year),
                                department=department))

    def _show_current(self) -> None:
        """Select the measure the form shows (or the first one) and load it unless dirty."""
        code = self.key.measure_code if self.key else None
        position = self.list_model.position_of(code) if code else None
        if position is None:
            position = 0 if self.list_model.entries else None
        if position is None:
            self.key = None
            self.form.clear()
            return
        index = self.list_model.index(position)
        selection = self.list_view.selectionModel()
        blocked = selection.blockSignals(True)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        selection.blockSignals(blocked)
        if not self.form.is_dirty() or self.key is None:
            self._load_form(position)

    def _load_form(self, position: int) -> None:
        entry = self.list_model.entries[position]
        department = self.department()
        assert department is not None
        self.key = ProgressKey(entry.code, self.ctx.fiscal_year, department)
        self.form.load(entry, self.ctx.fiscal_year)

    def _measure_chosen(self, row: int, previous: int) -> None:
        if row < 0 or row >= len(self.list_model.entries):
            return
        if not self._settle_unsaved(can_cancel=True):
            # Stay on the measure being edited.
            selection = self.list_view.selectionModel()
            blocked = selection.blockSignals(True)
            selection.setCurrentIndex(self.list_model.index(previous),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect)
            selection.blockSignals(blocked)
            return
        self._load_form(row)

    def _department_chosen(self) -> None:
        self.refresh()

    def _dirty_changed(self, dirty: bool) -> None:
        self.list_model.set_dirty(self.key.measure_code if dirty and self.key else None)

    # ------------------------------------------------------------------ saving

    def ask_unsaved(self, can_cancel: bool) -> Button:
        """Save, Discard or (when possible) Cancel; replaced in tests."""
        buttons = Button.Save | Button.Discard
        if can_cancel:
            buttons |= Button.Cancel
        return QMessageBox.question(
            self, tr("未保存の変更"),
            tr("「{measure}」の入力が保存されていません。保存しますか？",
               measure=self.form.entry_title()), buttons, Button.Save)

    def _settle_unsaved(self, *, can_cancel: bool) -> bool:
        """True when it is fine to leave the form (saved, discarded or clean)."""
        if not self.form.is_dirty():
            return True
        answer = self.ask_unsaved(can_cancel)
        if answer == Button.Save:
            return self.save()
        if answer == Button.Discard:
            self.form.discard()
            return True
        return False

    def save(self) -> bool:
        if self.key is None or not self.form.is_dirty():
            return True
        before, after = self.form.saved_values(), self.form.values()
        changed = {name: after[name] for name in after if after[name] != before[name]}
        old = {name: before[name] for name in changed}
        version = self.form.entry.version if self.form.entry else 0
        try:
            change = write_progress(self.ctx.db, self.key, changed, version)
        except RowChanged as exc:
            self._changed_elsewhere(exc, typed=after)
            return False
        except DxTrackerError as exc:
            self.form.show_error(exc.message(language()))
            return False
        self.ctx.undo_stack.push(SetProgressCommand(
            self.ctx.db, self.key, old, changed,
            tr("進捗の入力（{measure}）", measure=self.form.entry_title()),
            on_applied=self.apply_change, on_failed=self._undo_failed, version=change.version))
        self.apply_change(change)
        return True

    def apply_change(self, change: ProgressChange) -> None:
        """Show a written change (a save, an undo or a redo) and tell the other pages."""
        shown = self.key and (change.measure_code, change.fiscal_year, change.department) == (
            self.key.measure_code, self.key.fiscal_year, self.key.department)
        if change.department == self.department() and change.fiscal_year == self.ctx.fiscal_year:
            with self.ctx.db.read() as session:
                entries = load_progress_rows(session, change.department, change.fiscal_year)
            self.list_model.set_entries(entries)
            if shown:
                position = self.list_model.position_of(change.measure_code)
                if position is not None:
                    self.form.load(self.list_model.entries[position], change.fiscal_year)
                    self.form.show_saved()
        self.ctx.notify_saved(tr("{year} {measure} の進捗を保存しました",
                                     year=year_label(change.fiscal_year),
                                     measure=change.measure_code), source=self)

    def _undo_failed(self, exc: DxTrackerError) -> None:
        if isinstance(exc, RowChanged):
            self._changed_elsewhere(exc)
            return
        self.form.show_error(exc.message(language()))

    def _changed_elsewhere(self, exc: RowChanged, typed: dict[str, str] | None = None) -> None:
        """Someone else saved this measure's progress since the form loaded it: nothing was
        written. The form shows what is stored now; what was typed goes to the clipboard, so
        that long texts are not lost."""
        message = exc.message(language())
        if typed:
            QApplication.clipboard().setText("\n\n".join(
                f"【{field_title(name)}】\n{typed[name]}" for name in TEXT_FIELDS if typed[name]))
            message += "\n" + tr("入力した文章はクリップボードにコピーしました。")
        self.form.discard()  # not dirty: the refresh loads the stored values into the form
        self.refresh()
        self.form.show_error(message)

    def open_export_dialog(self) -> None:
        from ui.dialogs.export_return import ExportReturnDialog

        if self._settle_unsaved(can_cancel=True):
            ExportReturnDialog(self.ctx, self.department(), self).open()

