"""Merging department returns: how fast, against pandas and the floors, and how much memory.

    .venv/bin/python benchmarks/bench_merge.py [--repeat 3] [--keep DIR] [--profile] [--stages]
                                               [--cpu]

Builds the synthetic plan of benchmarks/bench_returns_io.py (about 20× the seed: 200 projects
× 5 KPIs and 3 measures, 40 departments), creates a database from it, exports all 40 returns,
fills every input cell of them (openpyxl edits, as a person in Excel), then measures in one run,
each measurement taking its turn in every round (a busy machine slows them alike):

- read_return of the 40 files alone, against its limit: the calamine floor (python-calamine
  reading every sheet of the same files, nothing else) plus the bounds check alone
  (`inspect_workbook` of each file's bytes) — goal ≤ 1.3×;
- merge: `merge_returns` of the 40 filled files into a fresh copy of the database (reading,
  validating, diffing, backing up and committing; one transaction per file) against its limit:
  reading the cells once (the calamine floor) plus storing the rows once (the store floor: the
  very rows one merge stored — data rows, audit entries, undo records, import history —
  inserted again into a fresh copy with plain sqlite3 executemany, one transaction per file,
  foreign keys on, synchronous=FULL) — goal ≤ 1.3×; and against
  `pandas.read_excel(sheet_name=None)` with the openpyxl engine merely reading them — goal
  ≤ 0.3×;
- peak resident memory (goal < 300 MB), once after the merges (before pandas is loaded) and
  once at the end;
- export: `write_return` of the 40 returns against writing the same cells with openpyxl's
  write-only mode (goal ≤ 1.5×).

Also shown: 40 bare one-row commits (the cost of one durable transaction per file). Prints
medians over `--repeat` rounds and the ratios. `--profile` prints where one merge of the 40
files spends its time; `--stages` times the merge's stages (merge_stages.py) in `--repeat`
further merges, without a profiler's overhead, next to the floors.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_returns_io import (  # noqa: E402
    bounds_all,
    calamine_all,
    cell_values,
    export_all,
    pandas_all,
    synthetic_plan,
    write_bare,
)
from merge_stages import breakdown, clocked_stages  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from dxtracker.plan.bootstrap import create_database  # noqa: E402
from dxtracker.returns import layout  # noqa: E402
from dxtracker.returns.apply import merge_returns  # noqa: E402
from dxtracker.returns.reader import read_return  # noqa: E402
from dxtracker.store.connect import open_database  # noqa: E402
from dxtracker.store.db import Database  # noqa: E402
from dxtracker.store.lookup import all_departments  # noqa: E402
from dxtracker.store.models import Meta  # noqa: E402

STATUSES = ("順調", "概ね順調", "やや遅れ", "遅れ", "完了", "未着手")


# Wall time; `--cpu` takes this process's CPU time instead, steadier on a machine busy with
# other work (it leaves out waiting: the commits' fsync, in the merge and the store floor alike).
clock = time.perf_counter


def timed(function: Callable[[], object]) -> float:
    start = clock()
    function()
    return clock() - start


def median_of(function: Callable[[], float], repeat: int) -> float:
    return statistics.median(function() for _ in range(repeat))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def fill_return(path: Path, salt: int) -> None:
    """Every input cell typed in: actuals (some with full-width digits), notes, progress."""
    book = load_workbook(path)
    kpis = book[layout.KPI_SHEET]
    for row in range(2, kpis.max_row + 1):
        figure = salt * 10 + row
        kpis[f"J{row}"].value = figure if row % 3 else f"{figure:,}".translate(_FULL_WIDTH)
        kpis[f"K{row}"].value = f"{salt}-{row}：速報値。確定値は翌年度6月に判明する見込み。"
    measures = book[layout.MEASURE_SHEET]
    for row in range(2, measures.max_row + 1):
        measures[f"F{row}"].value = STATUSES[(salt + row) % len(STATUSES)]
        measures[f"G{row}"].value = f"説明会を{row}回開催し、{salt * row}社が参加した。\n対象手続を拡大。"
        measures[f"H{row}"].value = "担当職員の不足。"
        measures[f"I{row}"].value = "外部人材を活用して継続する。"
    book.save(path)


_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def merge_once(template: Path, work: Path, paths: list[Path], run: int,
               keep: bool = False) -> tuple[float, int]:
    """One merge of every file into a fresh copy; (seconds, fields changed). With `keep`, the
    merged database stays as work/merged.sqlite3."""
    target = work / f"merge{run}.sqlite3"
    shutil.copyfile(template, target)
    with open_database(target) as db:
        start = clock()
        report = merge_returns(db, paths, backup_dir=work / f"backups{run}")
        seconds = clock() - start
    assert report.exit_code == 0, [str(e) for f in report.files for e in f.preview.errors][:3]
    changes = sum(len(f.preview.changes) for f in report.files)
    if keep:
        target.replace(work / "merged.sqlite3")
    else:
        target.unlink()
    shutil.rmtree(work / f"backups{run}", ignore_errors=True)
    return seconds, changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--profile", action="store_true", help="profile one merge run")
    parser.add_argument("--stages", action="store_true", help="time the merge's stages")
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    if args.cpu:
        global clock
        clock = time.process_time
    work = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    try:
        run(work, args.repeat, args.profile, args.stages)
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def prepare(work: Path) -> tuple[Path, list[str]]:
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(synthetic_plan(), ensure_ascii=False), encoding="utf-8")
    template = work / "template.sqlite3"
    create_database(template, plan_file).close()
    db = Database(template)
    with db.read() as session:
        names = [d.name for d in all_departments(session)]
    db.close()
    return template, names


def run(work: Path, repeat: int, profile: bool, stages: bool) -> None:
    template, names = prepare(work)
    returns, bare = work / "returns", work / "bare"
    returns.mkdir()
    bare.mkdir()
    db = Database(template)
    paths = export_all(db, returns, names)
    books = cell_values(paths)
    export_time = median_of(lambda: timed(lambda: export_all(db, returns, names)), repeat)
    bare_time = median_of(lambda: timed(lambda: write_bare(books, bare)), repeat)
    db.close()
    for salt, path in enumerate(paths, start=1):
        fill_return(path, salt)
    cells = sum(len(row) for sheets in cell_values(paths) for rows in sheets.values()
                for row in rows)
    size = sum(p.stat().st_size for p in paths)

    # Interleaved, so that a busy machine slows every contender alike.
    times: dict[str, list[float]] = {key: [] for key in (
        "merge", "read", "bounds", "calamine", "store", "commits", "pandas")}
    changes = 0
    for run in range(repeat):
        seconds, changes = merge_once(template, work, paths, run, keep=run == 0)
        times["merge"].append(seconds)
        times["read"].append(timed(lambda: read_only(template, paths)))
        times["bounds"].append(timed(lambda: bounds_all(paths)))
        times["calamine"].append(timed(lambda: calamine_all(paths)))
        times["store"].append(store_floor(template, work / "merged.sqlite3", work))
        times["commits"].append(commits_only(template, work, len(paths)))
    merge_peak = peak_mb()
    for _ in range(repeat):
        times["pandas"].append(timed(lambda: pandas_all(paths)))
    if profile:
        _profile(template, work, paths)
    median = {key: statistics.median(values) for key, values in times.items()}
    if stages:
        _stages(template, work, paths, repeat, median)
    print(f"{len(paths)} filled returns, {cells:,} cells, {size / 1e6:.1f} MB; "
          f"{changes:,} fields changed per merge; median of {repeat}")
    _print_figures(median, merge_peak, len(paths))
    print(f"export (write_return, 40 files)  {export_time:7.3f} s")
    print(f"openpyxl write-only, same cells  {bare_time:7.3f} s   export/bare  "
          f"{export_time / bare_time:5.2f}  (goal ≤ 1.5)")
    print(f"peak resident memory at the end   {peak_mb():6.0f} MB  (pandas included)")


def _print_figures(median: dict[str, float], merge_peak: float, files: int) -> None:
    read, bounds, calamine = median["read"], median["bounds"], median["calamine"]
    merge, store, pandas = median["merge"], median["store"], median["pandas"]
    print(f"read_return ({files} files)           {read:7.3f} s")
    print(f"  bounds check alone             {bounds:7.3f} s")
    print(f"  calamine floor (every sheet)   {calamine:7.3f} s")
    print(f"  read_return / (calamine floor + bounds check)   {read / (calamine + bounds):5.2f}"
          "  (goal ≤ 1.3)")
    print(f"merge (merge_returns, {files} files) {merge:7.3f} s   "
          f"({files} bare commits {median['commits']:.3f} s)")
    print(f"  store floor (plain sqlite3)    {store:7.3f} s")
    print(f"  merge / (calamine floor + store floor)          {merge / (calamine + store):5.2f}"
          "  (goal ≤ 1.3)")
    print(f"pandas.read_excel (openpyxl)     {pandas:7.3f} s")
    print(f"  merge / pandas                                  {merge / pandas:5.2f}"
          "  (goal ≤ 0.3)")
    print(f"peak resident memory after merges {merge_peak:6.0f} MB  (goal < 300)")


def commits_only(template: Path, work: Path, count: int) -> float:
    """The floor of one durable transaction per file: `count` one-row commits."""
    target = work / "commits.sqlite3"
    shutil.copyfile(template, target)
    with open_database(target) as db:
        start = clock()
        for number in range(count):
            with db.transaction() as session:
                session.add(Meta(key=f"bench-{number}", value=""))
        seconds = clock() - start
    target.unlink()
    return seconds


# What a merge stores, table by table in the order foreign keys need, and how each row finds
# its file's import: by the import's id, its department or its file name (the audit entry's
# source detail).
_STORED = (("merge_run", None), ("return_import", "id"), ("kpi_actual", "department_id"),
           ("measure_progress", "department_id"), ("audit_entry", "source_detail"),
           ("merge_change", "import_id"), ("revision_proposal", "import_id"))


def store_floor(template: Path, merged: Path, work: Path) -> float:
    """Insert the rows `merged` gained over `template` into a fresh copy of `template` with
    plain sqlite3, one transaction per file (the first also holds the run): what storing them
    costs SQLite alone, with the database's own settings (journal, synchronous=FULL, foreign
    keys and indexes)."""
    target = work / "store.sqlite3"
    shutil.copyfile(template, target)
    source = sqlite3.connect(merged)
    imports = source.execute("SELECT id, department_id, file_name FROM return_import"
                             " ORDER BY id").fetchall()
    by_import = {i: i for i, _, _ in imports}
    file_of = {"id": by_import, "import_id": by_import,
               "department_id": {d: i for i, d, _ in imports},
               "source_detail": {f: i for i, _, f in imports}}
    before = sqlite3.connect(template)
    batches: dict[int, list[tuple[str, list[tuple[object, ...]]]]] = {
        i: [] for i, _, _ in imports}
    for table, key in _STORED:
        last = before.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        cursor = source.execute(f"SELECT * FROM {table} WHERE id > ? ORDER BY id", (last,))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        grouped: dict[int, list[tuple[object, ...]]] = {}
        for row in rows:
            owner = imports[0][0] if key is None else file_of[key][row[names.index(key)]]
            grouped.setdefault(owner, []).append(row)
        for owner, owned in grouped.items():
            batches[owner].append((sql, owned))
    before.close()
    source.close()
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA synchronous=FULL")
    start = clock()
    for statements in batches.values():
        con.execute("BEGIN IMMEDIATE")
        for sql, rows in statements:
            con.executemany(sql, rows)
        con.execute("COMMIT")
    seconds = clock() - start
    con.close()
    target.unlink()
    return seconds


def read_only(template: Path, paths: list[Path]) -> None:
    """The reading part of a merge alone: `read_return` of every file."""
    with open_database(template) as db, db.read() as session:
        for path in paths:
            read_return(path, session)


def _stages(template: Path, work: Path, paths: list[Path], repeat: int,
            median: dict[str, float]) -> None:
    runs = []
    for run in range(repeat):
        with clocked_stages(clock) as seconds:
            total, _ = merge_once(template, work, paths, 100 + run)
        runs.append(breakdown(total, seconds))
    print(f"stages of a merge (median of {repeat} more merges, seconds)")
    for index, (name, _) in enumerate(runs[0]):
        print(f"  {name:32s} {statistics.median(r[index][1] for r in runs):7.3f}")
    print(f"  {'(calamine floor, every sheet)':32s} {median['calamine']:7.3f}")
    print(f"  {'(store floor)':32s} {median['store']:7.3f}")


def _profile(template: Path, work: Path, paths: list[Path]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    merge_once(template, work, paths, 99)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
