"""The project view's panel for the selected KPI: its chart (the report's, `KpiChart`) and the
grade of the selected fiscal year with the reason.

The chart is created on the first KPI shown, not with the panel: it loads matplotlib, which
the project view (the home page, built while the app starts) must not wait for.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.i18n import language, tr
from ui.models import year_label
from ui.models.project_kpi_model import grade_label

if TYPE_CHECKING:
    from dxtracker.report.grading import Grade, GradeScheme
    from ui.widgets.kpi_chart import KpiChart

CHART_MIN_SIZE = (360, 220)  # smaller than the dashboard's: the panel shares the page
CHART_MAX_HEIGHT = 360


class KpiDetailPanel(QWidget):
    """Empty (a hint) until `show_kpi`; `clear()` empties it again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project_kpi_detail")
        self.kpi_code = ""
        self.chart: KpiChart | None = None
        self._shown: tuple[Mapping[str, Any], Mapping[int, Grade], int] | None = None
        self.grade_label = QLabel()
        self.grade_label.setObjectName("project_kpi_grade")
        self.grade_label.setWordWrap(True)
        self.grade_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #666666;")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(4, 0, 0, 0)
        self.column.addWidget(self.grade_label)
        self.column.addWidget(self.hint, 1)
        self.retranslate()
        self.clear()

    def show_kpi(self, kpi: Mapping[str, Any], grades: Mapping[int, Grade], fiscal_year: int,
                 scheme: GradeScheme) -> None:
        """Draw the KPI's chart and write the year's grade (grades: fiscal year → grade)."""
        chart = self._chart()
        chart.show_kpi(kpi, grades, fiscal_year, scheme)
        chart.setVisible(True)
        self.hint.setVisible(False)
        self.kpi_code = kpi["code"]
        self._shown = (kpi, grades, fiscal_year)
        self._write_grade()

    def clear(self) -> None:
        self.kpi_code = ""
        self._shown = None
        if self.chart is not None:
            self.chart.setVisible(False)
        self.grade_label.setVisible(False)
        self.hint.setVisible(True)

    def retranslate(self) -> None:
        self.hint.setText(tr("KPIの行を選ぶと、そのKPIのグラフと評価をここに表示します。"))
        self._write_grade()

    def _chart(self) -> KpiChart:
        if self.chart is None:
            from ui.widgets.kpi_chart import KpiChart

            chart = KpiChart(self)
            chart.setObjectName("project_kpi_chart")
            # Shorter than the dashboard's fixed 300 px when the page is short of room.
            chart.setMinimumSize(*CHART_MIN_SIZE)
            chart.setMaximumHeight(CHART_MAX_HEIGHT)
            chart.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self.column.insertWidget(1, chart, 1)
            self.chart = chart
        return self.chart

    def _write_grade(self) -> None:
        if self._shown is None:
            return
        kpi, grades, fiscal_year = self._shown
        grade = grades.get(fiscal_year)
        year = year_label(fiscal_year)
        # The chart's title names the KPI; this says the grade in the user's language.
        lines = [escape(kpi["code"])]
        if grade is not None:
            lines[0] += "　" + tr("{year}の評価: {grade}", year=escape(year),
                                  grade=f"<b>{escape(grade_label(grade))}</b>")
            reason = grade.reason_in(language()) + (tr("（手入力の評価）") if grade.manual else "")
            if reason:
                lines.append(f"<span style='color:#555555'>{escape(reason)}</span>")
        self.grade_label.setText("<br>".join(lines))
        self.grade_label.setVisible(True)
