"""Submission status (提出状況): which departments owe a return for a year, and what arrived.

A department is expected when its return for the year has rows: a KPI it reports or a measure
it is responsible for. "Stale" marks a department whose most recently merged return was
exported before another return of it already merged (it was forced in with --force), so the
figures may be older than what the department sent before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.figures.entry import check_fiscal_year
from dxtracker.returns.collect import reported_items
from dxtracker.returns.refusals import Refusal, list_refusals
from dxtracker.returns.review_info import ReviewInfo, reviews_of_year
from dxtracker.store.lookup import all_departments
from dxtracker.store.models import Department, ReturnImport


@dataclass(frozen=True)
class DepartmentStatus:
    department_code: str
    department_name: str
    kpi_rows: int  # rows of its return: KPIs it reports …
    measure_rows: int  # … and measures it is responsible for
    imports: int  # returns merged for the year (not undone)
    received_at: datetime | None  # when the latest one was merged
    file_name: str
    exported_at: datetime | None
    changes_count: int  # fields changed by its merged returns
    conflicts_waiting: int  # conflicts of the latest return still waiting for a decision
    stale: bool
    review: ReviewInfo | None = None  # headquarters' review of its return (review.py)
    refusals: tuple[Refusal, ...] = ()  # files refused since its latest merged return

    @property
    def review_state(self) -> str | None:
        """received, under_review, accepted, sent_back; None while nothing was merged."""
        return self.review.state if self.review is not None else None

    @property
    def expected(self) -> bool:
        return bool(self.kpi_rows or self.measure_rows)

    @property
    def received(self) -> bool:
        return self.imports > 0

    @property
    def merged(self) -> bool:
        """Received and nothing waits for a decision."""
        return self.received and not self.conflicts_waiting

    @property
    def missing(self) -> bool:
        return self.expected and not self.received


def submission_status(session: Session, fiscal_year: int) -> list[DepartmentStatus]:
    """One line per department (retired ones only if a return of theirs arrived).

    Raises EntryRejected for a year outside the plan period.
    """
    check_fiscal_year(session, fiscal_year)
    kpi_rows, measure_rows = _expected_rows(session)
    imports = _imports_by_department(session, fiscal_year)
    reviews = reviews_of_year(session, fiscal_year)
    refusals = _refusals_by_department(session, fiscal_year)
    lines = []
    for dept in all_departments(session, include_retired=True):
        if dept.retired and dept.id not in imports and dept.code not in refusals:
            continue
        line = _line(dept, kpi_rows[dept.id], measure_rows[dept.id], imports.get(dept.id, []))
        since = line.received_at
        lines.append(replace(line, review=reviews.get(dept.id), refusals=tuple(
            r for r in refusals.get(dept.code, []) if since is None or r.refused_at >= since)))
    return lines


def _refusals_by_department(session: Session, fiscal_year: int) -> dict[str, list[Refusal]]:
    found: dict[str, list[Refusal]] = defaultdict(list)
    for refusal in list_refusals(session, fiscal_year=fiscal_year, unresolved=True):
        if refusal.department_code is not None:
            found[refusal.department_code].append(refusal)
    return found


def _expected_rows(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """How many KPI rows and measure rows each department's return holds."""
    kpi_rows: dict[int, int] = {}
    measure_rows: dict[int, int] = {}
    for dept in all_departments(session, include_retired=True):
        items = reported_items(session, dept)
        kpi_rows[dept.id], measure_rows[dept.id] = len(items.kpi_units), len(items.measure_codes)
    return kpi_rows, measure_rows


def _imports_by_department(session: Session, fiscal_year: int
                           ) -> dict[int, list[ReturnImport]]:
    rows = session.scalars(
        select(ReturnImport).where(ReturnImport.fiscal_year == fiscal_year,
                                   ReturnImport.state == "merged")
        .order_by(ReturnImport.id))
    found: dict[int, list[ReturnImport]] = defaultdict(list)
    for row in rows:
        found[row.department_id].append(row)
    return found


def _line(dept: Department, kpi_rows: int, measure_rows: int,
          imports: list[ReturnImport]) -> DepartmentStatus:
    if not imports:
        return DepartmentStatus(dept.code, dept.name, kpi_rows, measure_rows, 0, None, "", None,
                                0, 0, False)
    latest = imports[-1]
    newest_export = max(i.exported_at for i in imports)
    return DepartmentStatus(
        dept.code, dept.name, kpi_rows, measure_rows, len(imports), latest.imported_at,
        latest.file_name, latest.exported_at, sum(i.changes_count for i in imports),
        latest.conflicts_count, stale=latest.exported_at < newest_export,
    )


@dataclass(frozen=True)
class ReviewCounts:
    """How far the year's returns are: of the departments that owe one, how many are accepted
    and how many are outstanding, and why (the tracker, the dashboard and `status` say so)."""

    expected: int
    accepted: int
    received: int  # merged, review not started
    under_review: int
    sent_back: int  # waiting for the department's fix
    refused: int  # nothing merged, a file refused
    missing: int  # nothing merged, nothing refused

    @property
    def outstanding(self) -> int:
        return self.expected - self.accepted


def review_counts(lines: list[DepartmentStatus]) -> ReviewCounts:
    expected = [s for s in lines if s.expected]
    states = [s.review_state for s in expected]
    unmerged = [s for s in expected if s.missing]
    return ReviewCounts(len(expected), states.count("accepted"), states.count("received"),
                        states.count("under_review"), states.count("sent_back"),
                        sum(1 for s in unmerged if s.refusals),
                        sum(1 for s in unmerged if not s.refusals))
