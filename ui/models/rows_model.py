"""Qt models over a plain list. Read-only tables: the audit log, a return file's changes,
conflicts and problems (merge page), plan management's revisions, proposals and departments;
lists of entries: the merge page's files, the progress page's measures.

`RowsTableModel` is the base of the tables (subclasses say the column titles and what a cell
shows); `RowsModel` is the plain kind whose rows are tuples, each with a key (a proposal id, a
department code) for the row the user selects in a `rows_table` view. `EntriesListModel` is
the base of the lists (subclasses say what an entry shows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole


class RowsTableModel(QAbstractTableModel):
    """A read-only table of `rows`; `set_rows` resets it. The tool tip repeats the cell, so
    that a long text cut off by its column can be read in full."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def headers(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def cell(self, row: Any, column: int) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def retranslate(self) -> None:
        # A reset, not headerDataChanged/dataChanged.emit(): in PySide6 6.12 on Python 3.11
        # every emit() from Python takes a reference from True (the app aborts at zero).
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return self.cell(self.rows[index.row()], index.column())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return self.headers()[section]
        return None


class RowsModel(RowsTableModel):
    """Rows of plain values; `headers` is a function so it follows the language."""

    def __init__(self, headers: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = headers
        self.keys: list[Any] = []

    def set_rows(self, rows: Iterable[tuple], keys: list[Any] | None = None) -> None:
        rows = list(rows)
        self.keys = keys or [None] * len(rows)
        super().set_rows(rows)

    def headers(self) -> list[str]:
        return self._headers()

    def cell(self, row: tuple, column: int) -> str:
        value = row[column]
        return "" if value is None else str(value)


class EntriesListModel(QAbstractListModel):
    """A list of `entries`, one line each; `set_entries` resets it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Any] = []

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def refresh_all(self) -> None:
        """Every line shows again (a state or a mark changed), the selection kept."""
        if self.entries:
            self.dataChanged.emit(self.index(0), self.index(len(self.entries) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.entries)


def rows_table(model: RowsModel, name: str) -> QTableView:
    """A view of `model` in which one whole row is selected at a time."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    return view
