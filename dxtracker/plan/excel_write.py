"""Writing the plan to Excel tables (`dxtracker plan export`): every row of the plan, sheet
by sheet in display order, as `dxtracker.plan.excel_tables` defines them. Text is always
written as text, so that a value starting with "=" never becomes a formula (FACTS.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Number
from dxtracker.files.atomic import write_atomically
from dxtracker.plan.excel_tables import SHEETS, Col, Tables
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import Department, DepartmentName, PlanEdition, Project, Vision

__all__ = ["export_plan", "plan_tables"]


def plan_tables(session: Session) -> Tables:
    """Every row of the plan, sheet by sheet, in display order."""
    plan = get_plan(session)
    t: Tables = {name: [] for name in SHEETS}
    t["plan"].append({c.name: getattr(plan, c.name) for c in SHEETS["plan"]})
    t["plan_notes"] = [{"plan_code": plan.code, "number": i, "text": note}
                       for i, note in enumerate(filter(None, plan.notes.splitlines()), 1)]
    for e in session.scalars(select(PlanEdition).order_by(PlanEdition.number)):
        t["editions"].append({"plan_code": plan.code, "number": e.number, "label": e.label,
                              "published": e.published, "published_on": e.published_on,
                              "published_by": e.published_by})
    for d in session.scalars(select(Department).order_by(Department.sort_order)):
        t["departments"].append({"code": d.code, "name": d.name, "sort_order": d.sort_order,
                                 "retired": d.retired})
    for n in session.scalars(select(DepartmentName).order_by(DepartmentName.id)):
        t["department_names"].append({"department_code": n.department.code, "name": n.name,
                                      "valid_from": n.valid_from, "valid_to": n.valid_to})
    for v in plan.visions:
        t["visions"].append({"plan_code": plan.code, "number": v.number, "title": v.title,
                             "retired_on": v.retired_on,
                             "retired_in_edition": v.retired_in_edition})
        for p in v.projects:
            _project_rows(t, v, p)
    return t


def _dept_code(dept: Department | None) -> str | None:
    return dept.code if dept else None


def _project_rows(t: Tables, vision: Vision, p: Project) -> None:
    t["projects"].append({"code": p.code, "vision_number": vision.number, "number": p.number,
                          "title": p.title, "lead_department_code": p.lead_department.code,
                          "retired_on": p.retired_on,
                          "retired_in_edition": p.retired_in_edition})
    t["future_picture"] += [{"project_code": p.code, "number": f.number, "text": f.text,
                             "is_new": f.is_new} for f in p.future_picture]
    for k in p.kpis:
        t["kpis"].append({c.name: getattr(k, c.name) for c in SHEETS["kpis"]
                          if c.name != "project_code"} | {"project_code": p.code})
        t["kpi_departments"] += [{"kpi_code": k.code, "department_code": d.code}
                                 for d in k.reporting_departments]
        t["targets"] += [{"kpi_code": k.code, "fiscal_year": x.fiscal_year, "value": x.value,
                          "note": x.note} for x in k.targets]
        t["revisions"] += [{"kpi_code": k.code, "fiscal_year": r.fiscal_year, "sequence": i,
                            "old_value": r.old_value, "new_value": r.new_value,
                            "revised_on": r.revised_on, "reason": r.reason,
                            "edition": r.edition} for i, r in enumerate(k.revisions, 1)]
        actuals = sorted(k.actuals, key=lambda a: (
            a.fiscal_year, a.department.sort_order if a.department else -1))
        t["actuals"] += [{"kpi_code": k.code, "fiscal_year": a.fiscal_year,
                          "department_code": _dept_code(a.department), "value": a.value,
                          "note": a.note, "updated_at": a.updated_at,
                          "updated_by": a.updated_by} for a in actuals]
    for m in p.measures:
        t["measures"].append({c.name: getattr(m, c.name) for c in SHEETS["measures"]
                              if c.name != "project_code"} | {"project_code": p.code})
        t["measure_items"] += [{"measure_code": m.code, "number": i, "text": text}
                               for i, text in enumerate(json.loads(m.items or "[]"), 1)]
        t["measure_departments"] += [{"measure_code": m.code, "department_code": d.code}
                                     for d in m.departments]
        t["schedule"] += [{"measure_code": m.code, "position": s.position,
                           "from_fiscal_year": s.first_fiscal_year,
                           "to_fiscal_year": s.last_fiscal_year, "text": s.text}
                          for s in m.schedule]
        progress = sorted(m.progress, key=lambda x: (x.fiscal_year, x.department.sort_order))
        t["progress"] += [{"measure_code": m.code, "fiscal_year": x.fiscal_year,
                           "department_code": x.department.code, "status": x.status,
                           "record": x.record, "issues": x.issues,
                           "next_policy": x.next_policy, "updated_at": x.updated_at,
                           "updated_by": x.updated_by} for x in progress]


def export_plan(session: Session, path: Path) -> Path:
    """Write the plan in `session` to `path` (.xlsx), replacing it atomically."""
    tables = plan_tables(session)
    workbook = Workbook(write_only=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append([_text_cell(sheet, h) for h in _headers(columns)])
        for row in tables[name]:
            sheet.append(_cells(sheet, columns, row))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # `plan export -o` has always made it
    write_atomically(path, workbook.save)
    return path


def _headers(columns: tuple[Col, ...]) -> list[str]:
    headers: list[str] = []
    for col in columns:
        headers.append(col.name)
        if col.kind == "figure":
            headers.append(f"{col.name}_number")
    return headers


def _text_cell(sheet: Any, text: str) -> Cell:
    # Forced to a string: text starting with "=" must never become a formula (FACTS.md).
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _cells(sheet: Any, columns: tuple[Col, ...], row: dict[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for col in columns:
        value = row.get(col.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        cells.append(_text_cell(sheet, value) if isinstance(value, str) else value)
        if col.kind == "figure":
            parsed = parse_value(value, allow_words=True) if value else None
            cells.append(parsed.value if isinstance(parsed, Number) else None)
    return cells
