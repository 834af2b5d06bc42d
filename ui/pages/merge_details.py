"""The right side of the merge page: one file's summary and its changes, conflicts and problems.

Conflicts are decided in the table's last column (a drop-down: 本部の値を残す / 回答の値を採用 /
未選択); the decisions live in the page's dict, keyed by the core's `Conflict.key`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dxtracker.returns.run_order import THIS_RUN
from dxtracker.returns.threeway import Side
from ui.i18n import language, tr
from ui.models.merge_preview_model import (
    CHOICES,
    ChangesModel,
    ConflictsModel,
    FileEntry,
    ProblemsModel,
    choice_text,
    file_heading,
    state_text,
)

Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down for the conflict choice column."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("conflict_choice")
        for choice in CHOICES:
            combo.addItem(choice_text(choice), choice)
        combo.activated.connect(lambda _: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def _table(name: str, model: QAbstractItemModel) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setWordWrap(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    # Rows follow their wrapped text (a file's preview has at most a few hundred rows).
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class MergeDetails(QWidget):
    def __init__(self, decisions: dict[str, Side], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: FileEntry | None = None
        self.changes = ChangesModel(self)
        self.conflicts = ConflictsModel(decisions, self)
        self.problems = ProblemsModel(self)
        self.summary = QLabel()
        self.summary.setObjectName("file_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # All its lines, always: the tables below give way (a wrapped label is otherwise
        # squeezed to fewer lines than it has).
        self.summary.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.tabs = QTabWidget()
        self.changes_view = _table("changes_table", self.changes)
        self.conflicts_view = _table("conflicts_table", self.conflicts)
        self.conflicts_view.setItemDelegateForColumn(ConflictsModel.CHOICE,
                                                     ChoiceDelegate(self.conflicts_view))
        self.conflicts_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.conflicts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.problems_view = _table("problems_table", self.problems)
        for view in (self.changes_view, self.conflicts_view, self.problems_view):
            self.tabs.addTab(view, "")
        self._widths()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

    def _widths(self) -> None:
        for column, width in enumerate((70, 100, 64, 110, 24, 110, 240)):
            self.changes_view.setColumnWidth(column, width)
        for column, width in enumerate((70, 100, 70, 100, 100, 100, 150)):
            self.conflicts_view.setColumnWidth(column, width)
        for column, width in enumerate((60, 150, 80, 50, 400)):
            self.problems_view.setColumnWidth(column, width)

    def retranslate(self) -> None:
        for model in (self.changes, self.conflicts, self.problems):
            model.retranslate()
        self.refresh_texts()

    def refresh_texts(self) -> None:
        self._tab_titles()
        self._summary()

    def show_entry(self, entry: FileEntry | None) -> None:
        self.entry = entry
        preview = entry.result.preview if entry and entry.result else None
        self.changes.show(list(preview.changes) if preview else [],
                          preview.readings if preview else ())
        self.conflicts.set_rows(list(preview.conflicts) if preview else [])
        problems = [*preview.errors, *preview.warnings] if preview else []
        self.problems.set_rows(problems)
        self.refresh_texts()
        if preview is not None:
            tab = 2 if preview.errors else 1 if preview.conflicts else 0
            self.tabs.setCurrentIndex(tab)

    def _tab_titles(self) -> None:
        self.tabs.setTabText(0, tr("変更 ({count})", count=self.changes.rowCount()))
        self.tabs.setTabText(1, tr("競合 ({count})", count=self.conflicts.rowCount()))
        self.tabs.setTabText(2, tr("エラー・警告 ({count})", count=self.problems.rowCount()))

    def _summary(self) -> None:
        entry = self.entry
        if entry is None:
            self.summary.setText(tr("左の一覧からファイルを選ぶと、内容を表示します。"))
            return
        lines = [str(entry.path)]
        heading = file_heading(entry)
        if heading:
            lines.append(heading)
        lines.append(state_text(entry))
        preview = entry.result.preview if entry.result else None
        if preview and preview.meta:
            lines.append(tr("書き出し日時: {when}",
                            when=f"{preview.meta.exported_at:%Y-%m-%d %H:%M}"))
        if preview and preview.duplicate_of and preview.duplicate_of.state == THIS_RUN:
            lines.append(tr("一覧の前にある「{file}」と同じ内容のため、取り込んでも何も変わりません。",
                            file=preview.duplicate_of.file_name))
        elif preview and preview.duplicate_of:
            lines.append(tr("この回答は {when} に取込済みです。",
                            when=f"{preview.duplicate_of.imported_at:%Y-%m-%d %H:%M}"))
        if preview and preview.errors:
            first = preview.errors[0]
            lines.append(tr("最初のエラー: {problem}", problem=first.text(language())))
        self.summary.setText("\n".join(lines))
