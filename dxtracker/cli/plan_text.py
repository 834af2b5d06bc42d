"""`plan show` as text: the plan read the way the seed's table reads."""

from __future__ import annotations

from typing import Any

from dxtracker.figures.fiscal_year import fiscal_year_label

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _figure(value: dict[str, Any] | None) -> str:
    return value["display"] if value else "—"


def _circled(number: int) -> str:
    return CIRCLED[number - 1] if 0 < number <= len(CIRCLED) else f"({number})"


def print_plan(snapshot: dict[str, Any], fiscal_year: int | None = None) -> None:
    plan = snapshot["plan"]
    years = [fiscal_year] if fiscal_year else plan["fiscal_years"]
    print(f"{plan['organisation']} {plan['title']}（{plan['source']} {plan['edition_label']}）")
    for project in snapshot["projects"]:
        vision = project["vision"]
        print(f"\nビジョン{vision['number']} {vision['title']}")
        print(f"({project['number']}) {project['title']}  主管部局: {project['lead_department']}")
        for item in project["future_picture"]:
            new = "【新規】" if item["is_new"] else ""
            print(f"  {_circled(item['number'])}{new}{item['text']}")
        for kpi in project["kpis"]:
            _print_kpi(kpi, years, plan["baseline_fiscal_year"])
        for measure in project["measures"]:
            depts = "全部局" if measure["all_departments"] else "・".join(measure["departments"])
            new = "【新規】" if measure["is_new"] else ""
            print(f"  施策{_circled(measure['number'])} [{measure['code']}] {new}{measure['title']}"
                  f"（{depts}）")
            for row in measure["progress"]:
                if row["fiscal_year"] in years:
                    print(f"      {fiscal_year_label(row['fiscal_year'])} {row['department']}: "
                          f"{row['status'] or '—'} {row['record']}")


def _print_kpi(kpi: dict[str, Any], years: list[int], baseline_year: int) -> None:
    new = "【新】" if kpi["is_new"] else ""
    shown = kpi["unit"] and f"({kpi['unit']})" not in kpi["name"]
    unit = f"（単位: {kpi['unit']}）" if shown else ""
    print(f"  KPI [{kpi['code']}] {new}{kpi['name']}{unit}")
    if kpi["note"]:
        print(f"      {kpi['note']}")
    cells = [f"現状({fiscal_year_label(baseline_year)}) {_figure(kpi['baseline'])}"]
    revised = {r["fiscal_year"]: r for r in kpi["revisions"]}
    for fy in years:
        target = kpi["targets"].get(str(fy))
        text = f"{fiscal_year_label(fy)} " + (f"目標{_figure(target)}" if target else "—")
        if fy in revised:
            text += f"（{_figure(revised[fy]['old_value'])}からの修正）"
        actual = kpi["actuals"].get(str(fy))
        if actual:
            text += f" 実績{_figure(actual)}"
        cells.append(text)
    print("      " + " / ".join(cells))
