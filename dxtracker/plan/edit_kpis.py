"""Editing KPIs and their targets at headquarters.

Figures go through the value parser; targets go through `dxtracker.plan.revisions` so that a
published target is revised, not overwritten. Every function is one transaction, audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.plan import edit
from dxtracker.plan.item_versions import check_item_versions
from dxtracker.plan.revisions import TargetChange, change_target_in
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_kpi, get_plan
from dxtracker.store.models import AGGREGATIONS, DIRECTIONS, Kpi, KpiTarget
from dxtracker.store.row_versions import Versions, touch

KPI_FIELDS = ("name", "unit", "cumulative", "direction", "reporting_departments",
              "aggregation", "is_new", "note", "baseline")
REPORTING_DEPARTMENTS = edit.DepartmentsField(
    "reporting_departments", "all_departments_report",
    ("実績を報告する部局を指定してください。", "Name at least one reporting department."))


def add_kpi(db: Database, project_code: str, name: str, *, unit: str = "",
            code: str | None = None, source: str = "cli", **fields: Any) -> str:
    """Add a KPI at the end of a project; other fields as in `edit_kpi`. Returns its code."""
    with db.transaction() as session:
        project = edit.find_project(session, project_code)
        code = edit.new_item_code(session, project, Kpi, "K", code)
        plan = get_plan(session)
        kpi = Kpi(code=code, name="", unit="", position=len(project.kpis) + 1,
                  baseline_fiscal_year=plan.baseline_fiscal_year, cumulative=False,
                  direction="higher", aggregation="single", note="", is_new=False,
                  all_departments_report=False)
        project.kpis.append(kpi)
        edit.record_new_item(session, source, "kpi", kpi)
        _edit_kpi_in(session, kpi, dict(fields, name=name, unit=unit), source)
        return code


def edit_kpi(db: Database, code: str, *, source: str = "cli",
             targets: Mapping[int, str | None] | None = None, reason: str = "",
             expected_versions: Versions | None = None, **fields: Any) -> dict:
    """Change any of name, unit, cumulative, direction, reporting_departments (names;
    "全部局" for every department), aggregation ("single"/"sum"), is_new, note, baseline —
    and, in the same transaction, `targets` {fiscal year: text} (revisions once published,
    with `reason`). `expected_versions` as for `edit_projects.edit_project`."""
    with db.transaction() as session:
        check_item_versions(session, "kpi", code, expected_versions)
        kpi = find_kpi(session, code)
        done = _edit_kpi_in(session, kpi, fields, source)
        for fiscal_year, text in sorted((targets or {}).items()):
            change = change_target_in(session, kpi, fiscal_year, text, reason=reason,
                                      source=source)
            if change.changed:
                done[f"target {fiscal_year}"] = (change.old_value, change.new_value)
        if done:
            touch(kpi)
        return done


def _edit_kpi_in(session: Session, kpi: Kpi, fields: dict[str, Any], source: str) -> dict:
    edit.reject_unknown_fields(fields, KPI_FIELDS, "KPI")
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = edit.clean_text("name", fields["name"])
    if "unit" in fields:
        changes["unit"] = edit.clean_text("unit", fields["unit"], required=False)
    if "cumulative" in fields:
        changes["cumulative"] = bool(fields["cumulative"])
    if "direction" in fields:
        changes["direction"] = _choice("direction", fields["direction"], DIRECTIONS)
    if "aggregation" in fields:
        changes["aggregation"] = _choice("aggregation", fields["aggregation"], AGGREGATIONS)
    if "note" in fields:
        changes["note"] = edit.clean_text("note", fields["note"], required=False)
    done = edit.apply_changes(session, kpi, "kpi", kpi.code, changes, source)
    if "baseline" in fields:  # after the unit, which the parser checks against
        value = parse_value(fields["baseline"], unit=kpi.unit, allow_words=False)
        baseline = None if value is None else format_value(value)
        done |= edit.apply_changes(session, kpi, "kpi", kpi.code, {"baseline": baseline}, source)
    edit.edit_shared_fields(session, source, "kpi", kpi, fields, done, REPORTING_DEPARTMENTS)
    return done


def _choice(field: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise edit.PlanEditRejected(
            f"{field} は {' / '.join(choices)} のいずれかです（「{value}」）。",
            f"{field} must be one of {', '.join(choices)} (not '{value}').")
    return value


def set_target(db: Database, kpi_code: str, fiscal_year: int, value_text: str | None, *,
               reason: str = "", source: str = "cli") -> TargetChange:
    """Set a target; once the edition is published this records a revision (reason needed)."""
    with db.transaction() as session:
        return change_target_in(session, find_kpi(session, kpi_code), fiscal_year, value_text,
                                reason=reason, source=source)


def set_target_note(db: Database, kpi_code: str, fiscal_year: int, note: str, *,
                    source: str = "cli") -> None:
    """The note printed with a target (e.g. 目標なし（現状値のみ）)."""
    with db.transaction() as session:
        kpi = find_kpi(session, kpi_code)
        if fiscal_year not in get_plan(session).fiscal_years:
            raise edit.PlanEditRejected(f"{fiscal_year_label(fiscal_year)}は計画期間の外です。",
                                        f"FY{fiscal_year} is outside the plan period.")
        row = next((t for t in kpi.targets if t.fiscal_year == fiscal_year), None)
        if row is None:
            row = KpiTarget(fiscal_year=fiscal_year, value=None, note="")
            kpi.targets.append(row)
        edit.apply_changes(session, row, "target", f"{kpi.code}/{fiscal_year}",
                           {"note": note.strip()}, source)
