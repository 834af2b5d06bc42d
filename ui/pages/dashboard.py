"""The dashboard: grades and measure statuses at a glance, and each project's KPI charts —
the charts of the consolidated report, drawn on matplotlib's Qt canvas.

Headquarters sees every project; a department sees its own (projects it leads, reports a KPI
of, or is responsible for a measure of). Reading and grading the plan runs on the worker
(`ctx.tasks`); the canvases draw on the UI thread when they are painted.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import language, tr
from ui.models import year_label
from ui.pages import Page

if TYPE_CHECKING:  # the report core loads matplotlib: imported when the page first loads
    from dxtracker.report.summary import ReportData
    from dxtracker.store.db import Database

CHARTS_PER_ROW = 2


def load_dashboard(db: Database, fiscal_year: int, department: str | None) -> ReportData:
    """The report's data for the year, narrowed to the department's projects (worker-safe:
    its own session; returns plain data)."""
    from dxtracker.report.summary import build_report_data

    with db.read() as session:
        data = build_report_data(session, fiscal_year, language=language())
    if department is None:
        return data
    own = [p for p in data.projects if is_own_project(p, department)]
    codes = {p["code"] for p in own}
    return dataclasses.replace(
        data, snapshot={**data.snapshot, "projects": own},
        summaries=[s for s in data.summaries if s.code in codes])


def is_own_project(project: dict[str, Any], department: str) -> bool:
    return (project["lead_department"] == department
            or any(department in k["reporting_departments"] for k in project["kpis"])
            or any(department in m["departments"] for m in project["measures"]))


class DashboardPage(Page):
    page_key = "dashboard"
    title_ja = "ダッシュボード"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        from ui.widgets.kpi_chart import OverviewChart

        self.data: ReportData | None = None
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setObjectName("dashboard_summary")
        self.summary.setWordWrap(True)
        from ui.widgets.review_summary import ReviewSummary

        self.reviews = ReviewSummary(ctx, self)  # how many returns are outstanding
        self.overview = OverviewChart(self)
        self.overview.setObjectName("dashboard_overview")
        self.project_label = QLabel()
        self.projects = QComboBox()
        self.projects.setObjectName("dashboard_projects")
        self.project_label.setBuddy(self.projects)
        self.projects.currentIndexChanged.connect(self._show_project)
        self.charts: list[Any] = []
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.reviews)
        column.addWidget(self.summary)
        column.addWidget(self.overview)
        chooser = QHBoxLayout()
        chooser.addWidget(self.project_label)
        chooser.addWidget(self.projects, 1)
        column.addLayout(chooser)
        column.addWidget(self.grid_host)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        self.retranslate()
        self.refresh()

    # --- the Page interface ----------------------------------------------------------------
    def refresh(self) -> None:
        self.reviews.refresh()
        db, fiscal_year, department = self.ctx.db, self.ctx.fiscal_year, self.ctx.department
        self.ctx.tasks.run(lambda _progress: load_dashboard(db, fiscal_year, department),
                           on_success=self._loaded, parent=self, quiet=True)

    def retranslate(self) -> None:
        self.reviews.retranslate()
        self.project_label.setText(tr("プロジェクト(&P)"))
        self._update_texts()
        if self.data is not None and self.data.wording.language != language():
            self.refresh()  # the charts speak the app's language

    # --- showing ---------------------------------------------------------------------------
    def _loaded(self, data: ReportData) -> None:
        self.data = data
        self.overview.show_data(data)
        chosen = self.projects.currentData()
        self.projects.blockSignals(True)
        self.projects.clear()
        for project in data.projects:
            self.projects.addItem(f"({project['number']}){project['title']}", project["code"])
        index = self.projects.findData(chosen)
        self.projects.setCurrentIndex(max(index, 0))
        self.projects.blockSignals(False)
        self._show_project()
        self._update_texts()

    def _show_project(self) -> None:
        from ui.widgets.kpi_chart import KpiChart

        data = self.data
        code = self.projects.currentData()
        project = next((p for p in data.projects if p["code"] == code), None) if data else None
        kpis = project["kpis"] if project else []
        while len(self.charts) > len(kpis):
            chart = self.charts.pop()
            self.grid.removeWidget(chart)
            chart.deleteLater()
        while len(self.charts) < len(kpis):
            chart = KpiChart(self.grid_host)
            self.grid.addWidget(chart, len(self.charts) // CHARTS_PER_ROW,
                                len(self.charts) % CHARTS_PER_ROW)
            self.charts.append(chart)
        for chart, kpi in zip(self.charts, kpis, strict=True):
            chart.show_kpi(kpi, data.kpi_grades(kpi["code"]), data.fiscal_year, data.scheme)

    def _update_texts(self) -> None:
        year = year_label(self.ctx.fiscal_year)
        scope = tr("全プロジェクト") if self.ctx.is_headquarters else self.ctx.department
        self.heading.setText(tr("{year} ダッシュボード（{scope}）", year=year, scope=scope))
        data = self.data
        if data is None:
            self.summary.setText(tr("読み込んでいます…"))
            return
        grades = data.total_grade_counts()
        statuses = data.total_status_counts()
        words = data.wording
        grade_text = words.join(f"{words.grade(data.scheme, g)} {grades.get(g, 0)}"
                                for g in data.scheme.all_grades)
        status_text = words.join(f"{words.status(s)} {n}" for s, n in statuses.items() if n)
        self.summary.setText(tr(
            "KPI {kpis}件の評価: {grades}\n施策の進捗（施策×担当部局）: {statuses}\n"
            "評価基準: {scheme}", kpis=sum(grades.values()), grades=grade_text,
            statuses=status_text or "—", scheme=words.scheme(data.scheme)))
