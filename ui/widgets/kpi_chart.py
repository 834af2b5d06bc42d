"""The report's charts on screen: matplotlib's Qt canvas drawing with the core's functions
(`dxtracker.report.charts`), so the dashboard shows exactly what the workbook and PDF show.

Import this module lazily (from a page's method): it loads matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import QSizePolicy, QWidget

from dxtracker.report.charts import KPI_FIGSIZE, KPI_RECT, chart_style, draw_kpi_chart
from dxtracker.report.grading import Grade, GradeScheme
from dxtracker.report.overview import draw_overviews, overview_box, overview_size
from dxtracker.report.summary import ReportData
from dxtracker.report.wording import Wording
from ui.i18n import language


class _Canvas(FigureCanvasQTAgg):
    """A canvas that draws with the report's Japanese font list (ticks are laid out at draw
    time, outside any `chart_style()` of the caller), without touching global rcParams."""

    def draw(self) -> None:
        with chart_style():
            super().draw()


class KpiChart(_Canvas):
    """One KPI: baseline, targets (revisions in red), actuals and the year's grade."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Figure(figsize=KPI_FIGSIZE))
        self.setParent(parent)
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(300)
        self.kpi_code = ""
        self._axes = None

    def show_kpi(self, kpi: Mapping[str, Any], grades: Mapping[int, Grade], fiscal_year: int,
                 scheme: GradeScheme) -> None:
        with chart_style():
            if self._axes is None:
                self._axes = self.figure.add_axes(KPI_RECT)
            # in the app's language, as the report made from the app is
            draw_kpi_chart(self._axes, kpi, grades, fiscal_year, scheme,
                           wording=Wording(language()))
        self.kpi_code = kpi["code"]
        self.setToolTip(f"{kpi['code']} {kpi['name']}")
        self.draw_idle()

    def title(self) -> str:
        return self._axes.get_title(loc="left") if self._axes is not None else ""


class OverviewChart(_Canvas):
    """Grades and measure statuses per project, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Figure(figsize=(10, 4)))
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_data(self, data: ReportData) -> None:
        width, height = overview_size(data)
        self.figure.clear()
        self.figure.set_size_inches(width, height)
        with chart_style():
            draw_overviews(self.figure, data, overview_box(height))
        self.setFixedHeight(int(height * self.figure.dpi / self.device_pixel_ratio))
        self.draw_idle()
