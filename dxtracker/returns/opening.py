"""Opening a return file: read into memory once, bounded, then parsed — and where its problems go.

The file is read once, so that what `dxtracker.files.xlsx_bounds` checks is what is parsed;
only a file that passed those bounds reaches python-calamine (FACTS.md: ~10× openpyxl), and of
its sheets only those the bounds measured. A problem never raises out of reading a return: it
is recorded on the `ReturnReading`, and `Refused` stops the reading of that one file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from dxtracker.files.xlsx_bounds import (
    MAX_FILE_BYTES,
    SheetFacts,
    UnsafeWorkbook,
    WorkbookFacts,
    inspect_workbook,
)
from dxtracker.returns.model import ReturnMeta, ReturnProblem, ValueReading

Row = list[Any]


class Refused(Exception):
    """Stops reading a file; the problems are already recorded."""


@dataclass
class ReturnReading:
    """The state of reading one file: where problems go, and what the metadata says."""

    path: Path
    file_name: str
    sha256: str = ""
    problems: list[ReturnProblem] = field(default_factory=list)
    meta: ReturnMeta | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)
    recorded: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    plan_years: list[int] = field(default_factory=list)  # the plan's fiscal years
    readings: list[ValueReading] = field(default_factory=list)  # figures read from text

    def error(self, sheet: str | None, cell: str | None, ja: str, en: str) -> None:
        self.problems.append(ReturnProblem(self.file_name, sheet, cell, ja, en))

    def warning(self, sheet: str | None, cell: str | None, ja: str, en: str) -> None:
        self.problems.append(ReturnProblem(self.file_name, sheet, cell, ja, en, "warning"))

    def refuse(self, ja: str, en: str) -> Refused:
        self.error(None, None, ja, en)
        return Refused()


@dataclass(frozen=True)
class BoundedWorkbook:
    """A return workbook that passed the bounds: only the sheets they measured can be read."""

    book: CalamineWorkbook
    facts: WorkbookFacts
    # Merged ranges of each sheet read, ((row, column), (row, column)) from 0, as calamine
    # gives them with the sheet (free: found while the sheet is read).
    merges: dict[str, list[Any]] = field(default_factory=dict)

    def sheet_facts(self, name: str) -> SheetFacts | None:
        return self.facts.sheets.get(name)

    def sheet_rows(self, reading: ReturnReading, name: str) -> list[Row] | None:
        """The sheet's rows as python values; None when the workbook has no such sheet."""
        if name not in self.book.sheet_names:
            return None
        if name not in self.facts.sheets:  # only sheets the guards have bounded reach the parser
            raise reading.refuse(f"シート「{name}」がワークシートとして読めません。",
                                 f"Sheet '{name}' is not a worksheet that can be read.")
        try:
            sheet = self.book.get_sheet_by_name(name)
            rows: list[Row] = sheet.to_python(skip_empty_area=False)
            self.merges[name] = list(sheet.merged_cell_ranges or ())
        except (CalamineError, ValueError) as exc:
            raise reading.refuse(f"シート「{name}」が読めません（{exc}）。",
                                 f"Sheet '{name}' cannot be read ({exc}).") from exc
        return rows


def open_bounded(reading: ReturnReading, sheets: Collection[str]) -> BoundedWorkbook:
    """The file of `reading`, its bounds checked (only `sheets` will be parsed) and opened.
    Records the file's SHA-256 on `reading`; refuses the file with the reason."""
    data = _read_bytes(reading)
    reading.sha256 = hashlib.sha256(data).hexdigest()
    try:
        facts = inspect_workbook(data, sheets)
    except UnsafeWorkbook as exc:
        raise reading.refuse(exc.message_ja, exc.message_en) from exc
    return BoundedWorkbook(_open(reading, data), facts)


def _read_bytes(reading: ReturnReading) -> bytes:
    try:
        size = reading.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise reading.refuse(
                f"ファイルが大きすぎます（{size / 1e6:.1f} MB、上限 {MAX_FILE_BYTES // 10**6} MB）。",
                f"The file is too large ({size / 1e6:.1f} MB).")
        return reading.path.read_bytes()
    except PermissionError as exc:  # on Windows also a sharing violation: open in Excel
        raise reading.refuse(
            "ファイルを開けません（ほかのプログラムが使用中か、読む権限がありません）。"
            "Excelなどで開いている場合は閉じてから、もう一度取り込んでください。",
            "The file cannot be opened: another program (Excel?) is using it, or it may not "
            "be read. Close it and import it again.") from exc
    except OSError as exc:
        raise reading.refuse(f"ファイルを読めません（{exc.strerror or exc}）。",
                             f"Cannot read the file ({exc.strerror or exc}).") from exc


def _open(reading: ReturnReading, data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise reading.refuse(f"xlsxファイルとして読めません（{exc}）。Excelで保存し直してください。",
                             f"Cannot read the xlsx file ({exc}).") from exc
