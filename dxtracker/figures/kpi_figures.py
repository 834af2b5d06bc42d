"""A KPI's figures for a fiscal year, as the plan reads them: target, revisions, actual.

The actual of a KPI fed by several departments (aggregation "sum") is the sum of their
contributions; the breakdown stays in the rows. Blank never counts as zero: with no
contribution at all the actual is blank, and a figure recorded in the plan document without a
breakdown (department NULL) stands until departments report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Number, Value
from dxtracker.store.models import Kpi, KpiActual, TargetRevision


@dataclass(frozen=True)
class Contribution:
    department: str | None  # None: recorded in the plan document without a breakdown
    value: Value | None
    note: str


@dataclass(frozen=True)
class ActualFigure:
    value: Value | None
    note: str
    contributions: tuple[Contribution, ...]


def parse_stored(kpi: Kpi, text: str | None) -> Value | None:
    return parse_value(text, unit=kpi.unit, allow_words=True)


def target_of(kpi: Kpi, fiscal_year: int) -> Value | None:
    for target in kpi.targets:
        if target.fiscal_year == fiscal_year:
            return parse_stored(kpi, target.value)
    return None


def target_note_of(kpi: Kpi, fiscal_year: int) -> str:
    return next((t.note for t in kpi.targets if t.fiscal_year == fiscal_year), "")


def revisions_of(kpi: Kpi, fiscal_year: int) -> list[TargetRevision]:
    return [r for r in kpi.revisions if r.fiscal_year == fiscal_year]


def original_target(kpi: Kpi, fiscal_year: int) -> Value | None:
    """The target as first published (before any revision), for "(8,000からの修正)"."""
    revisions = revisions_of(kpi, fiscal_year)
    if revisions:
        return parse_stored(kpi, revisions[0].old_value)
    return target_of(kpi, fiscal_year)


def actual_rows(kpi: Kpi, fiscal_year: int) -> list[KpiActual]:
    rows = [a for a in kpi.actuals if a.fiscal_year == fiscal_year]
    return sorted(rows, key=lambda a: a.department.sort_order if a.department else -1)


def actual_of(kpi: Kpi, fiscal_year: int) -> ActualFigure:
    rows = actual_rows(kpi, fiscal_year)
    contributions = tuple(
        Contribution(a.department.name if a.department else None, parse_stored(kpi, a.value),
                     a.note)
        for a in rows
    )
    by_department = [c for c in contributions if c.department is not None]
    if kpi.aggregation == "sum" and by_department:
        return ActualFigure(_sum(c.value for c in by_department), _notes(by_department),
                            contributions)
    if by_department:
        # One reporting department: its figure (the latest row if the reporter changed).
        latest = max((a for a in rows if a.department is not None),
                     key=lambda a: (a.updated_at is not None, a.updated_at))
        assert latest.department is not None  # chosen among the rows with a department
        own = next(c for c in by_department if c.department == latest.department.name)
        return ActualFigure(own.value, own.note, contributions)
    if contributions:
        return ActualFigure(contributions[0].value, contributions[0].note, contributions)
    return ActualFigure(None, "", ())


def _sum(values: Iterable[Value | None]) -> Value | None:
    given = [v for v in values if v is not None]
    numbers = [v for v in given if isinstance(v, Number)]
    if not given or len(numbers) < len(given):
        return None  # words or composites cannot be added up; the breakdown still shows them
    total = sum((v.value for v in numbers), Decimal(0))
    return Number(total, approximate=any(v.approximate for v in numbers))


def _notes(contributions: list[Contribution]) -> str:
    return "\n".join(f"{c.department}: {c.note}" for c in contributions if c.note)


def display(kpi: Kpi, value: Value | None, *, with_unit: bool = False) -> str:
    return format_value(value, unit=kpi.unit if with_unit else "")
