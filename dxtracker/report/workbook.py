"""The consolidated workbook: `dxtracker report -o FILE.xlsx`.

Sheets: 総括 (summary), one sheet per project in the seed's layout, データ (machine-readable),
and on request 前年度比較 (`comparison_sheet`). The file is written next to its destination
and moved into place only when complete, so an interrupted run never leaves half a workbook,
and a workbook open in Excel is reported as such (FACTS.md "Replacing files on Windows").

Every chart drawn and every sheet written is a step (`step(stage, detail)`), which is how the
report shows its progress and how it is cancelled: a step that raises stops the run, and the
temporary file goes with it (`making.make_report`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.files.atomic import write_atomically
from dxtracker.report.charts import ChartRenderer
from dxtracker.report.comparison import Comparison
from dxtracker.report.comparison_sheet import comparison_sheet_name, write_comparison_sheet
from dxtracker.report.data_sheet import write_data_sheet
from dxtracker.report.overview import overview_png
from dxtracker.report.project_sheet import write_project_sheet
from dxtracker.report.summary import ReportData
from dxtracker.report.summary_sheet import write_summary_sheet

log = logging.getLogger(__name__)

SUMMARY_SHEET = "総括"
DATA_SHEET = "データ"
Step = Callable[[str, str], None]  # one step done: stage ("chart", "sheet", "save"), detail


def _no_step(_stage: str, _detail: str) -> None:
    pass


@dataclass(frozen=True)
class ReportResult:
    path: Path
    sheets: int
    charts: int
    data_rows: int
    seconds: float


def project_sheet_name(project: dict) -> str:
    """"P01 スマート県庁推進プロジェクト", cut to Excel's 31 characters, no []:*?/\\."""
    name = re.sub(r"[\[\]:*?/\\]", "", f"{project['code']} {project['title']}")
    return name[:31]


def sheet_names(data: ReportData) -> tuple[str, str]:
    """The summary's and the data sheet's names in the report's language."""
    return data.wording.tr("総括"), data.wording.tr("データ")  # SUMMARY_SHEET, DATA_SHEET


def render_kpi_charts(data: ReportData, renderer: ChartRenderer, step: Step = _no_step
                      ) -> dict[str, bytes]:
    charts: dict[str, bytes] = {}
    for kpi in (k for p in data.projects for k in p["kpis"]):
        charts[kpi["code"]] = renderer.kpi_png(kpi, data.kpi_grades(kpi["code"]),
                                               data.fiscal_year, data.scheme, data.wording)
        step("chart", kpi["code"])
    return charts


def build_workbook(data: ReportData, charts: dict[str, bytes], overviews: dict[str, bytes],
                   *, comparison: Comparison | None = None, step: Step = _no_step
                   ) -> tuple[Workbook, int]:
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on one empty worksheet
    summary_name, data_name = sheet_names(data)
    summary.title = summary_name
    write_summary_sheet(summary, data, overviews)
    step("sheet", summary_name)
    for project in data.projects:
        name = project_sheet_name(project)
        write_project_sheet(workbook.create_sheet(name), data, project, charts)
        step("sheet", name)
    rows = write_data_sheet(workbook.create_sheet(data_name), data.snapshot, data.wording)
    step("sheet", data_name)
    if comparison is not None:
        name = comparison_sheet_name(comparison, data.wording)
        write_comparison_sheet(workbook.create_sheet(name), comparison, data.wording)
        step("sheet", name)
    return workbook, rows


def workbook_steps(data: ReportData, comparison: Comparison | None = None) -> int:
    """The steps `write_report` takes: a chart per KPI and the overview, a sheet each, the
    save."""
    kpis = sum(len(p["kpis"]) for p in data.projects)
    sheets = 2 + len(data.projects) + (comparison is not None)
    return kpis + 1 + sheets + 1


def write_report(data: ReportData, path: Path | str, *, step: Step = _no_step,
                 renderer: ChartRenderer | None = None, comparison: Comparison | None = None,
                 before_replace: Callable[[], object] | None = None) -> ReportResult:
    """Render the charts and write the workbook to `path` (atomically). `before_replace` runs
    once the workbook is saved to its temporary file and before it takes `path`'s place: the
    PDF is written there, so that a PDF that fails (or is cancelled) leaves no new workbook
    either."""
    started = time.perf_counter()
    path = Path(path)
    renderer = renderer or ChartRenderer()
    charts = render_kpi_charts(data, renderer, step)
    overviews = {"overview": overview_png(renderer, data)}
    step("chart", "overview")
    workbook, rows = build_workbook(data, charts, overviews, comparison=comparison, step=step)

    def save(temporary: Path) -> None:
        workbook.save(temporary)
        step("save", path.name)
        if before_replace is not None:
            before_replace()

    write_atomically(path, save)
    return ReportResult(path, len(workbook.worksheets), len(charts) + len(overviews), rows,
                        time.perf_counter() - started)
