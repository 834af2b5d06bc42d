"""The plan as machine-readable Excel tables: which sheets, which columns, of which kind.

One table a sheet, the header in row 1, codes on every row, one value a cell, fiscal years as
western years, figures as the canonical text people type (`value`) with the plain number beside
it (`value_number`, blank for ranges, bounds, words and breakdowns). `excel_write` writes these
tables from the database and `excel_read` reads them back: export then import gives back the
same plan (`plan show --json` identical).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["KIND_HELP", "OPTIONAL_COLUMNS", "OPTIONAL_SHEETS", "SHEETS", "Col", "Tables"]


@dataclass(frozen=True)
class Col:
    """A column: its header and the kind of value it holds (a key of KIND_HELP)."""

    name: str
    kind: str = "text"


def _cols(*specs: str) -> tuple[Col, ...]:
    """"name:kind" specs (kind defaults to text)."""
    return tuple(Col(*spec.split(":")) for spec in specs)


# Retired (廃止) items: when, and from which edition. Optional columns: a workbook written
# before items could be retired has none (its items are all current).
RETIRED = ("retired_on:date", "retired_in_edition:opt_int")
OPTIONAL_COLUMNS = {"retired_on", "retired_in_edition"}

SHEETS: dict[str, tuple[Col, ...]] = {
    "plan": _cols("code:key", "title:req_text", "organisation", "source", "edition:int",
                  "edition_label", "baseline_fiscal_year:fy", "first_fiscal_year:fy",
                  "last_fiscal_year:fy"),
    "plan_notes": _cols("plan_code:key", "number:int", "text"),
    "editions": _cols("plan_code:key", "number:int", "label", "published:bool",
                      "published_on:date", "published_by"),
    "departments": _cols("code:key", "name:req_text", "sort_order:int", "retired:bool"),
    "department_names": _cols("department_code:key", "name:req_text", "valid_from:date",
                              "valid_to:date"),
    "visions": _cols("plan_code:key", "number:int", "title:req_text", *RETIRED),
    "projects": _cols("code:key", "vision_number:int", "number:int", "title:req_text",
                      "lead_department_code:key", *RETIRED),
    "future_picture": _cols("project_code:key", "number:int", "text:req_text", "is_new:bool"),
    "kpis": _cols("code:key", "project_code:key", "position:int", "name:req_text", "unit",
                  "cumulative:bool", "direction:key", "aggregation:key",
                  "all_departments_report:bool", "is_new:bool", "new_in_edition:opt_int",
                  "note", "baseline_fiscal_year:fy", "baseline:figure", *RETIRED),
    "kpi_departments": _cols("kpi_code:key", "department_code:key"),
    "targets": _cols("kpi_code:key", "fiscal_year:fy", "value:figure", "note"),
    "revisions": _cols("kpi_code:key", "fiscal_year:fy", "sequence:int", "old_value:figure",
                       "new_value:figure", "revised_on:date", "reason", "edition:opt_int"),
    "actuals": _cols("kpi_code:key", "fiscal_year:fy", "department_code:opt_key",
                     "value:figure", "note", "updated_at:datetime", "updated_by"),
    "measures": _cols("code:key", "project_code:key", "number:int", "title:req_text",
                      "is_new:bool", "new_in_edition:opt_int", "all_departments:bool",
                      "attention_points", "response_policy", *RETIRED),
    "measure_items": _cols("measure_code:key", "number:int", "text:req_text"),
    "measure_departments": _cols("measure_code:key", "department_code:key"),
    "schedule": _cols("measure_code:key", "position:int", "from_fiscal_year:fy",
                      "to_fiscal_year:fy", "text:req_text"),
    "progress": _cols("measure_code:key", "fiscal_year:fy", "department_code:key",
                      "status:opt_key", "record", "issues", "next_policy",
                      "updated_at:datetime", "updated_by"),
}
# Sheets a hand-made workbook may leave out (its plan then has no history of them).
OPTIONAL_SHEETS = {"plan_notes", "editions", "department_names"}

# Sheet name -> its rows, a row a dict by column name (the reader adds where each cell was).
Tables = dict[str, list[dict[str, Any]]]

# What each kind of column holds, as a message says it when a cell does not.
KIND_HELP = {
    "key": "空欄にできないコード", "opt_key": "コードまたは空欄", "text": "文字列",
    "req_text": "空欄にできない文字列", "int": "整数", "opt_int": "整数または空欄",
    "bool": "TRUE か FALSE", "fy": "年度", "figure": "数値や目標の文字列", "date": "日付（2022-04-01）",
    "datetime": "日時（2022-04-01T09:00:00）",
}
