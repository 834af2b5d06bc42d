"""The comparison (前年度比較) as a Qt table: one row per compared field, previous and current
value side by side, and a filter for "changed only" and a project.

A changed row says so in its first column, with a symbol and words (● 変更あり), and its two
values are shaded too: colour is never the only sign. The words come from the core
(`dxtracker.report.comparison`), so the table and the report's sheet read alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.i18n import language, tr
from ui.models.rows_model import RowsTableModel

if TYPE_CHECKING:  # the report core: imported when the comparison is first loaded
    from dxtracker.report.comparison import ComparedValue, Comparison
    from dxtracker.report.wording import Wording

Index = QModelIndex | QPersistentModelIndex
CHANGED_BACKGROUND = QColor("#fff2cc")
MARK, PREVIOUS, CURRENT, DIFFERENCE = 0, 6, 7, 8


def wording() -> Wording:
    from dxtracker.report.wording import Wording

    return Wording(language())


class ComparisonModel(RowsTableModel):
    rows: list[ComparedValue]

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.bases: dict[str, str] = {}
        # Qt asks for the headers at every columnCount() (thousands of times a paint): kept
        # per language and comparison instead of being worked out again each time.
        self._headers: tuple[tuple[str, int], list[str]] | None = None

    def set_comparison(self, comparison: Comparison) -> None:
        from dxtracker.report.comparison import checkpoint_text

        self.comparison = comparison
        self._headers = None
        words = wording()
        self.bases = {c.department: checkpoint_text(words, c) for c in comparison.checkpoints}
        self.set_rows(comparison.rows)

    def retranslate(self) -> None:
        if self.comparison is not None:
            self.set_comparison(self.comparison)

    def headers(self) -> list[str]:
        key = (language(), id(self.comparison))
        if self._headers is None or self._headers[0] != key:
            self._headers = (key, self._make_headers())
        return self._headers[1]

    def _make_headers(self) -> list[str]:
        titles = [tr("変更"), tr("プロジェクト"), tr("コード"), tr("指標・施策"), tr("部局"),
                  tr("項目"), tr("前"), tr("今"), tr("差")]
        if self.comparison is not None:
            from dxtracker.report.comparison import column_titles

            titles[PREVIOUS:CURRENT + 1] = column_titles(wording(), self.comparison)
            if self.comparison.since == "return":
                titles.append(tr("比較の基準"))
        return titles

    def cell(self, row: ComparedValue, column: int) -> Any:
        from dxtracker.report.comparison import changed_mark, field_label, value_text

        words = wording()
        values = [changed_mark(words) if row.changed else "", row.project, row.code, row.name,
                  row.department or "—", field_label(words, row.field),
                  value_text(words, row.field, row.previous),
                  value_text(words, row.field, row.current), row.difference,
                  self.bases.get(row.department, "")]
        return values[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.BackgroundRole and row.changed and column in (PREVIOUS,
                                                                                 CURRENT):
            return QBrush(CHANGED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and column == MARK:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DIFFERENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class ComparisonFilter(QSortFilterProxyModel):
    """Rows of the chosen project (all: ""), changed only or every one."""

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.changed_only = False
        self.project = ""

    def set_filter(self, *, changed_only: bool, project: str) -> None:
        self.beginFilterChange()
        self.changed_only, self.project = changed_only, project
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ComparisonModel)
        row = model.rows[source_row]
        return (not self.changed_only or row.changed) and (not self.project
                                                          or row.project == self.project)
