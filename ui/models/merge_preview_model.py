"""Models of the merge page: the files with their state, and one file's changes, conflicts and
problems (errors and warnings), each a table model over the core's plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QStyle

from dxtracker.returns.merge import Conflict, FieldChange
from dxtracker.returns.model import ReturnProblem, ValueReading
from dxtracker.returns.run_order import THIS_RUN
from dxtracker.returns.threeway import Side
from ui.i18n import language, tr
from ui.models import year_label
from ui.models.rows_model import EntriesListModel, RowsTableModel

if TYPE_CHECKING:
    from dxtracker.returns.apply import FileResult

Index = QModelIndex | QPersistentModelIndex
DISPLAY, EDIT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole
UNDECIDED = ""


def field_name(name: str) -> str:
    return {"actual": tr("実績値"), "note": tr("備考"), "status": tr("進捗状況"),
            "record": tr("取組実績"), "issues": tr("課題"),
            "next_policy": tr("今後の対応方針")}.get(name, name)


def shown(value: str | None) -> str:
    return tr("（空欄）") if value in (None, "") else str(value)


def place(sheet: str, row: int | None) -> str:
    return tr("{sheet} {row}行目", sheet=sheet, row=row) if row else sheet


# ---------------------------------------------------------------------------- files


@dataclass
class FileEntry:
    path: Path
    result: FileResult | None = None  # None until the dry run has read it
    applied: bool = False  # result of a real merge, not of the dry run
    checked: bool = False

    @property
    def state(self) -> str:
        """pending, refused, duplicate, conflicts, ready, merged, merged_waiting."""
        if self.result is None:
            return "pending"
        outcome = self.result.outcome
        if outcome in ("refused", "duplicate"):
            return outcome
        if self.applied:
            return "merged_waiting" if self.result.waiting else "merged"
        return "conflicts" if self.result.preview.conflicts else "ready"

    @property
    def can_apply(self) -> bool:
        return self.state in ("ready", "conflicts")


STATE_COLOURS = {"refused": "#b00000", "conflicts": "#9a5b00", "merged": "#1d6b2c",
                 "merged_waiting": "#9a5b00", "duplicate": "#666666"}
STATE_ICONS = {
    "pending": QStyle.StandardPixmap.SP_BrowserReload,
    "ready": QStyle.StandardPixmap.SP_FileIcon,
    "conflicts": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "refused": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "duplicate": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "merged": QStyle.StandardPixmap.SP_DialogApplyButton,
    "merged_waiting": QStyle.StandardPixmap.SP_MessageBoxWarning,
}


def state_text(entry: FileEntry) -> str:
    result = entry.result
    if result is None:
        return tr("確認中…")
    preview = result.preview
    texts = {
        "refused": lambda: tr("取り込めません（エラー {count}件）", count=len(preview.errors)),
        "duplicate": lambda: (tr("一覧の前のファイルと同じ内容です（変更なし）")
                              if preview.duplicate_of and preview.duplicate_of.state == THIS_RUN
                              else tr("取込済みの回答です（変更なし）")),
        "conflicts": lambda: tr("変更 {changes}件・競合 {conflicts}件（判断が必要）",
                                changes=len(preview.changes), conflicts=len(preview.conflicts)),
        "ready": lambda: tr("変更 {changes}件（取り込めます）", changes=len(preview.changes)),
        "merged": lambda: tr("取り込みました（変更 {changes}件）", changes=len(preview.changes)),
        "merged_waiting": lambda: tr("取り込みました（競合 {count}件は保留）",
                                     count=len(result.waiting)),
    }
    return texts[entry.state]()


def file_heading(entry: FileEntry) -> str:
    """Department and year of a return, or "" when the file could not be read as one."""
    result = entry.result
    meta = result.preview.meta if result else None
    if meta is None:
        return ""
    name = result.preview.department_name or meta.department_name
    return f"{name} {year_label(meta.fiscal_year)}"


class FileListModel(EntriesListModel):
    """The chosen return files; checkable when they can be merged."""

    entries: list[FileEntry]

    def checked_paths(self) -> list[Path]:
        return [e.path for e in self.entries if e.checked and e.can_apply]

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.entries[index.row()].can_apply:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        if role == DISPLAY:
            heading = file_heading(entry)
            lines = [entry.path.name, *([heading] if heading else []), state_text(entry)]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(entry.path)
        if role == Qt.ItemDataRole.CheckStateRole and entry.can_apply:
            return Qt.CheckState.Checked if entry.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return QApplication.style().standardIcon(STATE_ICONS[entry.state])
        if role == Qt.ItemDataRole.ForegroundRole and entry.state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[entry.state]))
        return None

    def setData(self, index: Index, value: object, role: int = EDIT) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        entry = self.entries[index.row()]
        if not entry.can_apply:
            return False
        entry.checked = Qt.CheckState(value) == Qt.CheckState.Checked  # type: ignore[arg-type]
        self.dataChanged.emit(index, index)
        return True


# ---------------------------------------------------------------------------- one file's details


class _RowsModel(RowsTableModel):
    """A read-only table over a list of dataclasses; subclasses say what each column shows."""

    def retranslate(self) -> None:
        # Emitted, not reset as the base does: the views keep their selection.
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, self.columnCount() - 1))


class ChangesModel(_RowsModel):
    """The changes of a file; the last column says how a typed figure was read
    (「約30」→ 30（概数）), so that headquarters sees it before anything is stored."""

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.readings: dict[tuple[str, str], ValueReading] = {}

    def show(self, changes: list[FieldChange], readings: tuple[ValueReading, ...]) -> None:
        self.readings = {(r.item_code, r.field): r for r in readings}
        self.set_rows(changes)

    def headers(self) -> list[str]:
        return [tr("項目"), tr("場所"), tr("欄"), tr("本部の現在の値"), "→", tr("回答の値"),
                tr("入力の読み取り")]

    def cell(self, item: FieldChange, column: int) -> str:
        if column == 6:
            reading = self.readings.get((item.item_code, item.field))
            return reading.text(language()) if reading else ""
        return [item.item_code, place(item.sheet, item.row), field_name(item.field),
                shown(item.old), "→", shown(item.new)][column]


class ProblemsModel(_RowsModel):
    """Errors first, then warnings: file, sheet, cell and the message, as the core words it."""

    def headers(self) -> list[str]:
        return [tr("種別"), tr("ファイル"), tr("シート"), tr("セル"), tr("内容")]

    def cell(self, item: ReturnProblem, column: int) -> str:
        kind = tr("エラー") if item.severity == "error" else tr("警告")
        message = item.message_en if language() == "en" else item.message_ja
        return [kind, item.file, item.sheet or "", item.cell or "", message][column]

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            error = self.rows[index.row()].severity == "error"
            return QBrush(QColor("#b00000" if error else "#9a5b00"))
        return super().data(index, role)


class ConflictsModel(_RowsModel):
    """Conflicts with their three values; the last column is the person's choice."""

    CHOICE = 6

    def __init__(self, decisions: dict[str, Side], parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.decisions = decisions  # shared with the page: Conflict.key → side

    def headers(self) -> list[str]:
        return [tr("項目"), tr("場所"), tr("欄"), tr("書き出し時の値"), tr("回答の値"),
                tr("本部の現在の値"), tr("どちらを採用するか")]

    def cell(self, item: Conflict, column: int) -> str:
        if column == self.CHOICE:
            return choice_text(self.decisions.get(item.key, UNDECIDED))
        return [item.item_code, place(item.sheet, item.row), field_name(item.field),
                shown(item.base), shown(item.theirs), shown(item.ours)][column]

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.CHOICE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if index.isValid() and index.column() == self.CHOICE:
            decision = self.decisions.get(self.rows[index.row()].key, UNDECIDED)
            if role == EDIT:
                return decision
            if role == Qt.ItemDataRole.BackgroundRole and decision == UNDECIDED:
                return QBrush(QColor("#fff0c2"))
        return super().data(index, role)

    def setData(self, index: Index, value: object, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() != self.CHOICE:
            return False
        key = self.rows[index.row()].key
        if value in ("theirs", "ours"):
            self.decisions[key] = value  # type: ignore[assignment]
        else:
            self.decisions.pop(key, None)
        self.dataChanged.emit(index, index)
        return True


CHOICES: tuple[str, ...] = (UNDECIDED, "ours", "theirs")


def choice_text(choice: str) -> str:
    return {UNDECIDED: tr("未選択（今回は保留）"), "ours": tr("本部の値を残す"),
            "theirs": tr("回答の値を採用")}[choice]
