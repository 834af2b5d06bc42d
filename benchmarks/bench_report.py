"""The consolidated report: how fast, against what yardstick, and how it grows.

    .venv/bin/python benchmarks/bench_report.py [--repeat 5] [--repeat-large 2] [--scale 100]
                                                [--keep DIR]

Measures in one run (medians of `--repeat` runs, the two kinds interleaved so that machine
load hits both alike):

- the report for the embedded plan (`build_report_data` + `write_report`: every KPI chart,
  the two overview charts, the workbook, the atomic save) against rendering the same number
  of bare matplotlib line charts (a new Figure each, same size and dpi, 4 points, PNG to
  memory) — goal ≤ 1.5×;
- the same report for a plan `--scale`× the seed (the seed's projects repeated, written in
  docs/plan-format.md's format and loaded with `create_database`): seconds per KPI at 1× and
  at scale, and their ratio — goal: time growing no faster than linearly (ratio ≤ ~1).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dxtracker.plan.bootstrap import create_database
from dxtracker.report.charts import KPI_DPI, KPI_FIGSIZE
from dxtracker.report.summary import build_report_data
from dxtracker.report.workbook import write_report
from dxtracker.store.paths import default_plan_path


def scaled_plan(factor: int) -> dict:
    """The seed plan with every vision's projects repeated `factor` times (new numbers and
    codes; figures, revisions, schedules and texts as in the seed)."""
    plan = json.loads(default_plan_path().read_text(encoding="utf-8"))
    seed_projects = sum(len(v["projects"]) for v in plan["visions"])
    for vision in plan["visions"]:
        originals = vision["projects"]
        vision["projects"] = []
        for copy_index in range(factor):
            for project in originals:
                vision["projects"].append(_renumbered(project, copy_index * seed_projects))
    return plan


def _renumbered(project: dict, offset: int) -> dict:
    clone = copy.deepcopy(project)
    clone["number"] = project["number"] + offset
    clone["code"] = f"P{clone['number']:04d}"
    for kpi in clone["kpis"]:
        kpi["code"] = f"{clone['code']}-{kpi['code'].split('-')[-1]}"
    for measure in clone["measures"]:
        measure["code"] = f"{clone['code']}-{measure['code'].split('-')[-1]}"
    return clone


def report_once(db_path: Path, out: Path) -> tuple[float, int]:
    """Seconds for the whole report, and the number of charts it drew."""
    from dxtracker.store.connect import open_database

    started = time.perf_counter()
    with open_database(db_path) as db:
        with db.read() as session:
            data = build_report_data(session)
        result = write_report(data, out)
    return time.perf_counter() - started, result.charts


def bare_charts(count: int) -> float:
    started = time.perf_counter()
    for index in range(count):
        figure = Figure(figsize=KPI_FIGSIZE, dpi=KPI_DPI)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        ax.plot([0, 1, 2, 3], [index, index + 3, index + 1, index + 4])
        figure.savefig(io.BytesIO(), format="png")
    return time.perf_counter() - started


def kpi_count(plan: dict) -> int:
    return sum(len(p["kpis"]) for v in plan["visions"] for p in v["projects"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeat-large", type=int, default=2)
    parser.add_argument("--scale", type=int, default=100, help="0: skip the large plan")
    parser.add_argument("--keep", type=Path, help="keep the databases and reports here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_report_"))
    try:
        run(work, args)
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args: argparse.Namespace) -> None:
    seed_db = work / "seed.sqlite3"
    create_database(seed_db).close()
    seed_kpis = kpi_count(scaled_plan(1))
    report_once(seed_db, work / "warmup.xlsx")  # font cache, imports
    bare_charts(3)
    reports, bares, charts = [], [], 0
    for _ in range(args.repeat):
        seconds, charts = report_once(seed_db, work / "seed.xlsx")
        reports.append(seconds)
        bares.append(bare_charts(charts))
    report_1x, bare_1x = statistics.median(reports), statistics.median(bares)
    print(f"embedded plan: {seed_kpis} KPIs, {charts} charts, {args.repeat} runs (medians)")
    print(f"  report (data + charts + workbook + save): {report_1x:.3f} s")
    print(f"  {charts} bare matplotlib line charts to PNG:  {bare_1x:.3f} s")
    print(f"  ratio report / bare charts: {report_1x / bare_1x:.2f}  (goal ≤ 1.5)")
    if args.scale <= 1:
        return

    plan = scaled_plan(args.scale)
    plan_file = work / f"plan_{args.scale}x.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    big_db = work / f"plan_{args.scale}x.sqlite3"
    started = time.perf_counter()
    create_database(big_db, plan_file).close()
    print(f"\n{args.scale}× plan: {kpi_count(plan)} KPIs, "
          f"{sum(len(v['projects']) for v in plan['visions'])} projects "
          f"(database created in {time.perf_counter() - started:.1f} s)")
    big = [report_once(big_db, work / f"plan_{args.scale}x.xlsx")[0]
           for _ in range(args.repeat_large)]
    report_big = statistics.median(big)
    per_kpi_1x, per_kpi_big = report_1x / seed_kpis, report_big / kpi_count(plan)
    print(f"  report: {report_big:.1f} s (median of {args.repeat_large})")
    print(f"  per KPI: 1× {per_kpi_1x * 1000:.1f} ms, {args.scale}× {per_kpi_big * 1000:.1f} ms,"
          f" ratio {per_kpi_big / per_kpi_1x:.2f}  (goal: ≤ ~1, linear)")


if __name__ == "__main__":
    main()
