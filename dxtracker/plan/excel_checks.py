"""The checks across the sheets of a plan workbook, before anything is built from it: unique
keys, references between sheets, figures, fiscal years within the plan period, and chains of
target revisions. Every problem is reported with its sheet and cell (`kpis!E5: …`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.plan.excel_tables import Tables
from dxtracker.store.models import AGGREGATIONS, ALL_DEPARTMENTS, DIRECTIONS, STATUSES

__all__ = ["check_tables"]

Report = Callable[[str, str], None]  # (where, message)


class _TableCheck:
    """Cross-sheet checks: unique keys, references, figures, fiscal years, revision chains."""

    def __init__(self, tables: Tables, add: Report) -> None:
        self.t, self.add = tables, add

    def unique(self, sheet: str, columns: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
        seen: dict[tuple, dict[str, Any]] = {}
        for row in self.t[sheet]:
            key = tuple(row[c] for c in columns)
            if key in seen:
                self.add(row[f"_at_{columns[-1]}"],
                         f"{'/'.join(map(str, key))} が {seen[key]['_row']}行目と重複しています")
            else:
                seen[key] = row
        return seen

    def ref(self, row: dict[str, Any], column: str, known: Any, what: str) -> bool:
        value = row[column]
        if value is not None and value not in known:
            self.add(row[f"_at_{column}"], f"{what}「{value}」がありません")
            return False
        return True

    def choice(self, row: dict[str, Any], column: str, choices: tuple[str, ...]) -> None:
        if row[column] is not None and row[column] not in choices:
            self.add(row[f"_at_{column}"], f"{' / '.join(choices)} のいずれかを入力してください")

    def figure(self, row: dict[str, Any], column: str, unit: str, words: bool) -> str | None:
        try:
            value = parse_value(row[column], unit=unit, allow_words=words)
        except ValueParseError as exc:
            self.add(row[f"_at_{column}"], str(exc))
            return None
        return None if value is None else format_value(value)

    def year(self, row: dict[str, Any], column: str, years: range) -> None:
        if row[column] is not None and row[column] not in years:
            self.add(row[f"_at_{column}"], f"{row[column]} は計画期間（{years.start}〜"
                                           f"{years.stop - 1}年度）の外です")


def check_tables(t: Tables, add: Report) -> None:
    c = _TableCheck(t, add)
    if len(t["plan"]) != 1:
        add("plan!A2", "plan シートには計画を1行だけ書いてください")
        return
    plan = t["plan"][0]
    if plan["first_fiscal_year"] - plan["baseline_fiscal_year"] not in range(0, 11) or \
            plan["last_fiscal_year"] - plan["first_fiscal_year"] > 30:
        add(plan["_at_first_fiscal_year"], "基準年度・開始年度・終了年度の組み合わせが不自然です")
        return
    if plan["first_fiscal_year"] > plan["last_fiscal_year"]:
        add(plan["_at_last_fiscal_year"], "終了年度が開始年度より前です")
        return
    years = range(plan["first_fiscal_year"], plan["last_fiscal_year"] + 1)
    for sheet in ("plan_notes", "editions", "visions"):
        for row in t[sheet]:
            c.ref(row, "plan_code", {plan["code"]}, "計画コード")
    c.unique("plan_notes", ("number",))
    c.unique("editions", ("number",))
    depts = c.unique("departments", ("code",))
    names = c.unique("departments", ("name",))
    if ALL_DEPARTMENTS in {n for (n,) in names}:
        add(names[(ALL_DEPARTMENTS,)]["_at_name"], f"「{ALL_DEPARTMENTS}」は部局名に使えません")
    dept_codes = {k for (k,) in depts}
    for row in t["department_names"]:
        c.ref(row, "department_code", dept_codes, "部局コード")
    visions = {k for (k,) in c.unique("visions", ("number",))}
    projects = c.unique("projects", ("code",))
    for row in t["projects"]:
        c.ref(row, "vision_number", visions, "ビジョン")
        c.ref(row, "lead_department_code", dept_codes, "部局コード")
    for row in t["future_picture"]:
        c.ref(row, "project_code", {k for (k,) in projects}, "プロジェクト")
    c.unique("future_picture", ("project_code", "number"))
    kpis = _check_kpis(c, t, {k for (k,) in projects}, dept_codes, years)
    _check_measures(c, t, {k for (k,) in projects}, set(kpis), dept_codes, years)


def _check_kpis(c: _TableCheck, t: Tables, projects: set, depts: set,
                years: range) -> dict[str, str]:
    units: dict[str, str] = {}
    for (code,), row in c.unique("kpis", ("code",)).items():
        c.ref(row, "project_code", projects, "プロジェクト")
        c.choice(row, "direction", DIRECTIONS)
        c.choice(row, "aggregation", AGGREGATIONS)
        c.figure(row, "baseline", row["unit"], words=False)
        units[code] = row["unit"]
    for sheet in ("kpi_departments", "targets", "revisions", "actuals"):
        for row in t[sheet]:
            c.ref(row, "kpi_code", units, "指標コード")
            if "department_code" in row:
                c.ref(row, "department_code", depts, "部局コード")
            if sheet != "kpi_departments":
                c.year(row, "fiscal_year", years)
    c.unique("kpi_departments", ("kpi_code", "department_code"))
    targets = {key: c.figure(row, "value", units.get(row["kpi_code"], ""), words=True)
               for key, row in c.unique("targets", ("kpi_code", "fiscal_year")).items()}
    for row in c.unique("actuals", ("kpi_code", "fiscal_year", "department_code")).values():
        c.figure(row, "value", units.get(row["kpi_code"], ""), words=False)
    chains: dict[tuple, str | None] = {}
    revisions = c.unique("revisions", ("kpi_code", "sequence"))
    for row in sorted(revisions.values(), key=lambda r: (r["kpi_code"], r["sequence"])):
        unit = units.get(row["kpi_code"], "")
        old, new = (c.figure(row, col, unit, words=True) for col in ("old_value", "new_value"))
        key = (row["kpi_code"], row["fiscal_year"])
        if key in chains and chains[key] != old:
            c.add(row["_at_old_value"], "同じ年度の直前の修正の new_value と一致しません")
        chains[key] = new
    for key, new in chains.items():
        if key[0] in units and targets.get(key) != new:
            c.add(f"revisions ({key[0]} {key[1]})",
                  "最後の修正の new_value が targets の値と一致しません")
    return units


def _check_measures(c: _TableCheck, t: Tables, projects: set, kpis: set, depts: set,
                    years: range) -> None:
    measures = {k for (k,) in c.unique("measures", ("code",))}
    for row in t["measures"]:
        c.ref(row, "project_code", projects, "プロジェクト")
        if row["code"] in kpis or row["code"] in projects:
            c.add(row["_at_code"], f"コード「{row['code']}」はほかの行で使われています")
    for sheet in ("measure_items", "measure_departments", "schedule", "progress"):
        for row in t[sheet]:
            c.ref(row, "measure_code", measures, "施策コード")
            if "department_code" in row:
                c.ref(row, "department_code", depts, "部局コード")
    c.unique("measure_items", ("measure_code", "number"))
    c.unique("measure_departments", ("measure_code", "department_code"))
    c.unique("schedule", ("measure_code", "position"))
    for row in t["schedule"]:
        c.year(row, "from_fiscal_year", years)
        c.year(row, "to_fiscal_year", years)
        if None not in (row["from_fiscal_year"], row["to_fiscal_year"]) and \
                row["from_fiscal_year"] > row["to_fiscal_year"]:
            c.add(row["_at_to_fiscal_year"], "終了年度が開始年度より前です")
    for row in c.unique("progress", ("measure_code", "fiscal_year", "department_code")).values():
        c.year(row, "fiscal_year", years)
        c.choice(row, "status", STATUSES)
