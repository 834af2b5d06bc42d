"""KPI entry (実績入力): a department's KPIs for the fiscal year, actual and note typed in place.

Keyboard first: Enter or F2 edits the current cell (typing starts editing too), Tab and
Shift+Tab move between the input columns only (actual → note → next row's actual), Ctrl+Z /
Ctrl+Y undo and redo through the app-wide undo stack. While a figure is typed, the line below
the table says how it will be read ("1,234 件として保存します") or why it cannot be.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from ui.context import AppContext
from ui.i18n import language, tr
from ui.models import year_label
from ui.models.kpi_entry_model import INPUT_COLUMNS, Column, KpiEntryModel
from ui.pages import Page
from ui.widgets.department_header import DepartmentHeader

Index = QModelIndex | QPersistentModelIndex
# Fits a 1366-pixel screen with the navigation shown; the status column takes the rest.
COLUMN_WIDTHS = {Column.PROJECT: 120, Column.KPI: 220, Column.UNIT: 44, Column.BASELINE: 80,
                 Column.TARGET: 124, Column.LAST_ACTUAL: 96, Column.ACTUAL: 100,
                 Column.NOTE: 140, Column.STATUS: 110}


class EntryDelegate(QStyledItemDelegate):
    """A line editor that reports each keystroke, so the page can preview the parsed value."""

    typing = Signal(int, int, str)  # row, column, text

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName(f"entry_editor_{index.column()}")
        row, column = index.row(), index.column()
        editor.textEdited.connect(lambda text: self.typing.emit(row, column, text))
        return editor

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QLineEdit)
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class KpiEntryView(QTableView):
    """Enter starts editing; Tab and Shift+Tab visit the input columns only."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        current = self.currentIndex()
        if (enter and self.state() != QAbstractItemView.State.EditingState
                and current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable):
            self.edit(current)
            return
        super().keyPressEvent(event)

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        forward = action == QAbstractItemView.CursorAction.MoveNext
        if action not in (QAbstractItemView.CursorAction.MoveNext,
                          QAbstractItemView.CursorAction.MovePrevious):
            return super().moveCursor(action, modifiers)
        return self._next_input(self.currentIndex(), forward)

    def _next_input(self, current: QModelIndex, forward: bool) -> QModelIndex:
        model = self.model()
        cells = [(r, c) for r in range(model.rowCount()) for c in INPUT_COLUMNS]
        if not cells:
            return current
        here = (current.row(), current.column()) if current.isValid() else (-1, -1)
        if forward:
            following = [cell for cell in cells if cell > here]
            target = following[0] if following else cells[0]
        else:
            preceding = [cell for cell in cells if cell < here]
            target = preceding[-1] if preceding else cells[-1]
        return model.index(*target)


class KpiEntryPage(Page):
    page_key = "kpi_entry"
    title_ja = "実績入力"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = KpiEntryModel(ctx.db, ctx.undo_stack, self)
        self._build()
        self.model.entry_saved.connect(self._on_saved)
        self.model.entry_failed.connect(self._show_error)
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        self.header = DepartmentHeader(self.ctx, self)
        self.header.department_chosen.connect(self.refresh)
        self.header.export_requested.connect(self.open_export_dialog)
        self.heading = self.header.heading
        self.department_combo = self.header.department_combo
        self.export_button = self.header.export_button
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.view = self._make_view()
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.error_label = QLabel()
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00000; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.preview)
        layout.addWidget(self.error_label)
        self.setTabOrder(self.department_combo, self.view)
        self.setTabOrder(self.view, self.export_button)

    def _make_view(self) -> KpiEntryView:
        view = KpiEntryView()
        view.setObjectName("kpi_entry_table")
        view.setModel(self.model)
        self.delegate = EntryDelegate(view)
        self.delegate.typing.connect(self._preview_typing)
        for column in INPUT_COLUMNS:
            view.setItemDelegateForColumn(column, self.delegate)
        view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setWordWrap(True)
        view.setAlternatingRowColors(False)
        view.verticalHeader().setVisible(False)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda *_: view.resizeRowsToContents())
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            view.setColumnWidth(column, width)
        self.model.modelReset.connect(self._after_reset)
        return view

    # ------------------------------------------------------------------ Page API

    def department(self) -> str | None:
        return self.header.department()

    def refresh(self) -> None:
        self.model.db = self.ctx.db
        self.header.fill_departments()
        self.model.load(self.department(), self.ctx.fiscal_year)
        self._update_heading()

    def retranslate(self) -> None:
        self.header.retranslate()
        self.hint.setText(tr(
            "今年度実績と備考を入力します。数値は 1,234、１，２３４件、約1,900、12万、▲12 の"
            "ように入力できます。Enter または F2 で編集、Tab で次の入力欄へ、"
            "Ctrl+Z で元に戻す、Ctrl+Y でやり直し。"))
        self.model.retranslate()
        self._update_heading()

    def _update_heading(self) -> None:
        department = self.department()
        if department is None:
            self.heading.setText(tr("部局を選んでください。"))
            return
        self.heading.setText(tr("{year} {department}の指標の実績",
                                year=year_label(self.ctx.fiscal_year),
                                department=department))

    def _after_reset(self) -> None:
        self.view.resizeRowsToContents()
        self.preview.clear()
        self.error_label.clear()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, Column.ACTUAL))

    # ------------------------------------------------------------------ feedback

    def _on_saved(self, message: str) -> None:
        self.preview.clear()
        # The model already shows the change: the other pages refresh, this one need not.
        self.ctx.notify_saved(message, source=self)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)

    def _preview_typing(self, row: int, column: int, text: str) -> None:
        if column != Column.ACTUAL or row >= len(self.model.rows):
            return
        unit = self.model.rows[row].unit
        try:
            value = parse_value(text, unit=unit, allow_words=False)
        except ValueParseError as exc:
            self.preview.setText(tr("読めません: {message}", message=exc.message(language())))
            self.preview.setStyleSheet("color: #b00000;")
            return
        self.preview.setStyleSheet("color: #1d6b2c;")
        shown = format_value(value, unit=unit) if value is not None else tr("空欄")
        self.preview.setText(tr("「{typed}」→ {value} として保存します", typed=text,
                                value=shown))

    def open_export_dialog(self) -> None:
        from ui.dialogs.export_return import ExportReturnDialog

        dialog = ExportReturnDialog(self.ctx, self.department(), self)
        dialog.open()
