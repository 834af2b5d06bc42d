"""What changed since last time (前年度比較): for every KPI and measure, the previous and the
current value side by side, and whether they differ.

Two comparisons:
- since last year (`since="year"`): fiscal year Y−1 against Y — a KPI's target, actual and
  note, each department's contribution to a KPI fed by several, and each department's status,
  取組実績, 課題 and 今後の対応方針 of a measure. For the plan's first year the previous
  actual is the baseline (現状) when that is the year before.
- since the last accepted return (`since="return"`): each department's own figures of year Y
  (what its return carries: its actual or contribution and note, and its progress) as they
  stood at its last accepted return — or, not accepted yet, its last merged return
  (`checkpoints`) — against now.

Headquarters compares every department (leaving out a department's part of an item that is
blank before and now); a department (`department=`) its own items only, blanks included.
Rows are plain values; the app shows them in a table, the report as the sheet 前年度比較.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.values import Number
from dxtracker.plan.snapshot import plan_snapshot
from dxtracker.report.checkpoints import Checkpoint, last_return_checkpoints, values_at
from dxtracker.report.wording import Wording
from dxtracker.store.lookup import all_departments

SINCE = ("year", "return")
KPI_FIELDS = ("target", "actual", "contribution", "note")
MEASURE_FIELDS = ("status", "record", "issues", "next_policy")


@dataclass(frozen=True)
class ComparedValue:
    """One field of one item (and department): previous and current text, None for blank."""

    project: str  # "(1)スマート県庁推進プロジェクト"
    kind: str  # "kpi" or "measure"
    code: str
    name: str
    department: str  # "" for the KPI as a whole (its target, its total actual)
    field: str  # one of KPI_FIELDS or MEASURE_FIELDS
    previous: str | None
    current: str | None
    unit: str = ""

    @property
    def changed(self) -> bool:
        return (self.previous or None) != (self.current or None)

    @property
    def difference(self) -> str:
        """current − previous when both are plain numbers ("+120", "-3.5", "±0"), else ""."""
        before, now = _number(self.previous, self.unit), _number(self.current, self.unit)
        if before is None or now is None:
            return ""
        change = now - before
        if not change:
            return "±0"
        return ("+" if change > 0 else "") + format_value(Number(change))


@dataclass(frozen=True)
class Comparison:
    since: str  # "year" or "return"
    fiscal_year: int
    department: str | None  # None: every department (headquarters)
    rows: list[ComparedValue]
    checkpoints: list[Checkpoint] = field(default_factory=list)  # since="return"

    @property
    def previous_year(self) -> int:
        return self.fiscal_year - 1

    @property
    def changed_rows(self) -> list[ComparedValue]:
        return [row for row in self.rows if row.changed]


def _number(text: str | None, unit: str) -> Decimal | None:
    try:
        value = parse_value(text, unit=unit)
    except ValueParseError:
        return None
    return value.value if isinstance(value, Number) and not value.approximate else None


def build_comparison(session: Session, fiscal_year: int, *, since: str = "year",
                     department: str | None = None,
                     snapshot: Mapping[str, Any] | None = None) -> Comparison:
    """The comparison for `fiscal_year`, of the items of `snapshot` (of this session; the
    whole plan when not given). The report passes its own snapshot, already without the items
    retired before the year, so that its 前年度比較 sheet lists what its other sheets list; the
    app's page passes none and also shows a retired item's figures of the year before."""
    if since not in SINCE:
        raise ValueError(f"unknown comparison {since!r}; one of {SINCE}")
    snapshot = snapshot if snapshot is not None else plan_snapshot(session)
    rows: list[ComparedValue]
    if since == "year":
        rows = list(_year_rows(snapshot, fiscal_year, department))
        return Comparison(since, fiscal_year, department,
                          rows if department is not None else _without_empty_blocks(rows))
    departments = [d for d in all_departments(session)
                   if department is None or d.name == department]
    checkpoints = last_return_checkpoints(session, fiscal_year, departments)
    rows = []
    for code, checkpoint in checkpoints.items():
        then = values_at(session, fiscal_year, code, checkpoint.audit_id) \
            if checkpoint.basis != "none" else None
        rows += _return_rows(snapshot, fiscal_year, checkpoint.department, then)
    order = {d.name: i for i, d in enumerate(departments)}
    items = _item_order(snapshot)
    rows.sort(key=lambda r: (items[r.code], order.get(r.department, 0)))
    if department is None:
        rows = _without_empty_blocks(rows)
    return Comparison(since, fiscal_year, department, rows, list(checkpoints.values()))


def _without_empty_blocks(rows: list[ComparedValue]) -> list[ComparedValue]:
    """Headquarters' view leaves out a department's part of an item that is blank before and
    now (thirteen departments of a 全部局 measure that none has reported on); a department's
    own view keeps its blanks: they are what it has still to fill in."""
    filled = {(r.code, r.department) for r in rows
              if r.previous is not None or r.current is not None}
    return [r for r in rows if not r.department or (r.code, r.department) in filled]


def _item_order(snapshot: Mapping[str, Any]) -> dict[str, int]:
    codes = [item["code"] for p in snapshot["projects"] for item in (*p["kpis"], *p["measures"])]
    return {code: index for index, code in enumerate(codes)}


# --------------------------------------------------------------------------- since last year


def _display(value: Mapping[str, Any] | None) -> str | None:
    return value["display"] if value else None


def _is_summed(kpi: Mapping[str, Any]) -> bool:
    """Fed by several departments: each one's contribution is a figure of its own."""
    return kpi["aggregation"] == "sum" and len(kpi["reporting_departments"]) > 1


def _year_rows(snapshot: Mapping[str, Any], fiscal_year: int, department: str | None
               ) -> Iterator[ComparedValue]:
    before, now = str(fiscal_year - 1), str(fiscal_year)
    for project in snapshot["projects"]:
        title = f"({project['number']}){project['title']}"
        for kpi in project["kpis"]:
            if department is None or department in kpi["reporting_departments"]:
                yield from _kpi_year_rows(title, kpi, before, now, department)
        for measure in project["measures"]:
            yield from _measure_year_rows(title, measure, fiscal_year, department)


def _kpi_year_rows(project: str, kpi: Mapping[str, Any], before: str, now: str,
                   department: str | None) -> Iterator[ComparedValue]:
    def row(name: str, previous: str | None, current: str | None,
            dept: str = "") -> ComparedValue:
        return ComparedValue(project, "kpi", kpi["code"], kpi["name"], dept, name, previous,
                             current, kpi["unit"])

    previous_actual = kpi["actuals"].get(before)
    if previous_actual is None and str(kpi["baseline_fiscal_year"]) == before:
        previous_actual = kpi["baseline"]  # the plan's first year: 現状 is the year before
    yield row("target", _display(kpi["targets"].get(before)), _display(kpi["targets"].get(now)))
    if not _is_summed(kpi):
        yield row("actual", _display(previous_actual), _display(kpi["actuals"].get(now)))
        yield row("note", kpi["actual_notes"].get(before), kpi["actual_notes"].get(now))
        return
    if department is None:
        yield row("actual", _display(previous_actual), _display(kpi["actuals"].get(now)))
    parts = {year: {c["department"]: c for c in kpi["contributions"].get(year, [])
                    if c["department"]} for year in (before, now)}
    for name in kpi["reporting_departments"]:
        if department is None or name == department:
            old, new = parts[before].get(name), parts[now].get(name)
            yield row("contribution", _display(old and old["value"]),
                      _display(new and new["value"]), name)
            yield row("note", (old or {}).get("note") or None, (new or {}).get("note") or None,
                      name)


def _measure_year_rows(project: str, measure: Mapping[str, Any], fiscal_year: int,
                       department: str | None) -> Iterator[ComparedValue]:
    progress = {(p["fiscal_year"], p["department"]): p for p in measure["progress"]}
    reported = {d for (fy, d) in progress if fy in (fiscal_year - 1, fiscal_year)}
    names = list(measure["departments"]) + sorted(reported - set(measure["departments"]))
    for name in names:
        if department is not None and name != department:
            continue
        old = progress.get((fiscal_year - 1, name), {})
        new = progress.get((fiscal_year, name), {})
        for key in MEASURE_FIELDS:
            yield ComparedValue(project, "measure", measure["code"],
                                f"{measure['number']}. {measure['title']}", name, key,
                                old.get(key) or None, new.get(key) or None)


# --------------------------------------------------------------------------- since the last return


def _return_rows(snapshot: Mapping[str, Any], fiscal_year: int, department: str,
                 then: Mapping[tuple[str, str, str], str | None] | None
                 ) -> Iterator[ComparedValue]:
    """The department's own figures now, and as they were at its checkpoint (`then`: the
    fields changed since; None: no checkpoint, every figure is new)."""
    year = str(fiscal_year)

    def previous(entity: str, code: str, name: str, current: str | None) -> str | None:
        if then is None:
            return None
        return then.get((entity, code, name), current) or None

    for project in snapshot["projects"]:
        title = f"({project['number']}){project['title']}"
        for kpi in project["kpis"]:
            if department not in kpi["reporting_departments"]:
                continue
            own: dict[str, Any] = next(
                (c for c in kpi["contributions"].get(year, []) if c["department"] == department),
                {})
            value, note = _display(own.get("value")), own.get("note") or None
            figure = "contribution" if _is_summed(kpi) else "actual"
            for name, audit_field, current in ((figure, "actual", value), ("note", "note", note)):
                yield ComparedValue(title, "kpi", kpi["code"], kpi["name"], department, name,
                                    previous("kpi_actual", kpi["code"], audit_field, current),
                                    current, kpi["unit"])
        for measure in project["measures"]:
            if department not in measure["departments"]:
                continue
            row: dict[str, Any] = next(
                (p for p in measure["progress"]
                 if p["fiscal_year"] == fiscal_year and p["department"] == department), {})
            for name in MEASURE_FIELDS:
                current = row.get(name) or None
                yield ComparedValue(title, "measure", measure["code"],
                                    f"{measure['number']}. {measure['title']}", department, name,
                                    previous("measure_progress", measure["code"], name, current),
                                    current)


# --------------------------------------------------------------------------- words


def changed_mark(w: Wording) -> str:
    """The symbol and the words of a changed row (the sheet's and the app's first column)."""
    return "● " + w.tr("変更あり")


def field_label(w: Wording, name: str) -> str:
    return {"target": w.tr("目標"), "actual": w.tr("実績"), "contribution": w.tr("部局の実績（寄与）"),
            "note": w.tr("備考"), "status": w.tr("進捗状況"), "record": w.tr("取組実績"),
            "issues": w.tr("課題"), "next_policy": w.tr("今後の対応方針")}[name]


def column_titles(w: Wording, comparison: Comparison) -> tuple[str, str]:
    """The titles of the previous and the current column."""
    if comparison.since == "year":
        return w.year(comparison.previous_year), w.year(comparison.fiscal_year)
    return w.tr("前回の回答"), w.tr("現在")


def checkpoint_text(w: Wording, checkpoint: Checkpoint) -> str:
    """What a department's previous figures are, in a few words."""
    when = f"{checkpoint.at:%Y-%m-%d %H:%M}" if checkpoint.at else ""
    if checkpoint.basis == "accepted":
        return w.tr("{when} 承認（{by}）", when=when, by=checkpoint.by or "—")
    if checkpoint.basis == "merged":
        return w.tr("{when} 統合・未承認（{file}）", when=when, file=checkpoint.file_name)
    return w.tr("統合済みの回答なし")


def value_text(w: Wording, name: str, value: str | None) -> str:
    """A compared value as shown: a status in the reader's language, blank as "（空欄）"."""
    if value is None:
        return w.tr("（空欄）")
    return w.status(value) if name == "status" else value
