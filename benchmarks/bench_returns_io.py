"""Return workbooks, writing and reading: how fast, against what floor.

    .venv/bin/python benchmarks/bench_returns_io.py [--repeat 3] [--keep DIR]

Builds a synthetic plan about 20× the seed (200 projects × 5 KPIs and 3 measures,
40 departments, every 25th KPI and 30th measure reported by 全部局), then measures in one run:

- export: `write_return` for all 40 departments (database reads included) against writing
  the very same cell values (every sheet, metadata included) with openpyxl's write-only mode
  and no styles — goal ≤ 1.5×;
- read: `read_return` for the 40 files (bounds, parsing and validation) against
  `pandas.read_excel(sheet_name=None)` with the openpyxl engine — goal ≤ 0.5× — and against
  its limit: the calamine floor (python-calamine reading every sheet of the same files, nothing
  else) plus the bounds check alone (`inspect_workbook`) — goal ≤ 1.3×.

Prints medians (seconds for all 40 files; the measurements take turns in each round, so that
other work on the machine slows them alike), ratios and the peak resident memory.
Merging is measured by benchmarks/bench_merge.py, which reuses this script's plan and helpers
(`synthetic_plan`, `export_all`, `cell_values`, `write_bare`, `pandas_all`, `calamine_all`,
`bounds_all`).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl
from python_calamine import CalamineWorkbook

from dxtracker.files.xlsx_bounds import inspect_workbook
from dxtracker.plan.bootstrap import create_database
from dxtracker.returns import layout, read_return, write_return
from dxtracker.store.db import Database
from dxtracker.store.lookup import all_departments

FY = 2022
DEPARTMENTS = 40
PROJECTS = 200
UNITS = ["件", "%", "人", "台", "時間", "ha", "千件"]


def synthetic_plan() -> dict:
    names = [f"第{i:02d}部" for i in range(1, DEPARTMENTS + 1)]
    visions = []
    for v in range(5):
        projects = []
        for p in range(v * 40, v * 40 + 40):
            projects.append(_project(p, names))
        visions.append({"number": v + 1, "title": f"ビジョン{v + 1}：デジタルで豊かな暮らし",
                        "projects": projects})
    return {
        "format": "dxtracker-plan", "format_version": 1,
        "plan": {"code": "synthetic-20x", "title": "合成計画（シードの約20倍）",
                 "organisation": "ベンチマーク県", "source": "", "edition": 1,
                 "edition_label": "", "baseline_fiscal_year": 2020,
                 "first_fiscal_year": 2021, "last_fiscal_year": 2023, "notes": []},
        "departments": [{"code": f"D{i:02d}", "name": n} for i, n in enumerate(names, 1)],
        "visions": visions,
    }


def _project(p: int, names: list[str]) -> dict:
    kpis, measures = [], []
    for k in range(5):
        n = p * 5 + k
        every = n % 25 == 0
        kpis.append({
            "code": f"P{p + 1:03d}-K{k + 1}", "name": f"指標{n}：オンラインで完結する手続の数（累計）",
            "unit": UNITS[n % len(UNITS)], "cumulative": False, "direction": "higher",
            "is_new": False, "note": "", "aggregation": "sum" if every else "single",
            "reporting_departments": ["全部局"] if every else [names[n % DEPARTMENTS]],
            "baseline": f"{n * 7 % 1000:,}",
            "targets": {"2021": f"{n % 900 + 100:,}", "2022": f"{n % 900 + 200:,}",
                        "2023": f"{n % 900 + 300:,}"},
            "target_notes": {}, "actuals": {} if every else {"2021": f"{n % 900 + 90:,}"},
            "actual_notes": {}, "revisions": [],
        })
    for m in range(3):
        n = p * 3 + m
        every = n % 30 == 0
        responsible = ["全部局"] if every else sorted(
            {names[n % DEPARTMENTS], names[(n * 7 + 3) % DEPARTMENTS]})
        measures.append({
            "code": f"P{p + 1:03d}-M{m + 1}", "number": m + 1, "is_new": False,
            "title": f"施策{n}：行政手続のオンライン化と窓口の見直し", "items": ["各所属で推進する。"],
            "departments": responsible,
            "schedule": [{"from": fy, "to": fy, "text": f"{fy}年度：対象手続を{n % 50 + 10}件拡大し、"
                          "利用者アンケートで効果を検証する。"} for fy in (2021, 2022, 2023)],
            "attention_points": "", "response_policy": "",
        })
    return {"number": p + 1, "code": f"P{p + 1:03d}", "title": f"プロジェクト{p + 1}",
            "lead_department": names[p % DEPARTMENTS], "future_picture": [],
            "kpis": kpis, "measures": measures}


def median_time(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(functions: dict[str, Callable[[], object]],
                        repeat: int) -> dict[str, float]:
    """Median time of each function, the functions taking turns in every round, so that a
    machine busy with other work slows all of them alike (the ratios are what matter)."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def export_all(db: Database, folder: Path, names: list[str]) -> list[Path]:
    with db.read() as session:
        return [write_return(session, name, FY, directory=folder).path for name in names]


def read_all(db: Database, paths: list[Path]) -> None:
    with db.read() as session:
        for path in paths:
            parsed = read_return(path, session)
            assert parsed.ok, parsed.problems[:3]


def cell_values(paths: list[Path]) -> list[dict[str, list[list]]]:
    """The values every exported workbook holds, sheet by sheet (to write them bare)."""
    books = []
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        books.append({name: book.get_sheet_by_name(name).to_python()
                      for name in book.sheet_names})
    return books


def write_bare(books: list[dict[str, list[list]]], folder: Path) -> None:
    for number, sheets in enumerate(books):
        workbook = openpyxl.Workbook(write_only=True)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append([None if v == "" else v for v in row])
        workbook.save(folder / f"bare{number}.xlsx")


def pandas_all(paths: list[Path]) -> None:
    import pandas

    for path in paths:
        pandas.read_excel(path, sheet_name=None, engine="openpyxl")


def calamine_all(paths: list[Path]) -> None:
    """The calamine floor: python-calamine reading every sheet of the files, nothing else (the
    call the reader makes for a sheet)."""
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)


# The sheets `read_return` bounds and parses (記入方法 is bounded, never parsed).
READ_SHEETS = (layout.META_SHEET, *layout.SHEET_KEYS.values())


def bounds_all(paths: list[Path]) -> None:
    """The bounds check alone: each file read into memory and checked as `read_return` does."""
    for path in paths:
        inspect_workbook(path.read_bytes(), READ_SHEETS)


def run_in_work_folder(doc: str, prefix: str, run: Callable[[Path, int], None],
                       repeat: int) -> None:
    """The command line of a benchmark that takes only `--repeat`: `run(folder, repeat)` in a
    temporary folder, removed afterwards."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=repeat)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        run(work, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-returns-"))
    try:
        run(work, args.repeat)
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, repeat: int) -> None:
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(synthetic_plan(), ensure_ascii=False), encoding="utf-8")
    db = create_database(work / "bench.sqlite3", plan_file)
    with db.read() as session:
        names = [d.name for d in all_departments(session)]
    returns, bare = work / "returns", work / "bare"
    returns.mkdir()
    bare.mkdir()
    paths = export_all(db, returns, names)
    books = cell_values(paths)
    cells = sum(len(row) for sheets in books for rows in sheets.values() for row in rows)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} returns, {cells:,} cells, {size / 1e6:.1f} MB; median of {repeat}")

    pandas_all(paths[:1])  # import pandas before timing it
    medians = interleaved_medians({
        "export": lambda: export_all(db, returns, names),
        "bare": lambda: write_bare(books, bare),
        "read": lambda: read_all(db, paths),
        "pandas": lambda: pandas_all(paths),
        "calamine": lambda: calamine_all(paths),
        "bounds": lambda: bounds_all(paths),
    }, repeat)
    db.close()
    export_time, bare_time, read_time, pandas_time, calamine_time, bounds_time = (
        medians[name] for name in ("export", "bare", "read", "pandas", "calamine", "bounds"))

    print(f"export (write_return)            {export_time:7.3f} s")
    print(f"openpyxl write-only, bare cells  {bare_time:7.3f} s   ratio {export_time / bare_time:.2f}"
          "  (goal ≤ 1.5)")
    print(f"read (read_return)               {read_time:7.3f} s")
    print(f"pandas.read_excel (openpyxl)     {pandas_time:7.3f} s   ratio {read_time / pandas_time:.2f}"
          "  (read_return / pandas)")
    print(f"calamine floor (every sheet)     {calamine_time:7.3f} s")
    print(f"bounds check alone               {bounds_time:7.3f} s   read_return / (calamine "
          f"floor + bounds) {read_time / (calamine_time + bounds_time):.2f}  (goal ≤ 1.3)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory             {peak:7.0f} MB")


if __name__ == "__main__":
    main()
