"""Helpers shared by the return and merge tests (no tests here): run the command line, export
a return, fill its input cells the way a person would in Excel, read it back, and compare
databases."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from dxtracker.cli import main
from dxtracker.returns import ParsedReturn, layout, read_return
from dxtracker.store.db import Database
from tests.helpers import dump  # also re-exported for the merge tests

KPI_INPUTS = {"actual": "J", "note": "K"}
MEASURE_INPUTS = {"status": "F", "record": "G", "issues": "H", "next_policy": "I"}
PROPOSAL_INPUTS = {"kpi_code": "A", "fiscal_year": "B", "value": "C", "reason": "D"}


def cli(db_path: Path, *args: object) -> tuple[int, str, str]:
    """Run `dxtracker --db DB ARGS…` in this process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db_path), *(str(a) for a in args)])
    return code, out.getvalue(), err.getvalue()


def copy_db(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target


def show(db_path: Path) -> dict:
    code, out, err = cli(db_path, "plan", "show", "--json")
    assert code == 0, err
    return json.loads(out)


def without_stamps(snapshot: dict) -> dict:
    """A snapshot without the update times of progress rows, which differ between two runs."""
    for project in snapshot["projects"]:
        for measure in project["measures"]:
            for progress in measure["progress"]:
                progress.pop("updated_at", None)
    return snapshot


def plan_dump(path: Path) -> list[str]:
    """The database's content but the record of refused files: what a refused file must leave
    unchanged (refusals.py remembers the file itself)."""
    return [line for line in dump(path) if not line.startswith('INSERT INTO "refused_return"')]


FIGURES_ONLY = "entity != 'return_review'"  # leaves out a merge's note that it was received


def count(db_path: Path, table: str, where: str = "") -> int:
    con = sqlite3.connect(db_path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}"
                           + (f" WHERE {where}" if where else "")).fetchone()[0]
    finally:
        con.close()


def export(db_path: Path, department: str, fiscal_year: int, target: Path) -> Path:
    code, _, err = cli(db_path, "return", "export", "--dept", department, "--fy", fiscal_year,
                         "-o", target)
    assert code == 0, err
    return target if not target.is_dir() else next(
        p for p in target.glob("*.xlsx") if department in p.name)


def read(db: Database, path: Path, **expected: Any) -> ParsedReturn:
    """`read_return` of `path` in a read session (`expected`: its expected_… arguments)."""
    with db.read() as session:
        return read_return(path, session, **expected)


def _row_of(sheet, code: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(2, sheet.max_row + 1):
        if sheet[f"A{row}"].value == code:
            return row
    raise AssertionError(f"{code} not on sheet {sheet.title}")


def fill(path: Path, *, kpis: Mapping[str, Mapping[str, object]] = (),  # type: ignore[assignment]
         measures: Mapping[str, Mapping[str, object]] = (),  # type: ignore[assignment]
         proposals: Sequence[Mapping[str, object]] = (), target: Path | None = None) -> Path:
    """Type into the input cells as a person would (openpyxl load, edit, save)."""
    book = load_workbook(path)
    for sheet_name, entries, columns in ((layout.KPI_SHEET, kpis, KPI_INPUTS),
                                         (layout.MEASURE_SHEET, measures, MEASURE_INPUTS)):
        sheet = book[sheet_name]
        for code, values in dict(entries).items():
            row = _row_of(sheet, code)
            for field, value in values.items():
                cell = sheet[f"{columns[field]}{row}"]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, as Excel stores typed text
    sheet = book[layout.PROPOSAL_SHEET]
    for offset, values in enumerate(proposals):
        for field, value in values.items():
            sheet[f"{PROPOSAL_INPUTS[field]}{2 + offset}"].value = value
    out = target or path
    book.save(out)
    return out


def kpi(snapshot: dict, code: str) -> dict:
    return next(k for p in snapshot["projects"] for k in p["kpis"] if k["code"] == code)


def measure(snapshot: dict, code: str) -> dict:
    return next(m for p in snapshot["projects"] for m in p["measures"] if m["code"] == code)


def progress_of(snapshot: dict, code: str, fiscal_year: int, department: str) -> dict | None:
    return next((p for p in measure(snapshot, code)["progress"]
                 if p["fiscal_year"] == fiscal_year and p["department"] == department), None)
