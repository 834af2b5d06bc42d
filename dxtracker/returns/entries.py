"""The entries of a return, read from its three tables: KPI actuals, measure progress and
proposed target revisions.

Each table is read only after the one before it, so that problems are listed in sheet order.
An entry with a refused cell is left out; its problems are recorded on the `ReturnReading`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import FiscalYearError, fiscal_year_label, parse_fiscal_year
from dxtracker.returns.collect import ReportedItems
from dxtracker.returns.layout import cell_text
from dxtracker.returns.model import KpiEntry, MeasureEntry, ProposedRevision, ReturnMeta
from dxtracker.returns.opening import BoundedWorkbook, ReturnReading, Row
from dxtracker.returns.outside import outside_columns
from dxtracker.returns.rows import CodeCheck, table_rows
from dxtracker.returns.table import INVALID, ReturnTable, code_of, open_table
from dxtracker.returns.typed_cells import read_figure, read_status, read_text, typed_value
from dxtracker.store.models import Kpi, Measure

Entries = tuple[tuple[KpiEntry, ...], tuple[MeasureEntry, ...], tuple[ProposedRevision, ...]]
# Why a code is not this department's: a code of the plan's, or not one at all.
_WhyNotOurs = Callable[[str], str]


def read_entries(reading: ReturnReading, session: Session, workbook: BoundedWorkbook,
                 items: ReportedItems) -> Entries:
    """The KPI entries, measure entries and proposals of a return whose metadata was read."""
    meta = reading.meta
    assert meta is not None
    kpi_not_ours = _explain_not_ours(session, "kpi", meta.department_name)
    measure_not_ours = _explain_not_ours(session, "measure", meta.department_name)
    # One table after the other (open_table records problems too): keep the order.
    kpis = _read_kpis(reading, open_table(reading, workbook, "kpi"), meta, items, kpi_not_ours)
    measures = _read_measures(reading, open_table(reading, workbook, "measure"), meta, items,
                              measure_not_ours)
    proposals = _read_proposals(reading, open_table(reading, workbook, "proposal"), meta, items,
                                kpi_not_ours)
    return kpis, measures, proposals


def _explain_not_ours(session: Session, kind: str, department: str) -> _WhyNotOurs:
    model = Kpi if kind == "kpi" else Measure
    label = "指標" if kind == "kpi" else "施策"
    verb = "が報告する指標" if kind == "kpi" else "の担当する施策"
    all_codes: set[str] | None = None

    def why_not_ours(code: str) -> str:
        nonlocal all_codes
        if all_codes is None:
            all_codes = set(session.scalars(select(model.code)))
        if code in all_codes:
            return (f"{label} {code} は{department}{verb}ではありません。"
                    "ほかの部局の行が貼り付けられていないか確かめてください。")
        return f"{label}コード「{code}」はこの計画にありません。"
    return why_not_ours


def _only(allowed: dict[str, str] | frozenset[str], why_not_ours: _WhyNotOurs) -> CodeCheck:
    return lambda code: None if code in allowed else why_not_ours(code)


def _recorded(recorded: list[str], columns: list[str], key: str) -> str:
    position = columns.index(key)
    return recorded[position] if position < len(recorded) else ""


# --------------------------------------------------------------------------- KPIs and measures


def _read_kpis(reading: ReturnReading, table: ReturnTable, meta: ReturnMeta,
               items: ReportedItems, why_not_ours: _WhyNotOurs) -> tuple[KpiEntry, ...]:
    entries = []
    columns = [c.key for c in table.columns]
    for number, code, row, recorded in table_rows(reading, table,
                                                  _only(items.kpi_units, why_not_ours)):
        base_value = _recorded(recorded, columns, "actual") or None
        base_note = _recorded(recorded, columns, "note")
        value = read_figure(reading, table, number, row, "actual", items.kpi_units[code],
                            base_value, allow_words=False, code=code)
        note = read_text(reading, table, number, row, "note", base_note)
        if value is not INVALID and note is not INVALID:
            entries.append(KpiEntry(code, meta.fiscal_year, meta.department_code, value, note,
                                    base_value, base_note, number))
    return tuple(entries)


def _read_measures(reading: ReturnReading, table: ReturnTable, meta: ReturnMeta,
                   items: ReportedItems, why_not_ours: _WhyNotOurs) -> tuple[MeasureEntry, ...]:
    columns = [c.key for c in table.columns]
    entries = []
    for number, code, row, recorded in table_rows(reading, table,
                                                  _only(items.measure_codes, why_not_ours)):
        bases = {k: _recorded(recorded, columns, k)
                 for k in ("status", "record", "issues", "next_policy")}
        status = read_status(reading, table, number, row, bases["status"])
        record, issues, next_policy = (read_text(reading, table, number, row, k, bases[k])
                                       for k in ("record", "issues", "next_policy"))
        if INVALID in (status, record, issues, next_policy):
            continue
        entries.append(MeasureEntry(code, meta.fiscal_year, meta.department_code, status,
                                    record, issues, next_policy, bases["status"] or None,
                                    bases["record"], bases["issues"], bases["next_policy"],
                                    number))
    return tuple(entries)


# --------------------------------------------------------------------------- proposals


def _read_proposals(reading: ReturnReading, table: ReturnTable, meta: ReturnMeta,
                    items: ReportedItems, why_not_ours: _WhyNotOurs) -> tuple[ProposedRevision, ...]:
    years = [fy for fy in reading.plan_years if fy >= meta.fiscal_year]
    seen: dict[tuple[str, int], int] = {}
    proposals = []
    for number, row in enumerate(table.rows[1:], start=2):
        if not any(cell_text(table.raw(c.key, row)).strip() for c in table.columns):
            continue
        proposal = _proposal(reading, table, number, row, items, years, why_not_ours)
        if proposal is None:
            continue
        key = (proposal.kpi_code, proposal.fiscal_year)
        if key in seen:
            reading.error(table.sheet, table.ref("kpi_code", number),
                          f"{proposal.kpi_code}の{fiscal_year_label(proposal.fiscal_year)}の提案が"
                          f"重複しています（{seen[key]}行目にもあります）。",
                          f"Duplicate proposal for {proposal.kpi_code} FY{proposal.fiscal_year}.")
            continue
        seen[key] = number
        proposals.append(proposal)
    outside_columns(reading, table)
    return tuple(proposals)


def _proposal(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
              items: ReportedItems, years: list[int],
              why_not_ours: _WhyNotOurs) -> ProposedRevision | None:
    for column in table.columns:  # read_figure takes the value's formula itself
        if column.key != "value" and typed_value(reading, table, number, row,
                                                 column.key) is INVALID:
            return None  # a formula without a saved result (said)
    code = code_of(table.raw("kpi_code", row))
    fiscal_year = _proposal_year(reading, table, number, row, years)
    if not code or code not in items.kpi_units:
        reading.error(table.sheet, table.ref("kpi_code", number),
                      why_not_ours(code) if code else "指標コードが空欄です。",
                      f"KPI code '{code}' cannot be proposed for here.")
        return None
    value = read_figure(reading, table, number, row, "value", items.kpi_units[code], None,
                        allow_words=True, code=code)
    if value is None:
        reading.error(table.sheet, table.ref("value", number),
                      "修正後の目標値が空欄です。", "The proposed target is blank.")
        return None
    reason = cell_text(table.raw("reason", row)).strip()
    if not reason:
        reading.warning(table.sheet, table.ref("reason", number),
                        "修正の理由が空欄です。", "No reason is given for the proposal.")
    if value is INVALID or fiscal_year is None:
        return None
    return ProposedRevision(code, fiscal_year, value, reason, number)


def _proposal_year(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                   years: list[int]) -> int | None:
    raw = table.raw("fiscal_year", row)
    where = table.ref("fiscal_year", number)
    try:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        fiscal_year = parse_fiscal_year(raw if isinstance(raw, int) else cell_text(raw))
    except FiscalYearError as exc:
        text = "年度が空欄です。" if not cell_text(raw).strip() else exc.message_ja
        reading.error(table.sheet, where, text, exc.message_en)
        return None
    if fiscal_year not in years:
        labels = "、".join(fiscal_year_label(fy) for fy in years)
        reading.error(table.sheet, where,
                      f"{fiscal_year_label(fiscal_year)}の目標は提案できません（提案できる年度: "
                      f"{labels}）。",
                      f"FY{fiscal_year} cannot be proposed (allowed: {years}).")
        return None
    return fiscal_year
