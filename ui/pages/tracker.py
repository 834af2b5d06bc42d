"""Headquarters — submission tracker (提出状況): departments × the selected fiscal year.

From the core's `submission_status`: expected, received (when), merged, stale, number of
changes. Returns refused in this session (the core keeps no trace of a refused file) come from
the merge page's `MergeLog`, so that a department whose file was refused reads 「不受理」, not
just 「未提出」. Missing returns stand out by colour and by words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import language, tr
from ui.models import year_label
from ui.pages import Page

if TYPE_CHECKING:  # the returns package loads openpyxl: imported when first used
    from dxtracker.returns.apply import MergeReport
    from dxtracker.returns.model import ReturnProblem
    from dxtracker.returns.status import DepartmentStatus

Index = QModelIndex | QPersistentModelIndex
MISSING, REFUSED, WAITING, DONE = "#f6c7c7", "#ffe1b3", "#fff0c2", "#d8efd9"


@dataclass(frozen=True)
class Refusal:
    file_name: str
    sha256: str
    department: str | None  # None: not readable as a return at all
    fiscal_year: int | None
    at: datetime
    problems: tuple[ReturnProblem, ...]


class MergeLog(QObject):
    """Returns refused in this session, by department and year (kept in memory only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("merge_log")
        self.refusals: dict[tuple[str, str], Refusal] = {}

    def record(self, report: MergeReport) -> None:
        for result in report.files:
            preview = result.preview
            key = (result.file_name, preview.sha256)
            if result.outcome != "refused":
                self.refusals.pop(key, None)
                continue
            meta = preview.meta
            self.refusals[key] = Refusal(
                result.file_name, preview.sha256, meta.department_name if meta else None,
                meta.fiscal_year if meta else None, datetime.now(), preview.errors)

    def refused(self, department: str, fiscal_year: int) -> list[Refusal]:
        return [r for r in self.refusals.values()
                if r.department == department and r.fiscal_year == fiscal_year]


def merge_log(ctx: AppContext) -> MergeLog:
    """The log shared by the merge and tracker pages (a child of the context)."""
    log = ctx.findChild(MergeLog, "merge_log")
    return log if log is not None else MergeLog(ctx)


@dataclass(frozen=True)
class TrackerLine:
    status: DepartmentStatus
    refusals: tuple[Refusal, ...]

    @property
    def state(self) -> str:
        """not_expected, merged, waiting, refused, missing."""
        status = self.status
        if status.received:
            return "merged" if status.merged else "waiting"
        if self.refusals:
            return "refused"
        return "missing" if status.expected else "not_expected"


class TrackerModel(QAbstractTableModel):
    COLUMNS = 8

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.lines: list[TrackerLine] = []

    def set_lines(self, lines: list[TrackerLine]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def headers(self) -> list[str]:
        return [tr("部局"), tr("提出対象"), tr("提出状況"), tr("受領日時"), tr("取込"),
                tr("変更件数"), tr("古い回答"), tr("ファイル")]

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
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(line, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line) or self._cell(line, index.column())
        coloured = (0, 2) if line.state == "missing" else (0, 2, 4)
        if role == Qt.ItemDataRole.BackgroundRole and index.column() in coloured:
            colour = {"missing": MISSING, "refused": REFUSED, "waiting": WAITING,
                      "merged": DONE}.get(line.state)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and line.state == "not_expected":
            return QBrush(QColor("#777777"))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _cell(self, line: TrackerLine, column: int) -> str:
        status = line.status
        return [
            status.department_name,
            tr("指標 {kpis}・施策 {measures}", kpis=status.kpi_rows,
               measures=status.measure_rows) if status.expected else tr("対象外"),
            self._submission(line),
            f"{status.received_at:%Y-%m-%d %H:%M}" if status.received_at else "—",
            self._merge(line),
            str(status.changes_count) if status.received else "—",
            tr("古い回答（要確認）") if status.stale else "",
            status.file_name or (line.refusals[-1].file_name if line.refusals else ""),
        ][column]

    @staticmethod
    def _submission(line: TrackerLine) -> str:
        return {
            "merged": lambda: tr("提出済み"),
            "waiting": lambda: tr("提出済み"),
            "refused": lambda: tr("不受理（エラーあり）"),
            "missing": lambda: tr("未提出"),
            "not_expected": lambda: "—",
        }[line.state]()

    @staticmethod
    def _merge(line: TrackerLine) -> str:
        if line.state == "merged":
            return tr("取込済み（{count}件）", count=line.status.imports)
        if line.state == "waiting":
            return tr("競合 {count}件の判断待ち", count=line.status.conflicts_waiting)
        if line.state == "refused":
            return tr("取り込めませんでした")
        return "—"

    @staticmethod
    def _tooltip(line: TrackerLine) -> str:
        if line.state != "refused":
            return ""
        problems = [p.text(language()) for r in line.refusals for p in r.problems]
        return "\n".join(problems[:10])


class TrackerPage(Page):
    page_key = "tracker"
    title_ja = "提出状況"
    headquarters_only = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = TrackerModel(self)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setObjectName("tracker_summary")
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.view.setObjectName("tracker_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((110, 160, 190, 125, 140, 70, 110)):
            self.view.setColumnWidth(column, width)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        merge_log(ctx)  # make sure the log exists before the merge page records into it
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        from dxtracker.returns.status import submission_status

        fiscal_year = self.ctx.fiscal_year
        with self.ctx.db.read() as session:
            statuses = submission_status(session, fiscal_year)
        log = merge_log(self.ctx)
        self.model.set_lines([TrackerLine(s, tuple(log.refused(s.department_name, fiscal_year)))
                              for s in statuses])
        self._update_texts()

    def retranslate(self) -> None:
        self.legend.setText(tr(
            "赤: 未提出　橙: 不受理（ファイルにエラーがあり取り込めなかった）　"
            "黄: 競合の判断待ち　緑: 取込済み。不受理の理由は行にマウスを置くと表示されます。"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, TrackerModel.COLUMNS - 1)
        self._update_texts()

    def _update_texts(self) -> None:
        lines = self.model.lines
        if lines:
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(len(lines) - 1, TrackerModel.COLUMNS - 1))
        self.heading.setText(tr("{year} 回答の提出状況",
                                year=year_label(self.ctx.fiscal_year)))
        expected = [line for line in lines if line.status.expected]
        count = {state: sum(1 for line in expected if line.state == state)
                 for state in ("merged", "waiting", "refused", "missing")}
        self.summary.setText(tr(
            "対象 {expected}部局: 取込済み {merged}、判断待ち {waiting}、不受理 {refused}、"
            "未提出 {missing}", expected=len(expected), **count))
