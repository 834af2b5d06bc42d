"""Everything a report shows, gathered once as plain data: the plan snapshot, the grade of
every KPI for every fiscal year, and per project the counts of grades and measure statuses.

The workbook, the PDF, the charts and the desktop dashboard all read this; none of them goes
back to the database.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.plan.snapshot import plan_snapshot, shown_for_year
from dxtracker.report.grade_store import ManualGrades, load_manual_grades, load_scheme
from dxtracker.report.grading import Grade, GradeScheme, grade_kpi
from dxtracker.report.wording import JAPANESE, Wording
from dxtracker.returns.status import submission_status
from dxtracker.store.models import STATUSES

NOT_REPORTED = "未報告"
STATUS_KEYS = (*STATUSES, NOT_REPORTED)


@dataclass(frozen=True)
class ProjectSummary:
    code: str
    number: int
    title: str
    grade_counts: dict[str, int]  # grade → number of KPIs (this fiscal year)
    status_counts: dict[str, int]  # status or 未報告 → number of (measure, department)


@dataclass(frozen=True)
class Submissions:
    """Which returns arrived: one row per department (see `_submission_row`)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(1 for row in self.rows if row["state"] != "not_expected")

    @property
    def missing(self) -> int:
        return sum(1 for row in self.rows if row["state"] == "missing")

    def note(self, wording: Wording, fiscal_year: int) -> str:
        return wording.tr("{year}: 回答の対象 {expected}部局のうち未提出 {missing}部局。",
                          year=wording.year(fiscal_year), expected=self.expected,
                          missing=self.missing)


@dataclass(frozen=True)
class ReportData:
    snapshot: dict[str, Any]
    fiscal_year: int
    scheme: GradeScheme
    grades: dict[tuple[str, int], Grade]  # (kpi code, fiscal year) → grade
    manual: ManualGrades
    summaries: list[ProjectSummary]
    submissions: Submissions
    wording: Wording = JAPANESE  # the language of the report's fixed text

    @property
    def projects(self) -> list[dict[str, Any]]:
        return self.snapshot["projects"]

    @property
    def fiscal_years(self) -> list[int]:
        return self.snapshot["plan"]["fiscal_years"]

    def grade(self, kpi_code: str, fiscal_year: int | None = None) -> Grade:
        return self.grades[(kpi_code, fiscal_year or self.fiscal_year)]

    def kpi_grades(self, kpi_code: str) -> dict[int, Grade]:
        return {fy: self.grades[(kpi_code, fy)] for fy in self.fiscal_years}

    def total_grade_counts(self) -> dict[str, int]:
        """Grade → number of KPIs, in the scheme's order."""
        return _ordered(sum((Counter(s.grade_counts) for s in self.summaries), Counter()),
                        self.scheme.all_grades)

    def total_status_counts(self) -> dict[str, int]:
        """Status (or 未報告) → number of (measure, department), in the usual order."""
        return _ordered(sum((Counter(s.status_counts) for s in self.summaries), Counter()),
                        STATUS_KEYS)


def _ordered(counts: Counter[str], keys: tuple[str, ...] | list[str]) -> dict[str, int]:
    return {k: counts.get(k, 0) for k in keys} | {k: n for k, n in counts.items()
                                                    if k not in keys}


def build_report_data(session: Session, fiscal_year: int | None = None, *,
                      language: str = "ja") -> ReportData:
    """Read the plan and grade it. `fiscal_year`: the report's year (default: see
    `default_report_year`); `language`: of the report's fixed text ("ja" or "en")."""
    snapshot = plan_snapshot(session)
    scheme = load_scheme(session)
    manual = load_manual_grades(session)
    year = fiscal_year or default_report_year(snapshot)
    snapshot = shown_for_year(snapshot, year)  # retired items only where they have data
    grades = {
        (kpi["code"], fy): grade_kpi(kpi, fy, scheme, manual.get((kpi["code"], fy)))
        for project in snapshot["projects"] for kpi in project["kpis"]
        for fy in snapshot["plan"]["fiscal_years"]
    }
    summaries = [project_summary(p, grades, year, scheme) for p in snapshot["projects"]]
    return ReportData(snapshot, year, scheme, grades, manual, summaries,
                      load_submissions(session, year), Wording(language))


def default_report_year(snapshot: dict[str, Any]) -> int:
    """The latest fiscal year of the plan with any actual or progress entered; else the
    first year. (The report is usually made after the returns for a year arrive.)"""
    years = snapshot["plan"]["fiscal_years"]
    with_data = {int(fy) for p in snapshot["projects"] for k in p["kpis"]
                 for fy, value in k["actuals"].items() if value is not None}
    with_data |= {row["fiscal_year"] for p in snapshot["projects"] for m in p["measures"]
                  for row in m["progress"]}
    in_plan = [fy for fy in years if fy in with_data]
    return max(in_plan) if in_plan else years[0]


def project_summary(project: dict[str, Any], grades: dict[tuple[str, int], Grade],
                    fiscal_year: int, scheme: GradeScheme) -> ProjectSummary:
    grade_counts = Counter(grades[(k["code"], fiscal_year)].grade for k in project["kpis"])
    status_counts: Counter[str] = Counter()
    for measure in project["measures"]:
        status_counts.update(measure_statuses(measure, fiscal_year).values())
    return ProjectSummary(
        project["code"], project["number"], project["title"],
        {g: grade_counts.get(g, 0) for g in scheme.all_grades} | dict(grade_counts),
        {s: status_counts.get(s, 0) for s in STATUS_KEYS},
    )


def measure_statuses(measure: Mapping[str, Any], fiscal_year: int) -> dict[str, str]:
    """Responsible department → its status for the year (未報告 when it sent none)."""
    reported = {row["department"]: row["status"] for row in measure["progress"]
                if row["fiscal_year"] == fiscal_year and row["status"]}
    statuses = {dept: reported.get(dept, NOT_REPORTED) for dept in measure["departments"]}
    # A department no longer responsible may still have reported: keep what it said.
    return statuses | reported


def progress_rows(measure: Mapping[str, Any], fiscal_year: int) -> list[dict[str, Any]]:
    """The year's progress rows that say anything, in department order."""
    return [row for row in measure["progress"] if row["fiscal_year"] == fiscal_year
            and (row["status"] or row["record"] or row["issues"] or row["next_policy"])]


# --------------------------------------------------------------------------- returns

# A department's return for the year: not expected (no KPI or measure rows), missing, merged
# but conflicts wait for a decision, merged over a newer one (stale), merged.
SUBMISSION_STATES = ("not_expected", "missing", "waiting", "stale", "merged")


def load_submissions(session: Session, fiscal_year: int) -> Submissions:
    """Which returns arrived for the year (the summary sheet's submission block)."""
    return Submissions(rows=[_submission_row(line)
                             for line in submission_status(session, fiscal_year)])


def _submission_row(line: Any) -> dict[str, Any]:
    """One department's line of `submission_status` (returns.status.DepartmentStatus), as
    plain values; the sheet words them in the report's language."""
    get = functools.partial(getattr, line)
    expected, received = get("expected", True), get("received", False)
    if not expected:
        state = "not_expected"
    elif not received:
        state = "missing"
    elif get("conflicts_waiting", 0):
        state = "waiting"
    elif get("stale", False):
        state = "stale"
    else:
        state = "merged"
    return {
        "code": get("department_code", ""), "department": get("department_name", str(line)),
        "state": state, "kpi_rows": get("kpi_rows", ""), "measure_rows": get("measure_rows", ""),
        "imports": get("imports", 0), "changes": get("changes_count", 0),
        "conflicts": get("conflicts_waiting", 0), "stale": bool(get("stale", False)),
        "file": get("file_name", "") or "", "exported_at": _when(get("exported_at", None)),
        "received_at": _when(get("received_at", None)),
    }


def _when(value: Any) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
