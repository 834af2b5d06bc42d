"""The KPI entry table: one department's KPIs for one fiscal year, actual and note editable.

What a person types into the actual is read by the core's value parser with the KPI's unit and
shown back as understood ("１，２３４件" → "1,234 件"). Text that does not parse stays in the
cell, marked red with the reason, and is never written. Each accepted change is one transaction
(`dxtracker.figures.entry.set_actual`) and one command on the undo stack.
"""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack

from dxtracker.errors import DxTrackerError
from dxtracker.figures.entry import ActualChange
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.store.db import Database
from dxtracker.store.row_versions import RowChanged
from ui.commands import ActualKey, ActualState, SetActualCommand, write_actual
from ui.i18n import language, tr
from ui.models import year_label

if TYPE_CHECKING:
    from ui.models.kpi_rows import KpiEntryRow

Index = QModelIndex | QPersistentModelIndex

INPUT_BACKGROUND = QColor("#fff8d6")  # the colour of input cells, as in the return workbook
ERROR_BACKGROUND = QColor("#f6c7c7")
REVISION_COLOUR = QColor("#c00000")
SAVED_COLOUR = QColor("#1d6b2c")


class Column(IntEnum):
    PROJECT = 0
    KPI = 1
    UNIT = 2
    BASELINE = 3
    TARGET = 4
    LAST_ACTUAL = 5
    ACTUAL = 6
    NOTE = 7
    STATUS = 8


INPUT_COLUMNS = (Column.ACTUAL, Column.NOTE)
FIGURE_COLUMNS = (Column.BASELINE, Column.TARGET, Column.LAST_ACTUAL, Column.ACTUAL)


def column_title(column: Column) -> str:
    return {
        Column.PROJECT: tr("プロジェクト"),
        Column.KPI: tr("指標（KPI）"),
        Column.UNIT: tr("単位"),
        Column.BASELINE: tr("現状値"),
        Column.TARGET: tr("目標値"),
        Column.LAST_ACTUAL: tr("前年度実績"),
        Column.ACTUAL: tr("今年度実績"),
        Column.NOTE: tr("備考"),
        Column.STATUS: tr("状態"),
    }[column]


class KpiEntryModel(QAbstractTableModel):
    """Rows of `KpiEntryRow`; `load()` picks department and year."""

    entry_saved = Signal(str)  # a change was written (message for the status bar)
    entry_failed = Signal(str)  # a typed value was refused or the write failed ("" clears)

    def __init__(self, db: Database, undo_stack: QUndoStack, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.db, self.undo_stack = db, undo_stack
        self.department: str | None = None
        self.fiscal_year: int | None = None
        self.rows: list[KpiEntryRow] = []
        self.errors: dict[str, tuple[str, DxTrackerError]] = {}  # kpi code → (typed, why)
        self.saved_codes: set[str] = set()

    # ------------------------------------------------------------------ loading

    def load(self, department: str | None, fiscal_year: int) -> None:
        """Read the rows; in place when the same KPIs are shown (keeps the cursor and marks)."""
        same_view = (department, fiscal_year) == (self.department, self.fiscal_year)
        rows = self._read(department, fiscal_year)
        if same_view and [r.kpi_code for r in rows] == [r.kpi_code for r in self.rows]:
            self.rows = rows
            self._all_changed()
            return
        self.beginResetModel()
        self.department, self.fiscal_year, self.rows = department, fiscal_year, rows
        self.errors.clear()
        self.saved_codes.clear()
        self.endResetModel()

    def _read(self, department: str | None, fiscal_year: int) -> list[KpiEntryRow]:
        if department is None:
            return []
        # Imported here: the returns package loads openpyxl, which the start-up can do without.
        from ui.models.kpi_rows import load_kpi_rows

        with self.db.read() as session:
            return load_kpi_rows(session, department, fiscal_year)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._all_changed()

    def _all_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(Column) - 1))

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return column_title(Column(section))
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() in INPUT_COLUMNS:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in FIGURE_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: KpiEntryRow, column: Column) -> str:
        if column == Column.ACTUAL and row.kpi_code in self.errors:
            return self.errors[row.kpi_code][0]
        return {
            Column.PROJECT: lambda: row.project,
            Column.KPI: lambda: self._kpi_name(row),
            Column.UNIT: lambda: row.unit,
            Column.BASELINE: lambda: row.baseline,
            Column.TARGET: lambda: self._target(row),
            Column.LAST_ACTUAL: lambda: self._last_actual(row),
            Column.ACTUAL: lambda: self.actual_display(row),
            Column.NOTE: lambda: row.note,
            Column.STATUS: lambda: self._status(row),
        }[column]()

    def _kpi_name(self, row: KpiEntryRow) -> str:
        if not row.shared:
            return row.kpi_name
        # The share goes on the name's line; a note of the plan may follow on the next.
        name, newline, rest = row.kpi_name.partition("\n")
        return tr("{name}（{department}分）", name=name, department=self.department) + \
            newline + rest

    @staticmethod
    def _target(row: KpiEntryRow) -> str:
        if row.original_target is None:
            return row.target
        # Colour never carries the meaning alone: the revision is also said in words.
        return tr("{target}（{old}からの修正）", target=row.target, old=row.original_target)

    @staticmethod
    def _last_actual(row: KpiEntryRow) -> str:
        if row.last_actual_is_total:
            return tr("全体 {value}", value=row.last_actual)
        return row.last_actual

    @staticmethod
    def actual_display(row: KpiEntryRow) -> str:
        value = parse_value(row.actual, unit=row.unit, allow_words=True)
        return format_value(value, unit=row.unit)

    def _status(self, row: KpiEntryRow) -> str:
        if row.kpi_code in self.errors:
            return tr("入力エラー（保存していません）")
        if row.kpi_code in self.saved_codes:
            return tr("保存しました")
        if row.actual is not None:
            return tr("入力済み")
        if row.plan_figure:
            return tr("未入力（計画書の値: {value}）", value=row.plan_figure)
        return tr("未入力")

    def _edit_text(self, row: KpiEntryRow, column: Column) -> str:
        if column == Column.ACTUAL:
            if row.kpi_code in self.errors:
                return self.errors[row.kpi_code][0]
            return self.actual_display(row)
        return row.note if column == Column.NOTE else self._display(row, column)

    def _tooltip(self, row: KpiEntryRow, column: Column) -> str | None:
        if column == Column.ACTUAL:
            if row.kpi_code in self.errors:
                return self.errors[row.kpi_code][1].message(language())
            return tr("実績を入力（例: 1,234、約1,900、12万、▲12）。Enter または F2 で編集")
        if column == Column.TARGET and row.original_target is not None:
            reason = row.revision_reason or tr("（理由の記載なし）")
            return tr("目標の修正: {old} → {new}\n理由: {reason}", old=row.original_target,
                      new=row.target, reason=reason)
        if column == Column.LAST_ACTUAL and row.last_actual_is_total:
            return tr("この部局の前年度の寄与分はありません。指標全体の実績を表示しています。")
        if column == Column.STATUS and row.updated_at is not None:
            return tr("最終更新: {when} {who}", when=row.updated_at.strftime("%Y-%m-%d %H:%M"),
                      who=row.updated_by)
        if column in (Column.PROJECT, Column.KPI):
            return self._display(row, column)
        return None

    def _background(self, row: KpiEntryRow, column: Column) -> QBrush | None:
        if column == Column.ACTUAL and row.kpi_code in self.errors:
            return QBrush(ERROR_BACKGROUND)
        if column == Column.STATUS and row.kpi_code in self.errors:
            return QBrush(ERROR_BACKGROUND)
        if column in INPUT_COLUMNS:
            return QBrush(INPUT_BACKGROUND)
        return None

    def _foreground(self, row: KpiEntryRow, column: Column) -> QBrush | None:
        if column == Column.TARGET and row.original_target is not None:
            return QBrush(REVISION_COLOUR)
        if column == Column.STATUS and row.kpi_code in self.saved_codes:
            return QBrush(SAVED_COLOUR)
        return None

    # ------------------------------------------------------------------ editing

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self.rows[index.row()]
        text = "" if value is None else str(value)
        if index.column() == Column.ACTUAL:
            return self._set_actual_text(index.row(), row, text)
        if index.column() == Column.NOTE:
            return self._save(index.row(), ActualState(row.actual, text))
        return False

    def _set_actual_text(self, position: int, row: KpiEntryRow, text: str) -> bool:
        try:
            parsed = parse_value(text, unit=row.unit, allow_words=False)
        except ValueParseError as exc:
            self._mark_error(position, row, text, exc)
            return False
        new_value = None if parsed is None else format_value(parsed)
        if new_value == row.actual:
            if self.errors.pop(row.kpi_code, None) is not None:
                self._row_changed(position)
                self.entry_failed.emit("")
            return True
        return self._save(position, ActualState(new_value, row.note))

    def _mark_error(self, position: int, row: KpiEntryRow, text: str,
                    exc: DxTrackerError) -> None:
        self.errors[row.kpi_code] = (text, exc)
        self._row_changed(position)
        self.entry_failed.emit(tr("{kpi}: {message}", kpi=row.kpi_name,
                                  message=exc.message(language())))

    def _save(self, position: int, after: ActualState) -> bool:
        row = self.rows[position]
        if self.department is None or self.fiscal_year is None:
            return False
        before = ActualState(row.actual, row.note)
        if before == after:
            return True
        key = ActualKey(row.kpi_code, self.fiscal_year, self.department)
        try:
            change = write_actual(self.db, key, after, row.version)
        except RowChanged as exc:
            self._changed_elsewhere(exc)
            return False
        except DxTrackerError as exc:
            self._mark_error(position, row, self._edit_text(row, Column.ACTUAL), exc)
            return False
        self.undo_stack.push(SetActualCommand(
            self.db, key, before, after, self._command_text(row, before, after),
            on_applied=self.apply_change, on_failed=self._undo_failed, version=change.version))
        self.apply_change(change)
        return True

    def _command_text(self, row: KpiEntryRow, before: ActualState, after: ActualState) -> str:
        if before.value == after.value:
            return tr("備考の入力（{kpi}）", kpi=row.kpi_name)
        return tr("実績の入力（{kpi}: {old} → {new}）", kpi=row.kpi_name,
                  old=before.value or tr("空欄"), new=after.value or tr("空欄"))

    def apply_change(self, change: ActualChange) -> None:
        """Show a written change (a new entry, an undo or a redo) if this table shows it."""
        message = tr("{year} {kpi} の実績を保存しました: {value}",
                     year=year_label(change.fiscal_year), kpi=change.kpi_code,
                     value=change.new_value or tr("空欄"))
        position = self._position(change)
        if position is not None:
            row = self.rows[position]
            self.rows[position] = replace(row, actual=change.new_value, note=change.new_note,
                                          version=change.version)
            if change.old_value != change.new_value and self.errors.pop(row.kpi_code, None):
                self.entry_failed.emit("")  # a note-only change keeps a pending error
            self.saved_codes.add(row.kpi_code)
            self._row_changed(position)
        self.entry_saved.emit(message)

    def _undo_failed(self, exc: DxTrackerError) -> None:
        if isinstance(exc, RowChanged):
            self._changed_elsewhere(exc)
            return
        self.entry_failed.emit(exc.message(language()))

    def _changed_elsewhere(self, exc: RowChanged) -> None:
        """Someone else saved the row since it was loaded: nothing was written; show the row
        as it is now, and say who changed it and when."""
        if self.fiscal_year is not None:
            self.load(self.department, self.fiscal_year)
        self.entry_failed.emit(exc.message(language()))

    def _position(self, change: ActualChange) -> int | None:
        if (change.department, change.fiscal_year) != (self.department, self.fiscal_year):
            return None
        return next((i for i, r in enumerate(self.rows) if r.kpi_code == change.kpi_code), None)

    def _row_changed(self, position: int) -> None:
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))

    def row_of(self, kpi_code: str) -> int:
        return next(i for i, r in enumerate(self.rows) if r.kpi_code == kpi_code)
