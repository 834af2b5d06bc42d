"""Reading a plan data file (docs/plan-format.md) and writing it into a database.

Validation collects every problem with its JSON path before anything is written, so a plan file
either loads whole or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.errors import PlanFileError
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.store.models import (
    AGGREGATIONS,
    ALL_DEPARTMENTS,
    DIRECTIONS,
    Department,
    FuturePictureItem,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    Plan,
    Project,
    ScheduleItem,
    TargetRevision,
    Vision,
)

FORMAT_NAME = "dxtracker-plan"
FORMAT_VERSION = 1


def read_plan_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanFileError(path, [f"ファイルを開けません: {exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            path, [f"{exc.lineno}行{exc.colno}列: JSONとして読めません（{exc.msg}）"]
        ) from exc
    except UnicodeDecodeError as exc:
        raise PlanFileError(path, ["UTF-8のテキストとして読めません"]) from exc
    problems = validate_plan_data(data)
    if problems:
        raise PlanFileError(path, problems)
    return data


@dataclass
class _Checker:
    problems: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    departments: set[str] = field(default_factory=set)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def code(self, where: str, code: Any) -> None:
        if not isinstance(code, str) or not code.strip():
            self.fail(where, "code がありません")
        elif code in self.codes:
            self.fail(where, f"code 「{code}」が重複しています")
        else:
            self.codes.add(code)

    def department(self, where: str, name: Any) -> None:
        if name != ALL_DEPARTMENTS and name not in self.departments:
            self.fail(where, f"部局「{name}」が departments にありません")

    def figure(self, where: str, text: Any, unit: str, allow_words: bool) -> None:
        try:
            parse_value(text, unit=unit, allow_words=allow_words)
        except ValueParseError as exc:
            self.fail(where, str(exc))


def validate_plan_data(data: Any) -> list[str]:
    check = _Checker()
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        return [f'"format": "{FORMAT_NAME}" がありません。DX Trackerの計画ファイルではありません']
    if data.get("format_version") != FORMAT_VERSION:
        return [f"format_version {data.get('format_version')!r} には対応していません"]
    plan = data.get("plan") or {}
    for key in ("code", "title", "baseline_fiscal_year", "first_fiscal_year", "last_fiscal_year"):
        if key not in plan:
            check.fail("plan", f"{key} がありません")
    if check.problems:
        return check.problems
    years = range(plan["first_fiscal_year"], plan["last_fiscal_year"] + 1)
    for i, dept in enumerate(data.get("departments", [])):
        check.code(f"departments[{i}]", dept.get("code"))
        check.departments.add(dept.get("name"))
    for vi, vision in enumerate(data.get("visions", [])):
        for pi, project in enumerate(vision.get("projects", [])):
            where = f"visions[{vi}].projects[{pi}]"
            check.code(where, project.get("code"))
            check.department(f"{where}.lead_department", project.get("lead_department"))
            for ki, kpi in enumerate(project.get("kpis", [])):
                _check_kpi(check, f"{where}.kpis[{ki}]", kpi, years)
            for mi, measure in enumerate(project.get("measures", [])):
                _check_measure(check, f"{where}.measures[{mi}]", measure, years)
    return check.problems


def _check_kpi(check: _Checker, where: str, kpi: dict[str, Any], years: range) -> None:
    check.code(where, kpi.get("code"))
    unit = kpi.get("unit", "")
    if kpi.get("direction", "higher") not in DIRECTIONS:
        check.fail(f"{where}.direction", "higher か lower を指定してください")
    if kpi.get("aggregation", "single") not in AGGREGATIONS:
        check.fail(f"{where}.aggregation", "single か sum を指定してください")
    for name in kpi.get("reporting_departments", []):
        check.department(f"{where}.reporting_departments", name)
    check.figure(f"{where}.baseline", kpi.get("baseline"), unit, allow_words=False)
    for kind, allow_words in (("targets", True), ("actuals", False)):
        for fy, text in (kpi.get(kind) or {}).items():
            if not fy.isdigit() or int(fy) not in years:
                check.fail(f"{where}.{kind}.{fy}", "計画期間外の年度です")
            check.figure(f"{where}.{kind}.{fy}", text, unit, allow_words)
    _check_revisions(check, where, kpi, unit)


def _check_revisions(check: _Checker, where: str, kpi: dict[str, Any], unit: str) -> None:
    latest: dict[int, Any] = {}
    for ri, rev in enumerate(kpi.get("revisions", [])):
        at = f"{where}.revisions[{ri}]"
        fy = rev.get("fiscal_year")
        check.figure(f"{at}.old", rev.get("old"), unit, allow_words=True)
        check.figure(f"{at}.new", rev.get("new"), unit, allow_words=True)
        if fy in latest and _canon(latest[fy], unit) != _canon(rev.get("old"), unit):
            check.fail(at, "old が同じ年度の直前の修正の new と一致しません")
        latest[fy] = rev.get("new")
    for fy, new in latest.items():
        current = (kpi.get("targets") or {}).get(str(fy))
        if _canon(new, unit) != _canon(current, unit):
            check.fail(f"{where}.revisions", f"{fy}年度の最後の修正値が targets と一致しません")


def _canon(text: Any, unit: str) -> str | None:
    try:
        return format_value(parse_value(text, unit=unit, allow_words=True))
    except ValueParseError:
        return None


def _check_measure(check: _Checker, where: str, measure: dict[str, Any], years: range) -> None:
    check.code(where, measure.get("code"))
    for name in measure.get("departments", []):
        check.department(f"{where}.departments", name)
    for si, box in enumerate(measure.get("schedule", [])):
        first, last = box.get("from"), box.get("to")
        if first not in years or last not in years or first > last:
            check.fail(f"{where}.schedule[{si}]", f"年度 {first}–{last} が計画期間外か逆順です")


def load_plan(session: Session, data: dict[str, Any]) -> Plan:
    """Write a validated plan into an empty database (inside the caller's transaction)."""
    meta = data["plan"]
    plan = Plan(
        code=meta["code"], title=meta["title"], organisation=meta.get("organisation", ""),
        source=meta.get("source", ""), edition=meta.get("edition", 1),
        edition_label=meta.get("edition_label", ""),
        baseline_fiscal_year=meta["baseline_fiscal_year"],
        first_fiscal_year=meta["first_fiscal_year"], last_fiscal_year=meta["last_fiscal_year"],
        notes="\n".join(meta.get("notes", [])),
    )
    session.add(plan)
    departments = {}
    for order, dept in enumerate(data.get("departments", []), start=1):
        departments[dept["name"]] = Department(code=dept["code"], name=dept["name"],
                                               sort_order=order)
        session.add(departments[dept["name"]])
    for vision_data in data["visions"]:
        vision = Vision(number=vision_data["number"], title=vision_data["title"])
        plan.visions.append(vision)
        for project_data in vision_data.get("projects", []):
            vision.projects.append(_project(project_data, departments, plan))
    session.flush()
    return plan


def _project(data: dict[str, Any], departments: dict[str, Department], plan: Plan) -> Project:
    project = Project(
        code=data["code"], number=data["number"], title=data["title"],
        lead_department=departments[data["lead_department"]],
    )
    for item in data.get("future_picture", []):
        project.future_picture.append(FuturePictureItem(
            number=item["number"], text=item["text"], is_new=item.get("is_new", False)))
    for position, kpi_data in enumerate(data.get("kpis", []), start=1):
        project.kpis.append(_kpi(kpi_data, position, departments, plan))
    for measure_data in data.get("measures", []):
        project.measures.append(_measure(measure_data, departments, plan))
    return project


def _names(names: list[str], departments: dict[str, Department]) -> list[Department]:
    return [departments[n] for n in names if n != ALL_DEPARTMENTS]


def _kpi(data: dict[str, Any], position: int, departments: dict[str, Department],
         plan: Plan) -> Kpi:
    unit = data.get("unit", "")
    reporting = data.get("reporting_departments", [])
    kpi = Kpi(
        code=data["code"], position=position, name=data["name"], unit=unit,
        cumulative=data.get("cumulative", False), direction=data.get("direction", "higher"),
        is_new=data.get("is_new", False),
        new_in_edition=plan.edition if data.get("is_new") else None,
        note=data.get("note", ""), all_departments_report=ALL_DEPARTMENTS in reporting,
        aggregation=data.get("aggregation", "single"),
        baseline=_figure(data.get("baseline"), unit, allow_words=False),
        baseline_fiscal_year=plan.baseline_fiscal_year,
        reporting_departments=_names(reporting, departments),
    )
    target_notes = data.get("target_notes") or {}
    years = sorted(set(data.get("targets") or {}) | set(target_notes))
    for fy in years:
        kpi.targets.append(KpiTarget(
            fiscal_year=int(fy), note=target_notes.get(fy, ""),
            value=_figure((data.get("targets") or {}).get(fy), unit, allow_words=True)))
    for rev in data.get("revisions", []):
        kpi.revisions.append(TargetRevision(
            fiscal_year=rev["fiscal_year"], old_value=_figure(rev.get("old"), unit, True),
            new_value=_figure(rev.get("new"), unit, True), reason=rev.get("reason", ""),
            revised_on=_date(rev.get("date")), edition=rev.get("edition")))
    # A figure in the plan document is the reporting department's own when exactly one
    # department reports; a total of several departments has no breakdown (department NULL).
    owner = kpi.reporting_departments[0] if kpi.aggregation == "single" and \
        len(kpi.reporting_departments) == 1 and not kpi.all_departments_report else None
    actual_notes = data.get("actual_notes") or {}
    for fy, text in (data.get("actuals") or {}).items():
        kpi.actuals.append(KpiActual(
            fiscal_year=int(fy), department=owner, note=actual_notes.get(fy, ""),
            value=_figure(text, unit, allow_words=False), updated_by="計画書"))
    return kpi


def _measure(data: dict[str, Any], departments: dict[str, Department], plan: Plan) -> Measure:
    names = data.get("departments", [])
    measure = Measure(
        code=data["code"], number=data["number"], title=data["title"],
        is_new=data.get("is_new", False),
        new_in_edition=plan.edition if data.get("is_new") else None,
        items=json.dumps(data.get("items", []), ensure_ascii=False),
        all_departments=ALL_DEPARTMENTS in names,
        departments=_names(names, departments),
        attention_points=data.get("attention_points", ""),
        response_policy=data.get("response_policy", ""),
    )
    for position, box in enumerate(data.get("schedule", []), start=1):
        measure.schedule.append(ScheduleItem(
            position=position, first_fiscal_year=box["from"], last_fiscal_year=box["to"],
            text=box["text"]))
    return measure


def _figure(text: Any, unit: str, allow_words: bool) -> str | None:
    value = parse_value(text, unit=unit, allow_words=allow_words)
    return None if value is None else format_value(value)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
