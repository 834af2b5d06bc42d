"""The consolidated workbook: `dxtracker report -o FILE.xlsx`.

Sheets: 総括 (summary), one sheet per project in the seed's layout, データ (machine-readable).
The file is written next to its destination and moved into place only when complete, so an
interrupted run never leaves half a workbook, and a workbook open in Excel is reported as such
(FACTS.md "Replacing files on Windows").
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
from dxtracker.report.data_sheet import write_data_sheet
from dxtracker.report.overview import overview_png
from dxtracker.report.project_sheet import write_project_sheet
from dxtracker.report.summary import ReportData
from dxtracker.report.summary_sheet import write_summary_sheet

log = logging.getLogger(__name__)

SUMMARY_SHEET = "総括"
DATA_SHEET = "データ"
Progress = Callable[[int, int, str], None]  # done, total, what


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


def render_kpi_charts(data: ReportData, renderer: ChartRenderer,
                      progress: Progress | None = None) -> dict[str, bytes]:
    charts: dict[str, bytes] = {}
    kpis = [k for p in data.projects for k in p["kpis"]]
    for index, kpi in enumerate(kpis):
        charts[kpi["code"]] = renderer.kpi_png(kpi, data.kpi_grades(kpi["code"]),
                                               data.fiscal_year, data.scheme)
        if progress:
            progress(index + 1, len(kpis), kpi["code"])
    return charts


def build_workbook(data: ReportData, charts: dict[str, bytes],
                   overviews: dict[str, bytes]) -> tuple[Workbook, int]:
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on one empty worksheet
    summary.title = SUMMARY_SHEET
    write_summary_sheet(summary, data, overviews)
    for project in data.projects:
        write_project_sheet(workbook.create_sheet(project_sheet_name(project)), data, project,
                            charts)
    rows = write_data_sheet(workbook.create_sheet(DATA_SHEET), data.snapshot)
    return workbook, rows


def write_report(data: ReportData, path: Path | str, *, progress: Progress | None = None,
                 renderer: ChartRenderer | None = None) -> ReportResult:
    """Render the charts and write the workbook to `path` (atomically)."""
    started = time.perf_counter()
    path = Path(path)
    renderer = renderer or ChartRenderer()
    charts = render_kpi_charts(data, renderer, progress)
    overviews = {"overview": overview_png(renderer, data)}
    workbook, rows = build_workbook(data, charts, overviews)
    write_atomically(path, workbook.save)
    return ReportResult(path, len(workbook.worksheets), len(charts) + len(overviews), rows,
                        time.perf_counter() - started)
