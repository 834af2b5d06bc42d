"""The steps of making the report, as the app hears of them: `ReportStep` (step N of M, its
stage and what it was), `ReportCancelled` (raised by a progress callback to stop), and the
progress protocol of `dxtracker report --progress`. No heavy imports: the app's report dialog
reads the protocol without loading matplotlib or openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("chart", "sheet", "save", "pdf")


class ReportCancelled(Exception):
    """Raised by a progress callback to stop the report (the user pressed 中止)."""


@dataclass(frozen=True)
class ReportStep:
    done: int  # steps done, this one included
    total: int
    stage: str  # one of STAGES
    detail: str  # the KPI code, the sheet's name, the file's name, the page number


# The progress protocol of `dxtracker report --progress` (the app runs the report as a child
# process and reads these lines): one line per step on stdout, tab-separated,
# "PROGRESS<TAB>done<TAB>total<TAB>stage<TAB>detail".
PROGRESS_PREFIX = "PROGRESS"


def progress_line(step: ReportStep) -> str:
    detail = " ".join(step.detail.split())  # no tab or line break inside a field
    return "\t".join((PROGRESS_PREFIX, str(step.done), str(step.total), step.stage, detail))


def parse_progress_line(line: str) -> ReportStep | None:
    """The step a protocol line reports; None for any other line (the final messages)."""
    parts = line.rstrip("\r\n").split("\t")
    if len(parts) != 5 or parts[0] != PROGRESS_PREFIX or parts[3] not in STAGES:
        return None
    try:
        return ReportStep(int(parts[1]), int(parts[2]), parts[3], parts[4])
    except ValueError:
        return None
