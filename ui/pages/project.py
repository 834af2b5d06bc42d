"""The project view: vision, project, lead department, the 3-year picture, the KPI table and
the measures with their schedule, as a person reads the seed's table (資料1-2); beside the
measures, the chart and grade of the KPI selected in the table (or in the navigation tree)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.plan.snapshot import project_for_year, project_snapshot
from dxtracker.store.models import Department, Kpi, Measure, Project
from ui.context import AppContext
from ui.i18n import tr
from ui.models.project_kpi_model import NAME, UNIT, ProjectKpiModel
from ui.pages import Page
from ui.pages.project_html import header_html, measures_html
from ui.widgets.kpi_detail import KpiDetailPanel


def project_code_of(session: Session, code: str) -> str | None:
    """The project a project, KPI or measure code belongs to."""
    for model in (Kpi, Measure):
        found = session.scalar(
            select(Project.code).join(model, model.project_id == Project.id)
            .where(model.code == code))
        if found:
            return found
    return session.scalar(select(Project.code).where(Project.code == code))


def grades_of(session: Session, project: dict[str, Any],
              fiscal_years: list[int]) -> tuple[Any, dict[str, dict[int, Any]]]:
    """The plan's grade scheme, and KPI code → fiscal year → grade (with the grades entered
    by hand): the table shows the selected year's, the chart every year's."""
    from dxtracker.report.grade_store import load_manual_grades, load_scheme
    from dxtracker.report.grading import grade_kpi

    scheme, manual = load_scheme(session), load_manual_grades(session)
    return scheme, {k["code"]: {fy: grade_kpi(k, fy, scheme, manual.get((k["code"], fy)))
                                for fy in fiscal_years} for k in project["kpis"]}


def load_project(session: Session, code: str | None,
                 department: str | None = None) -> dict[str, Any] | None:
    """The project as `plan show --json` shapes it; without a code, the first project the
    department leads (a department's own work first), else the plan's first project."""
    first = select(Project.code).order_by(Project.number).limit(1)
    found = None
    if code:
        found = session.scalar(select(Project.code).where(Project.code == code))
    elif department:
        led = first.join(Department, Project.lead_department_id == Department.id)
        found = session.scalar(led.where(Department.name == department))
    found = found or session.scalar(first)
    return project_snapshot(session, found) if found else None


class ProjectPage(Page):
    page_key = "project"
    title_ja = "プロジェクト"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.project: dict[str, Any] | None = None
        self.grades: dict[str, dict[int, Any]] = {}  # KPI code → fiscal year → grade
        self.scheme: Any = None
        self.project_code: str | None = ctx.settings.last_project or None
        # A label, not a text browser: layouts honour its height-for-width, so the header
        # always shows in full above the splitter.
        self.header = QLabel(self)
        self.header.setObjectName("project_header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_kpi_table()
        self.measures = QTextBrowser(self)
        self.measures.setObjectName("project_measures")
        self.measures.setOpenLinks(False)
        self.kpi_detail = KpiDetailPanel(self)
        self._build_layout()
        self.retranslate()

    def _build_kpi_table(self) -> None:
        self.kpi_title = QLabel(self)
        self.kpi_model = ProjectKpiModel(self)
        table = self.kpi_table = QTableView(self)
        table.setObjectName("project_kpi_table")
        table.setModel(self.kpi_model)
        table.setWordWrap(True)
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().hide()
        self.kpi_title.setBuddy(table)
        copy = QShortcut(QKeySequence.StandardKey.Copy, table)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.copy_kpis)
        # The current row, moved by mouse, arrow keys or the navigation tree, picks the chart.
        table.selectionModel().currentRowChanged.connect(lambda *_: self._show_kpi_detail())

    def _build_layout(self) -> None:
        kpis = QWidget(self)
        kpi_layout = QVBoxLayout(kpis)
        kpi_layout.setContentsMargins(0, 0, 0, 0)
        kpi_layout.addWidget(self.kpi_title)
        kpi_layout.addWidget(self.kpi_table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.lower_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.lower_splitter.setChildrenCollapsible(False)
        self.lower_splitter.addWidget(self.measures)
        self.lower_splitter.addWidget(self.kpi_detail)
        self.lower_splitter.setStretchFactor(0, 1)
        self.lower_splitter.setStretchFactor(1, 1)
        self.remember_splitter(self.lower_splitter, "lower_splitter")
        self.splitter.addWidget(kpis)
        self.splitter.addWidget(self.lower_splitter)
        self.splitter.setStretchFactor(1, 1)
        self.sized_by_user = bool(self.ctx.settings.splitters.get("project.splitter"))
        self.remember_splitter(self.splitter, "splitter")
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "sized_by_user", True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)

    # --- the Page interface ----------------------------------------------------------------
    def refresh(self) -> None:
        with self.ctx.db.read() as session:
            self.project = load_project(session, self.project_code, self.ctx.department)
            if self.project is not None:  # retired items: only in years they have data for
                self.project = project_for_year(self.project, self.ctx.fiscal_year) or \
                    dict(self.project, kpis=[], measures=[])
            self.scheme, self.grades = grades_of(session, self.project, self.ctx.fiscal_years) \
                if self.project else (None, {})
        self.project_code = self.project["code"] if self.project else None
        self._show()

    def retranslate(self) -> None:
        self.kpi_title.setText(tr("KPI（指標項目・目標・実績）(&K)"))
        self.kpi_model.retranslate()
        self.kpi_detail.retranslate()
        if self.project is not None:
            self._show()

    def show_item(self, code: str) -> None:
        """Open the project holding `code` and point at the KPI or measure."""
        with self.ctx.db.read() as session:
            project_code = project_code_of(session, code)
        if project_code is None:
            return
        if project_code != self.project_code:
            self.project_code = project_code
            self.ctx.settings.last_project = project_code
            self.refresh()
        row = self.kpi_model.row_of_code(code)
        if row >= 0:
            self.kpi_table.selectRow(row)
            self.kpi_table.scrollTo(self.kpi_model.index(row, 0))
        elif code != project_code:
            self.measures.scrollToAnchor(code)
        else:
            self.kpi_table.setCurrentIndex(QModelIndex())  # no KPI: the chart panel empties
            self.kpi_table.clearSelection()
            self.measures.verticalScrollBar().setValue(0)

    # --- drawing -----------------------------------------------------------------------------
    def _show(self) -> None:
        project = self.project
        shown_kpi = self.kpi_detail.kpi_code
        if project is None:
            self.header.setText(f"<p>{tr('計画にプロジェクトがありません。')}</p>")
            self.kpi_model.set_rows([], [], 0, None)
            self.measures.clear()
            self.kpi_detail.clear()
            return
        ctx = self.ctx
        self.header.setText(header_html(project))
        year_grades = {code: by_year.get(ctx.fiscal_year) for code, by_year in self.grades.items()}
        self.kpi_model.set_rows(project["kpis"], ctx.fiscal_years, ctx.baseline_fiscal_year,
                                ctx.fiscal_year, year_grades)
        # A model reset drops the selection silently: select the KPI shown before again (its
        # chart is redrawn with the new figures), or empty the panel.
        row = self.kpi_model.row_of_code(shown_kpi) if shown_kpi else -1
        if row >= 0:
            self.kpi_table.selectRow(row)
        else:
            self.kpi_detail.clear()
        self._size_columns()
        self._fit_kpi_table()
        position = self.measures.verticalScrollBar().value()
        self.measures.setHtml(measures_html(project, ctx.fiscal_years, ctx.fiscal_year))
        self.measures.verticalScrollBar().setValue(position)

    def _show_kpi_detail(self) -> None:
        """The chart and grade of the table's current KPI (nothing when no row is current)."""
        row = self.kpi_table.currentIndex().row()
        if self.project is None or not 0 <= row < self.kpi_model.rowCount():
            self.kpi_detail.clear()
            return
        kpi = self.kpi_model.rows[row]
        self.kpi_detail.show_kpi(kpi, self.grades.get(kpi["code"], {}), self.ctx.fiscal_year,
                                 self.scheme)

    def _size_columns(self) -> None:
        header = self.kpi_table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(UNIT, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(UNIT + 1, self.kpi_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.kpi_table.resizeColumnToContents(column)
            width = self.kpi_table.columnWidth(column)
            self.kpi_table.setColumnWidth(column, min(max(width, 80), 190))

    def _fit_kpi_table(self) -> None:
        """Give the KPI table the height of its rows (within limits), the measures the rest,
        unless the user has moved the splitter."""
        if self.sized_by_user:
            return
        table = self.kpi_table
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(self.kpi_model.rowCount()))
        wanted = self.kpi_title.sizeHint().height() + table.horizontalHeader().height() + rows + 8
        total = max(sum(self.splitter.sizes()), 400)
        kpi_height = min(max(wanted, 140), int(total * 0.6))
        self.splitter.setSizes([kpi_height, total - kpi_height])

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit_kpi_table()

    def copy_kpis(self) -> None:
        """Ctrl+C: the selected rows as tab-separated text (pastes into Excel)."""
        rows = sorted({i.row() for i in self.kpi_table.selectionModel().selectedIndexes()})
        model = self.kpi_model
        header = [str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ")
                  for c in range(model.columnCount())]
        lines = ["\t".join(header)] + [
            "\t".join(str(model.index(r, c).data()).replace("\n", " ")
                      for c in range(model.columnCount())) for r in rows]
        QApplication.clipboard().setText("\n".join(lines))
