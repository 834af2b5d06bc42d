"""The 項目の編集 tab: choose a vision, project, KPI or measure from the plan's outline (retired
ones marked), edit it in its form, save with Ctrl+S, add a KPI or measure to the project,
delete or retire the item. Unsaved changes are settled (save, discard or stay) before another
item is shown or the window closes. Every save, addition, deletion and retirement goes on the
app's undo stack (`ui.plan_commands`): Ctrl+Z / Ctrl+Y undo and redo it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import FiscalYearError
from dxtracker.figures.parse import ValueParseError
from dxtracker.plan import edit_kpis, edit_measures
from dxtracker.plan.item_state import capture
from dxtracker.plan.item_versions import item_versions
from dxtracker.store.models import ALL_DEPARTMENTS, Kpi, Measure
from dxtracker.store.row_versions import RowChanged, Versions
from ui.i18n import language, tr
from ui.models.plan_items import plan_items
from ui.pages.plan_editor.forms import ItemForm, MeasureForm, ProjectForm, VisionForm
from ui.pages.plan_editor.kpi_form import KpiForm
from ui.plan_commands import PlanUndo

if TYPE_CHECKING:
    from ui.pages.plan_editor.page import PlanEditorPage

Button = QMessageBox.StandardButton
# Changes the navigation tree shows (names, new marks, departments): re-read the outline.
OUTLINE_FIELDS = {"name", "title", "is_new", "reporting_departments", "departments",
                  "lead_department_id", "vision_id", "vision_title"}


class ItemEditor(QWidget):
    """Choose a project, KPI or measure; edit it in its form; save with Ctrl+S."""

    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.code: str | None = None
        self.loaded: dict[str, Any] = {}
        self.versions: Versions = {}  # of the rows the form loaded (optimistic locking)
        self.chooser = QComboBox()
        self.chooser.setObjectName("item_chooser")
        # Sized by a length, not by its longest entry: that measured every item of the plan
        # (thousands on a large plan) before the page could show.
        self.chooser.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(40)
        self.chooser.activated.connect(lambda _: self._chosen())
        self.chooser_label = QLabel()
        self.chooser_label.setBuddy(self.chooser)
        self.forms: dict[str, ItemForm] = {"vision": VisionForm(), "project": ProjectForm(),
                                           "kpi": KpiForm(), "measure": MeasureForm()}
        self.stack = QStackedWidget()
        for form in self.forms.values():
            self.stack.addWidget(form)
        self.message = QLabel()
        self.message.setObjectName("editor_message")
        self.message.setWordWrap(True)
        self.save_button, self.add_kpi, self.add_measure, self.remove_button = (
            QPushButton() for _ in range(4))
        self.save_button.setObjectName("save_item")
        self.save_button.clicked.connect(self.save)
        self.add_kpi.clicked.connect(lambda: self.add("kpi"))
        self.add_measure.clicked.connect(lambda: self.add("measure"))
        self.remove_button.setObjectName("remove_item")
        self.remove_button.clicked.connect(self.remove)
        self.dialog: QDialog | None = None
        self.forms["kpi"].withdraw_button.clicked.connect(self.withdraw)  # type: ignore[attr-defined]
        self._lay_out()
        save = QAction(self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.triggered.connect(self.save)
        self.addAction(save)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.chooser_label)
        top.addWidget(self.chooser, 1)
        buttons = QHBoxLayout()
        for widget in (self.add_kpi, self.add_measure, self.remove_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def retranslate(self) -> None:
        self.chooser_label.setText(tr("編集する項目(&I):"))
        self.save_button.setText(tr("保存(&S)"))
        self.add_kpi.setText(tr("指標を追加(&K)"))
        self.add_measure.setText(tr("施策を追加(&M)"))
        self.remove_button.setText(tr("削除・廃止(&X)…"))
        for form in self.forms.values():
            form.retranslate()

    def refresh(self) -> None:
        with self.ctx.db.read() as session:
            entries = plan_items(session)
        self.chooser.clear()
        for entry in entries:
            self.chooser.addItem(entry.text, (entry.kind, entry.code))
        if self.is_dirty():  # data changed elsewhere: keep what is being typed
            self._select(self.code)
            return
        codes = [entry.code for entry in entries]
        wanted = self.code if self.code in codes else (codes[0] if codes else None)
        if wanted is not None:
            self.show_item(wanted, ask=False)

    def kind(self) -> str:
        return next(k for k, f in self.forms.items() if f is self.stack.currentWidget())

    def _select(self, code: str | None) -> int:
        index = next((i for i in range(self.chooser.count())
                      if self.chooser.itemData(i)[1] == code), -1)
        if index >= 0:
            self.chooser.setCurrentIndex(index)
        return index

    def show_item(self, code: str, *, ask: bool = True) -> None:
        """Load an item into its form (codes not in the plan are ignored)."""
        if ask and not self.settle_unsaved():
            return
        index = self._select(code)
        if index < 0:
            return
        kind = self.chooser.itemData(index)[0]
        form = self.forms[kind]
        for button in (self.add_kpi, self.add_measure):  # added to a project
            button.setEnabled(kind != "vision")
        with self.ctx.db.read() as session:
            form.load(session, code)
            self.versions = item_versions(session, kind, code)
        form.retranslate()
        self.stack.setCurrentWidget(form)
        self.code, self.loaded = code, form.values()
        self.message.clear()

    def _chosen(self) -> None:
        data = self.chooser.currentData()
        if not data or data[1] == self.code:
            return
        if self.settle_unsaved():
            self.show_item(data[1], ask=False)
        else:
            self._select(self.code)  # stay on the item being edited

    def is_dirty(self) -> bool:
        return self.code is not None and self.forms[self.kind()].values() != self.loaded

    def settle_unsaved(self) -> bool:
        if not self.is_dirty():
            return True
        answer = self.page.ask_unsaved()
        if answer == Button.Save:
            return self.save()
        if answer == Button.Discard:
            self.loaded = self.forms[self.kind()].values()
            return True
        return False

    def save(self) -> bool:
        if self.code is None:
            return True
        form = self.forms[self.kind()]
        problem = form.check() if isinstance(form, KpiForm) else None
        if problem:
            problem[0].setFocus()
            self.show_message(problem[1], error=True)
            return False
        kind, db = self.kind(), self.ctx.db
        try:
            before = capture(db, kind, self.code)
            done = form.save(db, self.code, self.versions)
            after = capture(db, kind, self.code)
        except RowChanged as exc:
            # Changed by someone else since it was loaded: nothing was written. Show the item
            # as it is now, and who changed it when.
            self.loaded = form.values()
            self.show_item(self.code, ask=False)
            self.show_message(exc.message(language()), error=True)
            return False
        except (DxTrackerError, ValueParseError, FiscalYearError) as exc:
            self.show_message(exc.message(language()), error=True)
            return False
        PlanUndo(self.ctx, self).edited(kind, self.code, before, after,
                                        tr("{code} の編集", code=self.code))
        text = tr("{code} を保存しました（{count}項目を変更）", code=self.code, count=len(done))
        self.loaded = form.values()
        if set(done) & OUTLINE_FIELDS:
            self.page.outline_changed(text)
        else:
            self.ctx.notify_saved(text, source=self.page)
            self.show_item(self.code, ask=False)  # canonical figures, new revisions
        self.show_message(text)
        return True

    def add(self, kind: str) -> None:
        if not self.settle_unsaved() or self.code is None:
            return
        with self.ctx.db.read() as session:
            project = _project_of(session, self.code)
        try:
            if kind == "kpi":
                code = edit_kpis.add_kpi(self.ctx.db, project, tr("新しい指標"), source="form",
                                         reporting_departments=[ALL_DEPARTMENTS])
            else:
                code = edit_measures.add_measure(self.ctx.db, project, tr("新しい施策"),
                                                 source="form", departments=[ALL_DEPARTMENTS])
        except DxTrackerError as exc:
            self.show_message(exc.message(language()), error=True)
            return
        PlanUndo(self.ctx, self).added(kind, code, tr("{code} の追加", code=code))
        self.code = code
        self.page.outline_changed(tr("{code} を追加しました", code=code))

    def withdraw(self) -> None:
        """The KPI's revisions, to withdraw one recorded by mistake."""
        if self.code is None or not self.settle_unsaved():
            return
        from ui.dialogs.plan_admin.revisions import RevisionsDialog

        self._open_dialog(RevisionsDialog(self.ctx, self.code, self.page))

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def remove(self) -> None:
        """Delete or retire the item shown (a dialog says what refers to it first)."""
        if self.code is None or not self.settle_unsaved():
            return
        from ui.dialogs.plan_admin.remove_item import RemoveItemDialog

        self._open_dialog(RemoveItemDialog(self.ctx, self.code, self.page))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)


def _project_of(session: Session, code: str) -> str:
    """The project a KPI or measure belongs to (a project's code is its own)."""
    for model in (Kpi, Measure):
        row = session.scalar(select(model).where(model.code == code))
        if row is not None:
            return row.project.code
    return code
