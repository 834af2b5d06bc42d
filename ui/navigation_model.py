"""The navigation tree's model: the plan outline (ビジョン → プロジェクト → KPI / 施策) as a
`QAbstractItemModel` over plain `TreeNode`s, and the filter for search and "mine only".

A model over the nodes rather than a QStandardItemModel: nothing is built per row, so a plan
100× the seed (6,500 rows) loads at once; labels are made when a row is drawn.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QWidget

from ui.i18n import tr

Index = QModelIndex | QPersistentModelIndex
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
DEPARTMENTS_ROLE = Qt.ItemDataRole.UserRole + 3  # tuple of names; ALL for 全部局
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4
PROJECT_ROLE = Qt.ItemDataRole.UserRole + 5
ALL = "*"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


class TreeNode:
    """One row of the outline. A plain class with slots, not a dataclass: 6,500 of them are
    made for a plan 100× the seed, and this module is imported before the window shows."""

    __slots__ = ("children", "code", "departments", "is_new", "kind", "number", "parent",
                 "project_code", "row", "search_text", "title")

    def __init__(self, kind: str, code: str, number: int, title: str, project_code: str = "",
                 departments: tuple[str, ...] = (), is_new: bool = False) -> None:
        self.kind = kind  # vision | project | kpi | measure
        self.code, self.number, self.title = code, number, title
        self.project_code, self.departments, self.is_new = project_code, departments, is_new
        self.children: list[TreeNode] = []
        self.parent: TreeNode | None = None
        self.row = 0
        self.search_text = ""

    def __repr__(self) -> str:
        return f"TreeNode({self.kind!r}, {self.code!r})"


def link(nodes: list[TreeNode], parent: TreeNode | None = None) -> list[TreeNode]:
    """Set each node's parent, row and search text (once, before the model shows them)."""
    for row, node in enumerate(nodes):
        node.parent, node.row = parent, row
        node.search_text = normalise(f"{node.code} {node.title}")
        link(node.children, node)
    return nodes


def tooltip(node: TreeNode) -> str:
    departments = tr("すべての部局") if ALL in node.departments else "、".join(node.departments)
    return f"{node.code}　{node.title}" + (f"\n{departments}" if departments else "")


class NavigationModel(QAbstractItemModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roots: list[TreeNode] = []

    def set_nodes(self, nodes: list[TreeNode]) -> None:
        self.beginResetModel()
        self.roots = link(nodes)
        self.endResetModel()

    def relabel(self) -> None:
        """The language changed: labels are made on demand, so only the views must redraw
        (the rows stay where they are: expansion and selection survive)."""
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()

    def node(self, index: Index) -> TreeNode | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        siblings = self._children(parent)
        if column != 0 or not 0 <= row < len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self._children(parent))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return bool(self._children(parent))

    def _children(self, parent: Index) -> list[TreeNode]:
        node = self.node(parent)
        return self.roots if node is None else node.children

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node_label(node)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(node)
        return {CODE_ROLE: node.code, KIND_ROLE: node.kind, PROJECT_ROLE: node.project_code,
                DEPARTMENTS_ROLE: node.departments, SEARCH_ROLE: node.search_text}.get(role)


def node_label(node: TreeNode) -> str:
    if node.kind == "vision":
        return tr("ビジョン{number}　{title}", number=node.number, title=node.title)
    if node.kind == "project":
        return f"({node.number}) {node.title}"
    new = tr("【新】") if node.is_new else ""
    if node.kind == "kpi":
        return tr("KPI　{new}{title}", new=new, title=node.title)
    mark = CIRCLED[node.number - 1] if 0 < node.number <= len(CIRCLED) else f"({node.number})"
    return tr("施策{mark}　{new}{title}", mark=mark, new=new, title=node.title)


class NavigationFilter(QSortFilterProxyModel):
    """Text search (an item matches when it or an ancestor does) and "mine only".

    The rows to show are worked out in one pass over the nodes when the filter changes (an
    item is shown when it matches or one of its descendants does), so Qt asks only a set
    lookup per row; Qt's own recursive filtering would call back into Python for every row
    of every subtree.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.department: str | None = None  # "mine only" when set
        self.shown: set[int] | None = None  # ids of the nodes to show; None: all

    def set_text(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "text", normalise(text)))

    def set_mine_only(self, department: str | None) -> None:
        self._change_filter(lambda: setattr(self, "department", department))

    def recompute(self) -> None:
        """After the source model was reset (new outline)."""
        self._change_filter(lambda: None)

    def _change_filter(self, change) -> None:  # type: ignore[no-untyped-def]
        # Qt ≥ 6.10 deprecates invalidateFilter() for begin/endFilterChange().
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self._compute_shown()
            self.endFilterChange()
        else:  # pragma: no cover - older PySide6
            change()
            self._compute_shown()
            self.invalidateFilter()

    def _compute_shown(self) -> None:
        if not self.text and self.department is None:
            self.shown = None
            return
        shown: set[int] = set()
        model = self.sourceModel()
        for root in model.roots if isinstance(model, NavigationModel) else []:
            self._walk(root, False, shown)
        self.shown = shown

    def _walk(self, node: TreeNode, ancestor_matches: bool, shown: set[int]) -> bool:
        text_matches = ancestor_matches or not self.text or self.text in node.search_text
        any_child = False
        for child in node.children:
            any_child |= self._walk(child, text_matches, shown)
        visible = any_child or (text_matches and self._is_mine(node))
        if visible:
            shown.add(id(node))
        return visible

    def _is_mine(self, node: TreeNode) -> bool:
        if self.department is None:
            return True
        if node.kind == "vision":
            return False  # a vision is shown for the projects under it
        return ALL in node.departments or self.department in node.departments

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.shown is None:
            return True
        model = self.sourceModel()
        node = model.node(model.index(source_row, 0, source_parent))
        return node is not None and id(node) in self.shown
