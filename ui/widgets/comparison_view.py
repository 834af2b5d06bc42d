"""The comparison (前年度比較) with its choices: since last year or since the last accepted
return, the department (headquarters: every one, or one), the project, changed rows only.

One widget for the 前年度比較 page and for the dialog the export dialog opens (a department
checks what it is about to send). The comparison is built by the core on the worker thread;
changing the department builds it again (a department's view is the core's, not a filter), the
project and "changed only" filter the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import tr
from ui.models import year_label
from ui.models.comparison_model import ComparisonFilter, ComparisonModel

if TYPE_CHECKING:
    from dxtracker.report.comparison import Comparison
    from dxtracker.store.db import Database

ALL = ""  # the department and project combos' first entry: no narrowing
COLUMN_WIDTHS = (95, 150, 65, 240, 110, 130, 140, 140, 75, 330)


def load_comparison(db: Database, fiscal_year: int, since: str, department: str | None
                    ) -> Comparison:
    """Worker-safe: its own session, plain data back."""
    from dxtracker.report.comparison import build_comparison

    with db.read() as session:
        return build_comparison(session, fiscal_year, since=since, department=department)


class ComparisonView(QWidget):
    """`department`: a fixed department (its own items), or None to choose (headquarters);
    `fiscal_year`: a fixed year, or None to follow the app's."""

    def __init__(self, ctx: AppContext, *, department: str | None = None,
                 fiscal_year: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.fixed_department, self.fixed_year = ctx, department, fiscal_year
        self.comparison: Comparison | None = None
        self.model = ComparisonModel(self)
        self.filter = ComparisonFilter(self)
        self.filter.setSourceModel(self.model)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.since_combo = QComboBox()
        self.since_combo.setObjectName("comparison_since")
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("comparison_department")
        self.project_combo = QComboBox()
        self.project_combo.setObjectName("comparison_project")
        self.changed_check = QCheckBox()
        self.changed_check.setObjectName("comparison_changed_only")
        self.labels = [QLabel() for _ in range(3)]
        for label, field in zip(self.labels, (self.since_combo, self.department_combo,
                                              self.project_combo), strict=True):
            label.setBuddy(field)
        self.summary = QLabel()
        self.summary.setObjectName("comparison_summary")
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.view.setObjectName("comparison_table")
        self.view.setModel(self.filter)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.department_combo.setMinimumContentsLength(10)
        choices = QHBoxLayout()
        for label, field in zip(self.labels, (self.since_combo, self.department_combo,
                                              self.project_combo), strict=True):
            choices.addWidget(label)
            choices.addWidget(field, 1)
        choices.addWidget(self.changed_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(choices)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.since_combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.department_combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.project_combo.currentIndexChanged.connect(lambda _: self._apply_filter())
        self.changed_check.toggled.connect(lambda _: self._apply_filter())

    # ------------------------------------------------------------------ choices

    def fiscal_year(self) -> int:
        return self.fixed_year if self.fixed_year is not None else self.ctx.fiscal_year

    def since(self) -> str:
        return self.since_combo.currentData() or "year"

    def department(self) -> str | None:
        """The department whose items are compared; None for every department."""
        if self.fixed_department is not None:
            return self.fixed_department
        if not self.ctx.is_headquarters:
            return self.ctx.department
        return self.department_combo.currentData() or None

    def retranslate(self) -> None:
        _refill(self.since_combo, [(tr("前年度と比べる"), "year"),
                                   (tr("前回の回答（承認済み、なければ統合済み）と比べる"), "return")])
        own = self.fixed_department or (None if self.ctx.is_headquarters else self.ctx.department)
        departments = [(own, own)] if own else [
            (tr("全部局"), ALL), *((name, name) for name in self.ctx.departments)]
        _refill(self.department_combo, departments)
        self.department_combo.setEnabled(own is None)
        for label, text in zip(self.labels, (tr("比較(&C):"), tr("部局(&D):"),
                                             tr("プロジェクト(&P):")), strict=True):
            label.setText(text)
        self.changed_check.setText(tr("変更のある行だけ(&O)"))
        self.model.retranslate()
        self._fill_projects()
        self._update_texts()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        db, fiscal_year, since, department = (self.ctx.db, self.fiscal_year(), self.since(),
                                              self.department())
        self.summary.setText(tr("読み込んでいます…"))
        self.ctx.tasks.run(lambda _progress: load_comparison(db, fiscal_year, since, department),
                           on_success=self._loaded, parent=self, quiet=True)

    def _loaded(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.model.set_comparison(comparison)
        for column, width in enumerate(COLUMN_WIDTHS[:self.model.columnCount()]):
            self.view.setColumnWidth(column, width)  # the basis column comes and goes
        self._fill_projects()
        self._update_texts()

    def _fill_projects(self) -> None:
        rows = self.comparison.rows if self.comparison is not None else []
        projects = list(dict.fromkeys(row.project for row in rows))
        _refill(self.project_combo, [(tr("すべてのプロジェクト"), ALL),
                                     *((title, title) for title in projects)])
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.filter.set_filter(changed_only=self.changed_check.isChecked(),
                               project=self.project_combo.currentData() or ALL)
        self._update_texts()

    def _update_texts(self) -> None:
        scope = self.department() or tr("全部局")
        year = year_label(self.fiscal_year())
        if self.since() == "year":
            heading = tr("前年度比較: {previous} → {current}（{scope}）",
                         previous=year_label(self.fiscal_year() - 1), current=year, scope=scope)
        else:
            heading = tr("前回の回答からの変更: {year}（{scope}）", year=year, scope=scope)
        self.heading.setText(heading)
        comparison = self.comparison
        if comparison is None:
            return
        self.summary.setText(tr(
            "変更のある行: {changed} / {total}（表示 {shown}行）。「● 変更あり」の行は前と今で値が"
            "異なります（網掛けも同じ意味です）。", changed=len(comparison.changed_rows),
            total=len(comparison.rows), shown=self.filter.rowCount()))


def _refill(combo: QComboBox, entries: list[tuple[str, str]]) -> None:
    """Replace the entries, keeping the chosen one (by its data) and emitting nothing."""
    chosen = combo.currentData()
    blocked = combo.blockSignals(True)
    combo.clear()
    for text, data in entries:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(chosen), 0))
    combo.blockSignals(blocked)
