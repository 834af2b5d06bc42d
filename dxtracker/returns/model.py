"""What a department return says, once read: metadata, entries, proposals and problems.

These plain dataclasses are the contract between the workbook side (export, reader) and the
merge side (merge, apply, history). Entries carry the value each input cell held at export
(`base_*`), so that a merge can tell what the department changed from what headquarters
changed since (a three-way merge). Values are canonical texts (`dxtracker.figures.format.format_value`),
the same texts the database stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from dxtracker.errors import DxTrackerError
from dxtracker.figures.reading import FigureReading

FORMAT_VERSION = 1

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ReturnProblem:
    """One problem of a return file, addressed to its file, sheet and cell where there is one."""

    file: str
    sheet: str | None
    cell: str | None
    message_ja: str
    message_en: str
    severity: Severity = "error"

    @property
    def where(self) -> str:
        """ "KPI実績!F7", "KPI実績" or "" — the place inside the file."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def __str__(self) -> str:
        return self.text("ja")

    def text(self, language: str = "ja") -> str:
        message = self.message_en if language == "en" else self.message_ja
        where = f" {self.where}" if self.where else ""
        return f"{self.file}{where}: {message}"


@dataclass(frozen=True)
class ReturnMeta:
    """The hidden metadata of a return: which plan, department and year it answers."""

    format_version: int
    plan_code: str
    plan_fingerprint: str
    department_code: str
    department_name: str
    fiscal_year: int
    exported_at: datetime
    app_version: str


@dataclass(frozen=True)
class KpiEntry:
    """One row of the KPI sheet: this department's figure for the year."""

    kpi_code: str
    fiscal_year: int
    department_code: str
    value: str | None  # canonical text, or None for a blank cell
    note: str
    base_value: str | None  # what the cells held at export (the three-way merge base)
    base_note: str
    row: int  # sheet row, for messages


@dataclass(frozen=True)
class MeasureEntry:
    """One row of the measures sheet: this department's progress on a measure for the year."""

    measure_code: str
    fiscal_year: int
    department_code: str
    status: str | None
    record: str
    issues: str
    next_policy: str
    base_status: str | None
    base_record: str
    base_issues: str
    base_next_policy: str
    row: int


@dataclass(frozen=True)
class ProposedRevision:
    """A target revision the department proposes; headquarters accepts or rejects it."""

    kpi_code: str
    fiscal_year: int
    value: str  # canonical text; words allowed ("半数")
    reason: str
    row: int


@dataclass(frozen=True)
class ValueReading:
    """How one typed figure of a return was read (「約30」→ 30（概数）), for the dry run."""

    sheet: str
    cell: str
    item_code: str
    field: str  # "actual", or "proposal" for a proposed target
    reading: FigureReading

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    def text(self, language: str = "ja") -> str:
        return self.reading.text(language)


@dataclass(frozen=True)
class ParsedReturn:
    """A return file as read, with every problem found. Nothing here has touched the database."""

    path: Path
    file_name: str
    sha256: str
    meta: ReturnMeta | None  # None when the file is not a readable return at all
    kpis: tuple[KpiEntry, ...]
    measures: tuple[MeasureEntry, ...]
    proposals: tuple[ProposedRevision, ...]
    problems: tuple[ReturnProblem, ...]
    # Figures read from something other than a plain number (not part of what the return
    # says: `history.content_digest` leaves them out, whatever program saved the file).
    readings: tuple[ValueReading, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings do not stop a merge)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> tuple[ReturnProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ReturnProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


class ReturnRejected(DxTrackerError):
    """A return that cannot be merged; `.problems` lists every reason."""

    def __init__(self, problems: Iterable[ReturnProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            "\n".join([f"回答ファイルを取り込めません（{count}件の問題）:",
                       *(f"  - {p.text('ja')}" for p in self.problems)]),
            "\n".join([f"The return cannot be imported ({count} problem(s)):",
                       *(f"  - {p.text('en')}" for p in self.problems)]),
        )
