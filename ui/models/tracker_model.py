"""The submission tracker's table: one line per department for the year — whether its return
arrived, was refused, merged, and where headquarters' review of it stands — and the filter.

Everything comes from the core's `submission_status` (refused files and review states are in
the database, so they are the same in every session and on every PC sharing it). State is said
in words in its own column; colour only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ui.i18n import language, tr

if TYPE_CHECKING:  # the returns package loads openpyxl: imported when first used
    from dxtracker.returns.refusals import Refusal
    from dxtracker.returns.status import DepartmentStatus

Index = QModelIndex | QPersistentModelIndex
MISSING, REFUSED, WAITING, DONE = "#f6c7c7", "#ffe1b3", "#fff0c2", "#d8efd9"
REVIEW_COLOURS = {"received": "#e3ecf8", "under_review": "#fff0c2", "accepted": "#d8efd9",
                  "sent_back": "#ffe1b3"}
# Filter keys, in the order the filter offers them.
FILTERS = ("all", "outstanding", "missing", "refused", "received", "under_review", "sent_back",
           "accepted")


def review_text(state: str | None) -> str:
    return {"received": tr("受付"), "under_review": tr("確認中"), "accepted": tr("承認"),
            "sent_back": tr("差戻し")}.get(state or "", "—")


def filter_text(key: str) -> str:
    return {"all": tr("すべての部局"), "outstanding": tr("未承認（対応が必要）"),
            "missing": tr("未提出"), "refused": tr("不受理"), "received": tr("受付"),
            "under_review": tr("確認中"), "sent_back": tr("差戻し"),
            "accepted": tr("承認")}[key]


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "—"


@dataclass(frozen=True)
class TrackerLine:
    status: DepartmentStatus

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        return self.status.refusals

    @property
    def state(self) -> str:
        """not_expected, merged, waiting, refused, missing."""
        status = self.status
        if status.received:
            return "merged" if status.merged else "waiting"
        if self.refusals:
            return "refused"
        return "missing" if status.expected else "not_expected"

    @property
    def review_state(self) -> str | None:
        return self.status.review_state

    @property
    def outstanding(self) -> bool:
        """Expected and not accepted yet (missing, refused, or a review not finished)."""
        return self.status.expected and self.review_state != "accepted"

    def matches(self, key: str) -> bool:
        if key == "all":
            return True
        if key == "outstanding":
            return self.outstanding
        if key in ("missing", "refused"):
            return self.state == key
        return self.review_state == key


class TrackerModel(QAbstractTableModel):
    DEPARTMENT, EXPECTED, SUBMISSION, RECEIVED, REVIEW, REVIEW_AT, MERGE, CHANGES, STALE, \
        FILE = range(10)
    COLUMNS = 10

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.lines: list[TrackerLine] = []

    def set_lines(self, lines: list[TrackerLine]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def headers(self) -> list[str]:
        return [tr("部局"), tr("提出対象"), tr("提出状況"), tr("受領日時"), tr("確認状況"),
                tr("確認日時"), tr("取込"), tr("変更件数"), tr("古い回答"), tr("ファイル")]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        line, column = self.lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, column) or self._cell(line, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(line, column)
        if role == Qt.ItemDataRole.ForegroundRole and line.state == "not_expected":
            return QBrush(QColor("#777777"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.CHANGES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _background(self, line: TrackerLine, column: int) -> QBrush | None:
        if column == self.REVIEW and line.review_state:
            return QBrush(QColor(REVIEW_COLOURS[line.review_state]))
        coloured = (self.DEPARTMENT, self.SUBMISSION) if line.state == "missing" else \
            (self.DEPARTMENT, self.SUBMISSION, self.MERGE)
        if column not in coloured:
            return None
        colour = {"missing": MISSING, "refused": REFUSED, "waiting": WAITING,
                  "merged": DONE}.get(line.state)
        return QBrush(QColor(colour)) if colour else None

    def _cell(self, line: TrackerLine, column: int) -> str:
        status, review = line.status, line.status.review
        return [
            status.department_name,
            tr("指標 {kpis}・施策 {measures}", kpis=status.kpi_rows,
               measures=status.measure_rows) if status.expected else tr("対象外"),
            self._submission(line),
            when(status.received_at) if status.received_at else "—",
            self._review(line),
            when(review.state_at) if review else "—",
            self._merge(line),
            str(status.changes_count) if status.received else "—",
            tr("古い回答（要確認）") if status.stale else "",
            status.file_name or (line.refusals[0].file_name if line.refusals else ""),
        ][column]

    @staticmethod
    def _submission(line: TrackerLine) -> str:
        text = {
            "merged": lambda: tr("提出済み"),
            "waiting": lambda: tr("提出済み"),
            "refused": lambda: tr("不受理（エラーあり）"),
            "missing": lambda: tr("未提出"),
            "not_expected": lambda: "—",
        }[line.state]()
        if line.refusals and line.state in ("merged", "waiting"):
            text += " " + tr("（その後 不受理 {count}件）", count=len(line.refusals))
        return text

    @staticmethod
    def _review(line: TrackerLine) -> str:
        review = line.status.review
        if review is None:
            return "—"
        text = review_text(review.state)
        if review.state == "sent_back":
            text += " " + tr("（{count}回目・{items}項目）", count=review.send_backs,
                             items=len(review.items))
        return text

    @staticmethod
    def _merge(line: TrackerLine) -> str:
        if line.state == "merged":
            return tr("取込済み（{count}件）", count=line.status.imports)
        if line.state == "waiting":
            return tr("競合 {count}件の判断待ち", count=line.status.conflicts_waiting)
        if line.state == "refused":
            return tr("取り込めませんでした")
        return "—"

    def _tooltip(self, line: TrackerLine, column: int) -> str:
        review = line.status.review
        if column == self.REVIEW and review is not None and review.sent_back_at:
            items = [f"{i.item_code}: {i.reason}" for i in review.items]
            return "\n".join([tr("差戻しの理由: {reason}", reason=review.sent_back_reason),
                              *items])
        if not line.refusals:
            return ""
        problems = [p.text(language()) for r in line.refusals for p in r.reasons]
        return "\n".join(problems[:10])
