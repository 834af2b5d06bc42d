"""The navigation tree: ビジョン → プロジェクト → KPI / 施策, with a search box and a
"mine only" filter.

The outline is read by `ui.navigation_data.load_tree` (a handful of column queries, no ORM
objects), which may run on the worker; the model is in `ui.navigation_model`. Plan content
(titles) is shown as stored; only the labels the app adds ("ビジョン1", "KPI") go through `tr`.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QTreeView, QVBoxLayout, QWidget

from ui.i18n import tr
from ui.navigation_model import (
    ALL,
    CODE_ROLE,
    KIND_ROLE,
    NavigationFilter,
    NavigationModel,
    TreeNode,
)

__all__ = ["ALL", "NavigationPanel", "TreeNode"]

class NavigationPanel(QWidget):
    """Search box, "mine only" check box and the tree; emits the chosen code."""

    code_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.model = NavigationModel(self)
        self.proxy = NavigationFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.mine_only = QCheckBox(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)  # fast layout on large plans
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.mine_only)
        layout.addWidget(self.tree)
        self.department: str | None = None
        self.nodes: list[TreeNode] = []
        self.search.textChanged.connect(self._on_search)
        self.mine_only.toggled.connect(self._apply_mine_only)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)
        self.retranslate()

    def load(self, nodes: list[TreeNode]) -> None:
        self.nodes = nodes
        self._rebuild()

    def _rebuild(self) -> None:
        current = self.current_code()
        self.model.set_nodes(self.nodes)
        self.proxy.recompute()
        self._expand_if_filtered()
        if current:
            self.select_code(current, emit=False)

    def set_department(self, department: str | None) -> None:
        """None (headquarters) disables "mine only": headquarters sees every project."""
        self.department = department
        self.mine_only.setEnabled(department is not None)
        if department is None:
            self.mine_only.setChecked(False)
        self._apply_mine_only()

    def _apply_mine_only(self) -> None:
        mine = self.department if self.mine_only.isChecked() else None
        self.proxy.set_mine_only(mine)
        self._expand_if_filtered()

    def _on_search(self, text: str) -> None:
        self.proxy.set_text(text)
        self._expand_if_filtered()

    def _expand_if_filtered(self) -> None:
        if self.proxy.text or self.proxy.department:
            self.tree.expandAll()
        else:
            self.tree.expandToDepth(0)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            code = indexes[0].data(CODE_ROLE)
            if code and indexes[0].data(KIND_ROLE) != "vision":
                self.code_chosen.emit(code)

    def current_code(self) -> str | None:
        index = self.tree.currentIndex()
        return index.data(CODE_ROLE) if index.isValid() else None

    def select_code(self, code: str, *, emit: bool = True) -> bool:
        matches = self.proxy.match(self.proxy.index(0, 0), CODE_ROLE, code, 1,
                                   Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        if not matches:
            return False
        selection = self.tree.selectionModel()
        was_blocked = selection.blockSignals(not emit)
        try:
            self.tree.setCurrentIndex(matches[0])
        finally:
            selection.blockSignals(was_blocked)
        self.tree.scrollTo(matches[0])
        return True

    def visible_codes(self, kind: str | None = None) -> list[str]:
        """Codes currently shown (after filtering), in tree order; for tests and keyboard use."""
        codes: list[str] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                if kind is None or index.data(KIND_ROLE) == kind:
                    codes.append(index.data(CODE_ROLE))
                walk(index)

        walk(QModelIndex())
        return codes

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("検索（名称・コード）"))
        self.mine_only.setText(tr("自分の担当のみ"))
        self.mine_only.setToolTip(tr("所属部局が担当するプロジェクト・KPI・施策だけを表示します"))
        self.model.relabel()
