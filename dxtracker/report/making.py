"""Making the whole report — the workbook and, if asked, the PDF — as counted steps: a chart
per KPI and the overview, a sheet each, saving, then a PDF page each. `progress(step)` hears of
every step with its number and the total ("step 12 of 58: chart P03-K2"), and may raise
`steps.ReportCancelled` to stop.

Nothing half-written is left either way: the workbook is saved to a temporary file beside its
destination, the PDF is written (to its own temporary file, then moved into place) while the
workbook waits, and only then does the workbook take its place. A failure or a cancel at any
step removes the temporary files and leaves both destinations as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dxtracker.report.charts import ChartRenderer
from dxtracker.report.comparison import Comparison
from dxtracker.report.pdf import page_count, write_report_pdf
from dxtracker.report.steps import ReportStep
from dxtracker.report.summary import ReportData
from dxtracker.report.workbook import ReportResult, workbook_steps, write_report

Progress = Callable[[ReportStep], None]


@dataclass(frozen=True)
class MadeReport:
    workbook: ReportResult
    pdf: Path | None
    pages: int  # of the PDF, 0 without one


def report_steps(data: ReportData, *, pdf: bool, comparison: Comparison | None = None) -> int:
    return workbook_steps(data, comparison) + (page_count(data) if pdf else 0)


def make_report(data: ReportData, xlsx: Path | str, *, pdf: Path | str | None = None,
                comparison: Comparison | None = None, progress: Progress | None = None,
                renderer: ChartRenderer | None = None) -> MadeReport:
    """Write the workbook (and the PDF) for `data`; see the module's docstring."""
    counter = _Counter(report_steps(data, pdf=pdf is not None, comparison=comparison), progress)
    pages: list[int] = []

    def write_pdf() -> None:
        assert pdf is not None
        pages.append(write_report_pdf(data, pdf, lambda page: counter("pdf", str(page))))

    result = write_report(data, xlsx, step=counter, renderer=renderer, comparison=comparison,
                          before_replace=write_pdf if pdf is not None else None)
    return MadeReport(result, Path(pdf) if pdf is not None else None, pages[0] if pages else 0)


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def __call__(self, stage: str, detail: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(ReportStep(self.done, self.total, stage, detail))
