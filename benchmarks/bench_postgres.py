"""PostgreSQL against SQLite, measured in one run.

    .venv/bin/python benchmarks/bench_postgres.py [--repeat 5] [--profile] [--writers 10]
                                                   [--actuals 100] [--only merge|writers]

Starts its own throwaway PostgreSQL cluster (tests/postgres.py), durable as a real server
(fsync, synchronous_commit and full_page_writes on), on the same disk as the SQLite files, and
connects over TCP (127.0.0.1), as the app does to a server. Then:

- merge: `merge_returns` of the 40 filled returns of bench_merge.py (its synthetic plan, about
  20× the seed) into a fresh copy of the database, the SQLite file as the app runs it against a
  database on the server, interleaved round by round — goal: PostgreSQL ≤ 2× SQLite;
- writers: `--writers` processes (10), each entering `--actuals` (100) actuals with
  `set_actual`, one transaction each, all at once into the server database (and, for
  comparison, into a SQLite file): every value is read back afterwards — goal: 0 lost, 0
  unexplained errors; prints the throughput.

`--profile` prints where one merge into PostgreSQL spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_merge import fill_return, prepare  # noqa: E402
from bench_returns_io import export_all  # noqa: E402
from sqlalchemy import select  # noqa: E402

from dxtracker.errors import DxTrackerError  # noqa: E402
from dxtracker.figures.entry import set_actual  # noqa: E402
from dxtracker.returns.apply import merge_returns  # noqa: E402
from dxtracker.store.connect import open_database  # noqa: E402
from dxtracker.store.copy import copy_whole_database  # noqa: E402
from dxtracker.store.db import Database  # noqa: E402
from dxtracker.store.models import Department, Kpi, KpiActual, kpi_reporting_department  # noqa: E402
from tests.postgres import PgCluster  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
YEARS = (2021, 2022, 2023)
Cell = tuple[str, str, int, str]  # KPI code, department, fiscal year, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile one merge into PostgreSQL")
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--actuals", type=int, default=100, help="actuals entered per writer")
    parser.add_argument("--only", choices=("merge", "writers"), help="measure one part only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    try:
        with PgCluster(settings=DURABLE, base_dir=tempfile.gettempdir()) as pg:
            template, paths = prepared(work)
            pg.create_database("tmpl")
            copy_whole_database(template, pg.url("tmpl", tcp=True))
            if args.only != "writers":
                merges(pg, template, work, paths, args.repeat, args.profile)
            if args.only != "merge":
                writers(pg, template, work, args.writers, args.actuals)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def prepared(work: Path) -> tuple[Path, list[Path]]:
    """bench_merge.py's database and its 40 returns, filled."""
    template, names = prepare(work)
    folder = work / "returns"
    folder.mkdir()
    with Database(template) as db:
        paths = export_all(db, folder, names)
    for salt, path in enumerate(paths, start=1):
        fill_return(path, salt)
    return template, paths


# --------------------------------------------------------------------------- merges

def merge_into(db: Database, paths: list[Path], work: Path) -> tuple[float, int]:
    start = time.perf_counter()
    report = merge_returns(db, paths, backup_dir=work / "backups")
    seconds = time.perf_counter() - start
    assert report.exit_code == 0, [str(e) for f in report.files for e in f.preview.errors][:3]
    shutil.rmtree(work / "backups", ignore_errors=True)
    return seconds, sum(len(f.preview.changes) for f in report.files)


def sqlite_merge(template: Path, work: Path, paths: list[Path]) -> tuple[float, int]:
    target = work / "merge.sqlite3"
    shutil.copyfile(template, target)
    try:
        with open_database(target) as db:
            return merge_into(db, paths, work)
    finally:
        target.unlink()


def server_merge(pg: PgCluster, work: Path, paths: list[Path], run: int,
                 template: str = "tmpl") -> tuple[float, int]:
    name = f"merge{run}"
    pg.create_database(name, template=template)
    try:
        with open_database(pg.url(name, tcp=True)) as db:
            return merge_into(db, paths, work)
    finally:
        pg.drop_database(name)


def merges(pg: PgCluster, template: Path, work: Path, paths: list[Path], repeat: int,
           profile: bool) -> None:
    # Diagnosis only: the same database without the undo records' three foreign keys, whose
    # per-row checks are the largest part of the server's work left (--profile).
    pg.create_database("unchecked", template="tmpl")
    pg.execute("ALTER TABLE merge_change " + ", ".join(
        f"DROP CONSTRAINT fk_merge_change_{key}" for key in (
            "run_id_merge_run", "import_id_return_import", "department_id_department")),
        "unchecked")
    times: dict[str, list[float]] = {"sqlite": [], "postgresql": [], "unchecked": []}
    changes = 0
    for run in range(repeat):  # interleaved: a busy machine slows both alike
        seconds, changes = sqlite_merge(template, work, paths)
        times["sqlite"].append(seconds)
        seconds, server_changes = server_merge(pg, work, paths, run)
        times["postgresql"].append(seconds)
        times["unchecked"].append(server_merge(pg, work, paths, run, "unchecked")[0])
        assert server_changes == changes
    lite, server, unchecked = (statistics.median(times[k])
                               for k in ("sqlite", "postgresql", "unchecked"))
    print(f"merge of {len(paths)} returns ({changes:,} fields changed), median of {repeat}:")
    print(f"  SQLite file (WAL, synchronous=FULL)       {lite:7.3f} s")
    print(f"  PostgreSQL (durable, TCP 127.0.0.1)       {server:7.3f} s"
          f"   PostgreSQL / SQLite {server / lite:5.2f}  (goal ≤ 2)")
    print(f"    diagnosis: without merge_change's 3 foreign keys {unchecked:7.3f} s"
          f"   {unchecked / lite:5.2f}")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        server_merge(pg, work, paths, 99)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


# --------------------------------------------------------------------------- writers

def cells_of(template: Path, writers: int, actuals: int) -> list[list[Cell]]:
    """For each writer, `actuals` cells (KPI reported by one department, fiscal year) of its
    own: nobody writes another's cell."""
    with Database(template) as db, db.read() as session:
        pairs = session.execute(
            select(Kpi.code, Department.name).join(kpi_reporting_department,
                                                   kpi_reporting_department.c.kpi_id == Kpi.id)
            .join(Department, Department.id == kpi_reporting_department.c.department_id)
            .order_by(Kpi.id)).all()
    every = [(code, dept, year) for year in YEARS for code, dept in pairs]
    needed = writers * actuals
    assert len(every) >= needed, f"the plan has {len(every)} cells a department reports alone"
    return [[(code, dept, year, f"{w * 1000 + i:,}") for i, (code, dept, year) in
             enumerate(every[w:needed:writers])] for w in range(writers)]


def _write(location: str, cells: list[Cell], start: object, results: object) -> None:
    """One writer (a process of its own, as another person's app)."""
    errors: list[str] = []
    with open_database(location) as db:
        start.wait()  # type: ignore[attr-defined]
        began = time.perf_counter()
        for code, department, year, value in cells:
            try:
                set_actual(db, code, year, value, department=department, note="入力")
            except DxTrackerError as exc:
                errors.append(str(exc))
        results.put((began, time.perf_counter(), errors))  # type: ignore[attr-defined]


def run_writers(location: str, cells: list[list[Cell]]) -> tuple[float, list[str]]:
    """All writers at once; (seconds from the start signal to the last commit, errors)."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=_write, args=(location, mine, start, results))
                 for mine in cells]
    for process in processes:
        process.start()
    time.sleep(1.0)  # every writer has opened its database and waits
    signal = time.perf_counter()
    start.set()
    outcomes = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return max(end for _, end, _ in outcomes) - signal, [e for *_, es in outcomes for e in es]


def lost(location: str, cells: list[list[Cell]]) -> int:
    """Entered values not found as entered."""
    with Database(location) as db, db.read() as session:
        stored = {(code, dept, year): value for code, dept, year, value in session.execute(
            select(Kpi.code, Department.name, KpiActual.fiscal_year, KpiActual.value)
            .join(KpiActual.kpi).join(KpiActual.department))}
    return sum(stored.get(cell[:3]) != cell[3] for mine in cells for cell in mine)


def writers(pg: PgCluster, template: Path, work: Path, count: int, actuals: int) -> None:
    cells = cells_of(template, count, actuals)
    file = work / "writers.sqlite3"
    shutil.copyfile(template, file)
    pg.create_database("writers", template="tmpl")
    targets: dict[str, str] = {"PostgreSQL": pg.url("writers", tcp=True), "SQLite": str(file)}
    total = count * actuals
    print(f"{count} writers at once, {actuals} actuals each ({total:,} transactions):")
    for label, location in targets.items():
        seconds, errors = run_writers(location, cells)
        missing = lost(location, cells)
        print(f"  {label:10s} {seconds:6.2f} s  {total / seconds:7.0f} actuals/s   "
              f"lost {missing}, errors {len(errors)}  (goal: 0 lost, 0 unexplained errors)")
        for error in errors[:3]:
            print(f"    {error}")


if __name__ == "__main__":
    main()
