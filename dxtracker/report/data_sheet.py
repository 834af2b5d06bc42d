"""The machine-readable data sheet (総務省 2020 / デジタル庁 rules, FACTS.md): one row per
KPI × fiscal year × kind, header in row 1, one value per cell, numbers as numbers, no merged
cells, no blank rows, units stated, the western year beside the 令和 label, blank left blank
(never 0), and a revision said in words (kind "revised_from"), not only in red.

Kinds: baseline, target, revised_from (a target as it was before a revision; one row per
revision), actual, contribution (one department's part of a KPI fed by several). A composite
figure ("県設置:165 他機関:179") gives one row per part, the part's label in 内訳.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.report.cells import a4_landscape, clean
from dxtracker.report.wording import JAPANESE, Wording


def data_header(w: Wording) -> tuple[str, ...]:
    return (w.tr("コード"), w.tr("プロジェクト"), w.tr("指標項目"), w.tr("内訳"), w.tr("単位"),
            w.tr("年度"), w.tr("年度（和暦）"), w.tr("種別"), w.tr("部局"), w.tr("値"),
            w.tr("備考"))


HEADER = data_header(JAPANESE)
WIDTHS = (9, 30, 40, 10, 8, 7, 12, 12, 14, 14, 40)
KINDS = ("baseline", "target", "revised_from", "actual", "contribution")


def data_rows(snapshot: Mapping[str, Any], w: Wording = JAPANESE
              ) -> Iterator[tuple[Any, ...]]:
    years = snapshot["plan"]["fiscal_years"]
    for project in snapshot["projects"]:
        project_name = f"({project['number']}){project['title']}"
        for kpi in project["kpis"]:
            yield from _kpi_rows(project_name, kpi, years, w)


def _kpi_rows(project_name: str, kpi: Mapping[str, Any], years: list[int], w: Wording
              ) -> Iterator[tuple[Any, ...]]:
    def rows(fy: int, kind: str, value: Mapping[str, Any] | None, note: str = "",
             department: str = "") -> Iterator[tuple[Any, ...]]:
        for part, cell, approximate in _cells(value):
            extra = w.tr("約（概数）") if approximate else ""
            yield (kpi["code"], project_name, kpi["name"], part, kpi["unit"], fy,
                   w.era_year(fy), kind, department, cell,
                   ("; " if w.english else "　").join(n for n in (extra, note) if n))

    yield from rows(kpi["baseline_fiscal_year"], "baseline", kpi["baseline"])
    for fy in years:
        key = str(fy)
        yield from rows(fy, "target", kpi["targets"].get(key), kpi["target_notes"].get(key, ""))
        for revision in (r for r in kpi["revisions"] if r["fiscal_year"] == fy):
            yield from rows(fy, "revised_from", revision["old_value"],
                            _revision_note(revision, w))
        yield from rows(fy, "actual", kpi["actuals"].get(key), kpi["actual_notes"].get(key, ""))
        contributions = kpi["contributions"].get(key, []) if kpi["aggregation"] == "sum" else []
        for c in contributions:
            if c["department"]:
                yield from rows(fy, "contribution", c["value"], c["note"], c["department"])


def _revision_note(revision: Mapping[str, Any], w: Wording) -> str:
    new = revision["new_value"]["display"] if revision["new_value"] else w.tr("（空欄）")
    parts = [w.tr("{new}へ修正", new=new)]
    if revision.get("reason"):
        parts.append(revision["reason"])
    if revision.get("edition"):
        parts.append(w.tr("第{edition}版", edition=revision["edition"]))
    if revision.get("date"):
        parts.append(revision["date"])
    return w.join(parts)


def _cells(value: Mapping[str, Any] | None) -> Iterator[tuple[str, Any, bool]]:
    """(内訳, cell value, approximate) per part: a number as a number, anything else as its
    text."""
    if value is None:
        yield "", None, False
    elif value["kind"] == "composite":
        for part in value["parts"]:
            for _, cell, approximate in _cells(part["value"]):
                yield part["label"], cell, approximate
    elif value["kind"] == "number":
        yield "", value["value"], bool(value["approximate"])
    else:
        yield "", value["display"], False


def write_data_sheet(ws: Worksheet, snapshot: Mapping[str, Any], w: Wording = JAPANESE) -> int:
    """Write the sheet; returns the number of data rows."""
    from openpyxl.utils import get_column_letter

    ws.append(data_header(w))
    count = 0
    for row in data_rows(snapshot, w):
        values = [clean(v) if isinstance(v, str) else v for v in row]
        ws.append(values)
        count += 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and value.startswith("="):
                # Text that looks like a formula stays text (FACTS.md: formula injection).
                ws.cell(row=count + 1, column=column).data_type = "s"
    for index in range(len(HEADER)):
        ws.column_dimensions[get_column_letter(index + 1)].width = WIDTHS[index]
    ws.freeze_panes = "A2"
    a4_landscape(ws, title_rows="1:1")
    ws.auto_filter.ref = ws.dimensions
    return count
