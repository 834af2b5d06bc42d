"""Crash safety: a merge killed with SIGKILL at random moments never leaves half a file.

Each run merges the returns of every department for three years in a subprocess and kills it after a random
delay. Afterwards the database must pass integrity_check, and each file must be either wholly
applied (every one of its changes present, and its import recorded) or not at all. Merging the
same files again must then finish the job, ending where an uninterrupted merge ends.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dxtracker.returns import layout
from dxtracker.returns.apply import merge_returns
from dxtracker.store.connect import open_database
from dxtracker.store.db import check_integrity
from tests.core.test_merge import DEPARTMENTS
from tests.core.test_merge_support import copy_db, export, show, without_stamps

RUNS = 20
YEARS = (2021, 2022, 2023)
SEED = 20240401  # fixed: a failure can be replayed

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX only")


def _fill_everything(path: Path, salt: int) -> None:
    """Every input cell of the return filled, so each file changes many rows."""
    book = load_workbook(path)
    kpis = book[layout.KPI_SHEET]
    for row in range(2, kpis.max_row + 1):
        kpis[f"J{row}"].value = salt * 100 + row
        kpis[f"K{row}"].value = f"備考{salt}-{row}"
    measures = book[layout.MEASURE_SHEET]
    for row in range(2, measures.max_row + 1):
        measures[f"F{row}"].value = "順調"
        measures[f"G{row}"].value = f"取組実績{salt}-{row}\n二行目"
    book.save(path)


def _expected_changes(template: Path, files: list[Path], tmp_path: Path) -> dict[str, list]:
    """file name → its changes (entity, code, year, department, field, new), from a dry run."""
    probe = copy_db(template, tmp_path / "probe.sqlite3")
    with open_database(probe) as db:
        report = merge_returns(db, files, dry_run=True)
    assert report.exit_code == 0
    return {f.file_name: [(c.entity, c.item_code, c.fiscal_year, c.department_code, c.field,
                           c.new) for c in f.preview.changes] for f in report.files}


KPI_COLUMNS = {"actual": "value", "note": "note"}
QUERIES = {
    "kpi_actual": "SELECT a.{column} FROM kpi_actual a JOIN kpi k ON k.id = a.kpi_id "
                  "JOIN department d ON d.id = a.department_id "
                  "WHERE k.code = ? AND a.fiscal_year = ? AND d.code = ?",
    "measure_progress": "SELECT p.{column} FROM measure_progress p "
                        "JOIN measure m ON m.id = p.measure_id "
                        "JOIN department d ON d.id = p.department_id "
                        "WHERE m.code = ? AND p.fiscal_year = ? AND d.code = ?",
}


def _applied(con: sqlite3.Connection, changes: list) -> int:
    """How many of a file's changes the database holds."""
    held = 0
    for entity, code, year, dept, field, new in changes:
        column = KPI_COLUMNS.get(field, field) if entity == "kpi_actual" else field
        row = con.execute(QUERIES[entity].format(column=column), (code, year, dept)).fetchone()
        held += row is not None and (row[0] or None) == new
    return held


def _check_whole_files(db_path: Path, expected: dict[str, list]) -> int:
    """Assert every file is wholly in or wholly out; returns how many are in."""
    problems = check_integrity(db_path)
    assert problems == [], problems
    con = sqlite3.connect(db_path)
    try:
        imported = {name for (name,) in con.execute("SELECT file_name FROM return_import")}
        for name, changes in expected.items():
            held = _applied(con, changes)
            assert held in (0, len(changes)), f"{name}: {held} of {len(changes)} changes"
            assert (held == len(changes)) == (name in imported), name
    finally:
        con.close()
    return len(imported)


def _merge_command(db_path: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "dxtracker", "--db", str(db_path), "return", "merge",
            *map(str, files)]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's dxtracker
    return env


def test_a_killed_merge_leaves_whole_files(template_db, tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    files = []
    for fiscal_year in YEARS:  # 39 files: a merge long enough for the kills to land in
        for number, dept in enumerate(DEPARTMENTS, start=1):
            path = export(template_db, dept, fiscal_year, returns / f"{fiscal_year}-{number}.xlsx")
            _fill_everything(path, fiscal_year % 100 * 100 + number)
            files.append(path)
    expected = _expected_changes(template_db, files, tmp_path)
    assert all(expected.values())

    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "dxtracker", "--version"], check=True,
                   capture_output=True, env=_environment())
    start_up = time.monotonic() - started
    finished = copy_db(template_db, tmp_path / "finished.sqlite3")
    started = time.monotonic()
    subprocess.run(_merge_command(finished, files), check=True, capture_output=True,
                   env=_environment())
    duration = time.monotonic() - started
    assert _check_whole_files(finished, expected) == len(files)
    reference = show(finished)

    rng = random.Random(SEED)
    partial_runs = 0
    for run in range(RUNS):
        db_path = copy_db(template_db, tmp_path / f"killed{run}.sqlite3")
        # Start-up (imports) takes a good part of `duration`: aim most kills past it.
        delay = rng.uniform(start_up * 0.8, duration)
        process = subprocess.Popen(_merge_command(db_path, files),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=_environment())
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        merged = _check_whole_files(db_path, expected)
        partial_runs += 0 < merged < len(files)
        # Merging again finishes the job: the merged files are recognised, the rest merged.
        with open_database(db_path) as db:
            assert merge_returns(db, files, backup_dir=tmp_path / "b").exit_code == 0
        assert _check_whole_files(db_path, expected) == len(files), f"run {run}, {delay=:.2f}"
        assert without_stamps(show(db_path)) == without_stamps(reference), f"run {run}"
        db_path.unlink()
    # The delays must have hit the merge itself, not only start-up or the end.
    print(f"merge of {len(files)} files: {duration:.2f} s (start-up {start_up:.2f} s); "
          f"{partial_runs} of {RUNS} kills left some files merged and some not")
    assert partial_runs > 0
