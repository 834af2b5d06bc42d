"""Writing a department's return workbook, filled with what the database holds.

XlsxWriter writes it (pyproject.toml says why: the export must stay within 1.5× of writing the
bare cells with openpyxl's write-only mode; benchmarks/bench_returns_io.py). Text always goes
through `write_string`, never becoming a formula whatever it starts with (= + - @; FACTS.md).
The workbook is built in memory, written next to its target and moved into place, so an
interrupted export never leaves half a workbook behind.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session
from xlsxwriter.utility import xl_col_to_name

from dxtracker import __version__
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.values import Number, Value
from dxtracker.files.atomic import write_bytes_atomically
from dxtracker.returns import layout
from dxtracker.returns.collect import (
    DepartmentRows,
    KpiRow,
    MeasureRow,
    department_rows,
    plan_fingerprint,
)
from dxtracker.returns.layout import FORMAT_VERSION, Column
from dxtracker.returns.model import ReturnProblem
from dxtracker.store.models import STATUSES, Department

log = logging.getLogger(__name__)

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Never let XlsxWriter turn a string into anything else.
_WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False,
                     "strings_to_numbers": False, "strings_to_urls": False}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    warnings: tuple[ReturnProblem, ...]  # text changed to fit a cell (control characters, …)


def default_return_file_name(fiscal_year: int, department_name: str) -> str:
    """令和4年度_DX推進計画_回答_商工労働部.xlsx"""
    name = _UNSAFE_FILE_CHARS.sub("_", department_name).strip() or "部局"
    return f"{fiscal_year_label(fiscal_year)}_DX推進計画_回答_{name}.xlsx"


def export_return(session: Session, department: str | Department, fiscal_year: int,
                  path: Path | None = None, *, directory: Path | None = None) -> Path:
    """Write `department`'s return for `fiscal_year`; returns the path written.

    Text changed to fit a cell is logged as a warning; `write_return` returns those warnings.
    Raises NotFound (department), EntryRejected (year) or DxTrackerError (file not writable).
    """
    result = write_return(session, department, fiscal_year, path, directory=directory)
    for warning in result.warnings:
        log.warning("%s", warning)
    return result.path


def write_return(session: Session, department: str | Department, fiscal_year: int,
                 path: Path | None = None, *, directory: Path | None = None,
                 exported_at: datetime | None = None,
                 remarks: Remarks | None = None) -> ExportResult:
    rows = department_rows(session, department, fiscal_year)
    if path is None:
        path = Path(directory or Path.cwd()) / default_return_file_name(
            fiscal_year, rows.department_name)
    path = Path(path)
    builder = _ReturnBuilder(rows, path.name, remarks)
    content = builder.build(plan_fingerprint(session), exported_at or datetime.now())
    write_bytes_atomically(path, content)
    return ExportResult(path, tuple(builder.warnings))


# --------------------------------------------------------------------------- the workbook


def year_labels(rows: DepartmentRows) -> dict[str, str]:
    return {"fy": fiscal_year_label(rows.fiscal_year),
            "prev": fiscal_year_label(rows.fiscal_year - 1),
            "base": fiscal_year_label(rows.baseline_fiscal_year)}


class _Writer:
    """Cells of one workbook: its formats, created once, and safe writing of text."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.formats = {name: workbook.add_format(props)
                        for name, props in layout.FORMATS.items()}
        self._numbers: dict[tuple[bool, int, bool], Any] = {}

    def number_format(self, is_input: bool, decimals: int, fix: bool = False) -> Any:
        key = (is_input, decimals, fix)
        if key not in self._numbers:
            self._numbers[key] = self.workbook.add_format(layout.number_format(*key))
        return self._numbers[key]

    def text(self, sheet: Any, row: int, column: int, text: str, style: str) -> None:
        cell_format = self.formats[style]
        if not text:
            sheet.write_blank(row, column, None, cell_format)
        elif text.startswith("<r>") and text.endswith("</r>"):
            # XlsxWriter takes such a string for rich-text XML and writes it unescaped; as
            # three plain runs it is escaped like any text and reads back the same.
            sheet.write_rich_string(row, column, text[:1], text[1:2], text[2:], cell_format)
        else:
            sheet.write_string(row, column, text, cell_format)


@dataclass(frozen=True)
class Remarks:
    """What headquarters adds to a return it sends back (send_back.py): lines at the top of
    the instructions, and beside each item to fix its reason, in a column of its own (its input
    cells coloured too: colour is never the only carrier of meaning). The reader finds its
    columns by their headers, so the extra column is not read back."""

    preface: tuple[tuple[str, str], ...]  # (heading, text) on the instructions sheet
    items: Mapping[str, str]  # item code → reason


@dataclass
class _ReturnBuilder:
    rows: DepartmentRows
    file_name: str
    remarks: Remarks | None = None
    warnings: list[ReturnProblem] = field(default_factory=list)
    records: list[list[str]] = field(default_factory=list)  # the metadata sheet's rows
    data: dict[str, dict] = field(default_factory=lambda: {"headers": {}, "rows": {}})

    def build(self, fingerprint: str, exported_at: datetime) -> bytes:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
        workbook.set_properties({"title": self.file_name.removesuffix(".xlsx"),
                                 "author": f"DX Tracker {__version__}",
                                 "created": exported_at})
        self.out = _Writer(workbook)
        labels = year_labels(self.rows)
        self._meta(fingerprint, exported_at, labels)
        _write_instructions(workbook.add_worksheet(layout.INSTRUCTIONS_SHEET), self.out,
                            self.rows, labels, self.remarks)
        self._kpi_sheet(workbook.add_worksheet(layout.KPI_SHEET), labels)
        self._measure_sheet(workbook.add_worksheet(layout.MEASURE_SHEET), labels)
        self._proposal_sheet(workbook.add_worksheet(layout.PROPOSAL_SHEET), labels)
        self._meta_sheet(workbook.add_worksheet(layout.META_SHEET))
        workbook.close()
        return buffer.getvalue()

    # -- metadata

    def _meta(self, fingerprint: str, exported_at: datetime, labels: dict[str, str]) -> None:
        rows = self.rows
        values = (layout.FORMAT_NAME, str(FORMAT_VERSION), rows.plan_code, fingerprint,
                  rows.department_code, rows.department_name, str(rows.fiscal_year),
                  exported_at.isoformat(), __version__)
        self.records += [["meta", key, value] for key, value in zip(layout.META_KEYS, values,
                                                                   strict=True)]
        self.data["headers"] = {key: layout.headers(columns, labels)
                                for key, columns in layout.COLUMNS.items()}

    def _meta_sheet(self, sheet: Any) -> None:
        sheet.very_hidden()
        self.records += [["data", piece] for piece in layout.encode_data(self.data)]
        self.records.append(["checksum", layout.checksum(self.records)])
        for number, record in enumerate(self.records):
            for column, value in enumerate(record):
                self.out.text(sheet, number, column, value, "meta")
        _protect(sheet)

    # -- tables

    def _table(self, sheet: Any, columns: tuple[Column, ...], labels: dict[str, str]) -> None:
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        for index, header in enumerate(layout.headers(columns, labels)):
            self.out.text(sheet, 0, index, header, "header")
        if self.remarks is not None and columns is not layout.PROPOSAL_COLUMNS:
            sheet.set_column(len(columns), len(columns), layout.REMARK_WIDTH)
            self.out.text(sheet, 0, len(columns), layout.REMARK_HEADER, "header")
        sheet.freeze_panes(1, 1)
        sheet.repeat_rows(0)
        _page_setup(sheet)
        _protect(sheet)

    def _kpi_sheet(self, sheet: Any, labels: dict[str, str]) -> None:
        self._table(sheet, layout.KPI_COLUMNS, labels)
        for number, row in enumerate(self.rows.kpis, start=1):
            # The merge base of the actual is the database's canonical text ("1,234"), which
            # the reader gives back for an untouched cell whatever form the cell takes.
            self._row(sheet, layout.KPI_SHEET, "kpi", number, layout.KPI_COLUMNS,
                      _kpi_values(row), {"actual": row.actual or ""})

    def _measure_sheet(self, sheet: Any, labels: dict[str, str]) -> None:
        self._table(sheet, layout.MEASURE_COLUMNS, labels)
        for number, row in enumerate(self.rows.measures, start=1):
            self._row(sheet, layout.MEASURE_SHEET, "measure", number, layout.MEASURE_COLUMNS,
                      _measure_values(row), {})
        if self.rows.measures:
            column = _position(layout.MEASURE_COLUMNS, "status")
            sheet.data_validation(1, column, len(self.rows.measures), column, {
                "validate": "list", "source": list(STATUSES), "ignore_blank": True,
                "error_title": "進捗状況",
                "error_message": f"{' / '.join(STATUSES)} のいずれかを選んでください。"})

    def _proposal_sheet(self, sheet: Any, labels: dict[str, str]) -> None:
        self._table(sheet, layout.PROPOSAL_COLUMNS, labels)
        for number in range(1, layout.PROPOSAL_ROWS + 1):
            for column in range(len(layout.PROPOSAL_COLUMNS)):
                self.out.text(sheet, number, column, "", "input_text")
        last = layout.PROPOSAL_ROWS
        if self.rows.kpis:
            # A range on the KPI sheet rather than a literal list: no 255-character limit.
            sheet.data_validation(1, 0, last, 0, {
                "validate": "list", "ignore_blank": True, "error_title": "指標コード",
                "source": f"='{layout.KPI_SHEET}'!$A$2:$A${len(self.rows.kpis) + 1}",
                "error_message": f"{layout.KPI_SHEET}シートにある指標コードを選んでください。"})
        years = [fiscal_year_label(fy) for fy in self.rows.proposal_years]
        if years:
            column = _position(layout.PROPOSAL_COLUMNS, "fiscal_year")
            sheet.data_validation(1, column, last, column, {
                "validate": "list", "source": years, "ignore_blank": True})

    def _row(self, sheet: Any, sheet_name: str, key: str, number: int,
             columns: tuple[Column, ...], values: dict[str, Value | str | None],
             bases: dict[str, str]) -> None:
        """Write one table row; records what each cell holds in the metadata."""
        code = str(values["code"])
        reason = self.remarks.items.get(code) if self.remarks is not None else None
        texts = []
        for index, column in enumerate(columns):
            text = self._cell(sheet, sheet_name, number, index, column, values.get(column.key),
                              fix=reason is not None)
            texts.append(bases.get(column.key, text))
        self.data["rows"].setdefault(key, []).append(texts)
        if reason is not None:
            self.out.text(sheet, number, len(columns),
                          layout.clean_text(f"{layout.FIX_MARK}{reason}").text, "remark")

    def _cell(self, sheet: Any, sheet_name: str, row: int, index: int, column: Column,
              value: Value | str | None, fix: bool = False) -> str:
        """Write a cell (an input cell of an item to fix in its own colour); returns its text
        as the reader will see it."""
        fix = fix and column.input
        if (column.number and isinstance(value, Number)
                and (number := _as_float(value)) is not None):
            cell_format = self.out.number_format(column.input, _decimals(value), fix)
            sheet.write_number(row, index, number, cell_format)
            return layout.number_text(number)
        if value is not None and not isinstance(value, str):
            value = format_value(value)
        clean = layout.clean_text(value or "")
        if clean.removed_control or clean.truncated:
            self._warn(sheet_name, f"{xl_col_to_name(index)}{row + 1}", clean)
        self.out.text(sheet, row, index, clean.text,
                      "fix_text" if fix else "input_text" if column.input else "locked_text")
        return clean.text

    def _warn(self, sheet_name: str, where: str, clean: layout.CleanText) -> None:
        if clean.removed_control:
            self.warnings.append(ReturnProblem(
                self.file_name, sheet_name, where,
                "Excelのセルに書けない制御文字を削除しました。",
                "Removed control characters that an Excel cell cannot hold.", "warning"))
        if clean.truncated:
            self.warnings.append(ReturnProblem(
                self.file_name, sheet_name, where,
                f"Excelのセルの上限（{layout.EXCEL_CELL_LIMIT:,}文字）を超えたため、"
                "超えた部分を削りました。",
                f"Cut the text to Excel's limit of {layout.EXCEL_CELL_LIMIT:,} characters.",
                "warning"))


def _write_instructions(sheet: Any, out: _Writer, rows: DepartmentRows,
                        labels: dict[str, str], remarks: Remarks | None) -> None:
    """記入方法: headquarters' remarks if any, what to fill in and how, and a filled-in
    example (記入例). Not read back."""
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 90)
    _page_setup(sheet)
    _protect(sheet)
    out.text(sheet, 0, 0, f"{labels['fy']} DX推進計画 進捗状況の回答（{rows.department_name}）",
             "title")
    number = 2
    for heading, text in remarks.preface if remarks is not None else ():
        out.text(sheet, number, 0, heading, "remark" if heading else "plain")
        out.text(sheet, number, 1, layout.clean_text(text).text, "remark")
        number += 1
    number += 1 if remarks is not None else 0
    for heading, text in layout.instruction_lines(labels):
        out.text(sheet, number, 0, heading, "heading" if heading else "plain")
        out.text(sheet, number, 1, text, "plain")
        number += 1
    for heading, example in layout.EXAMPLES:
        out.text(sheet, number + 1, 0, heading, "heading")
        number += 2
        for label, value in example:
            out.text(sheet, number, 0, label, "header")
            out.text(sheet, number, 1, value,
                     "example" if label.endswith(layout.INPUT_MARK) else "locked_text")
            number += 1


def _kpi_values(row: KpiRow) -> dict[str, Value | str | None]:
    actual: Value | str | None = row.actual
    if row.actual is not None:
        try:
            actual = parse_value(row.actual, unit=row.unit, allow_words=True)
        except ValueParseError:
            actual = row.actual  # a stored text that no longer parses is shown as it is
    return {"code": row.kpi_code, "project": row.project, "kpi_name": row.kpi_name,
            "unit": row.unit, "scope": row.scope, "baseline": row.baseline,
            "target": row.target, "target_note": row.target_note,
            "last_actual": row.last_actual, "actual": actual, "note": row.note}


def _measure_values(row: MeasureRow) -> dict[str, Value | str | None]:
    return {"code": row.measure_code, "project": row.project, "measure": row.title,
            "departments": row.departments, "schedule": row.schedule,
            "status": row.status or "", "record": row.record, "issues": row.issues,
            "next_policy": row.next_policy}


def _as_float(value: Number) -> float | None:
    """A plain number that a float holds exactly (what a number cell can carry); else None."""
    if value.approximate:
        return None
    number = float(value.value)
    if abs(number) >= 1e15 or Decimal(repr(number)) != value.value:
        return None
    return number


def _decimals(value: Number) -> int:
    exponent = value.value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _position(columns: tuple[Column, ...], key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)


def _page_setup(sheet: Any) -> None:
    """A4 landscape, fitted to the page width (as many pages down as needed)."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)


def _protect(sheet: Any) -> None:
    # No password: a guard against slips, not security (FACTS.md). Resizing and hiding rows
    # and columns stays allowed; locked cells cannot be changed.
    sheet.protect("", {"format_columns": True, "format_rows": True,
                       "select_locked_cells": True, "select_unlocked_cells": True})
