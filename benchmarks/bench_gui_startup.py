"""Desktop app startup: process start → main window shown and idle, against a minimal window.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_startup.py [--runs 7]

Each run is a fresh process; the time is taken in this script from spawning the process to
reading the line the process prints when its event loop first becomes idle. The app prints
three marks (`dxtracker-gui --benchmark-startup`):
  shown   the window is on screen with menus and a "loading" note (the plan loads on the
          worker thread);
  loaded  the plan is in: navigation tree filled, home page (project view) drawn, usable;
  pages   every registered page's button is there (their modules imported on the worker).
The baseline is a minimal PySide6 process showing an empty QMainWindow and quitting when idle.
Runs are interleaved (minimal, embedded plan, 100× plan) so that load on the machine hits
them alike; medians are printed with the ratios to the minimal window. Every run uses compiled
bytecode, as an installed app does (in a cache folder of this run, filled by the warm-up runs),
even where PYTHONDONTWRITEBYTECODE is set.
Goals (issue 4): ≤ 1.5× on the embedded plan, ≤ 2× on the 100× plan.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MINIMAL_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""
MARKS = ("shown", "loaded", "pages")


def scaled_plan(factor: int) -> dict:
    """The embedded plan with its projects repeated `factor` times (new codes and numbers)."""
    from dxtracker.store.paths import default_plan_path

    data = json.loads(default_plan_path().read_text(encoding="utf-8"))
    originals = [[json.dumps(p, ensure_ascii=False) for p in v["projects"]]
                 for v in data["visions"]]
    number = 0
    for vision, projects in zip(data["visions"], originals, strict=True):
        vision["projects"] = []
        for copy in range(factor):
            for text in projects:
                number += 1
                old_code = json.loads(text)["code"]
                project = json.loads(text.replace(f'"{old_code}', f'"X{number:04d}'))
                project["number"] = number
                if copy:
                    project["title"] += f"（複製{copy}）"
                vision["projects"].append(project)
    data["plan"]["code"] += f"-x{factor}"
    return data


def make_databases(folder: Path) -> dict[str, Path]:
    from dxtracker.plan.bootstrap import create_database

    embedded = folder / "embedded.sqlite3"
    create_database(embedded).close()
    plan_file = folder / "plan_x100.json"
    plan_file.write_text(json.dumps(scaled_plan(100), ensure_ascii=False), encoding="utf-8")
    big = folder / "x100.sqlite3"
    started = time.perf_counter()
    create_database(big, plan_file).close()
    print(f"(created the 100× plan database in {time.perf_counter() - started:.1f} s)")
    return {"embedded plan": embedded, "100× plan": big}


def timed_run(command: list[str], pycache: Path) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           # Bytecode as an installed app has it (pip and PyInstaller compile it): without
           # this, PYTHONDONTWRITEBYTECODE=1 in the environment would have every run compile
           # the app's modules from source, a cost no user pays. Written to a folder of this
           # run (the warm-up fills it), so the tree is left alone.
           "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env, cwd=ROOT)
    marks: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        name = line.split()[0] if line.strip() else ""
        if name in MARKS:
            marks[name] = time.perf_counter() - started
    if process.wait() != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}")
    return marks


def app_command(db: Path, settings: Path) -> list[str]:
    return [sys.executable, "-m", "ui", "--db", str(db), "--settings", str(settings),
            "--department", "headquarters", "--benchmark-startup"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        databases = make_databases(folder)
        settings = folder / "settings.json"
        commands = {"minimal window": [sys.executable, "-c", MINIMAL_WINDOW]}
        commands.update({name: app_command(db, settings) for name, db in databases.items()})
        pycache = folder / "pycache"
        for command in commands.values():
            timed_run(command, pycache)  # warm-up: file cache, .pyc files
        results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                results[name].append(timed_run(command, pycache))
    report(results, args.runs)


def report(results: dict[str, list[dict[str, float]]], runs: int) -> None:
    minimal = statistics.median(r["shown"] for r in results["minimal window"])
    print(f"medians over {runs} runs (seconds from process start; ratio to the minimal window)")
    print(f"  {'minimal window':16} shown  {minimal:6.3f}")
    goals = {"embedded plan": 1.5, "100× plan": 2.0}
    for name, goal in goals.items():
        for mark in MARKS:
            median = statistics.median(r[mark] for r in results[name])
            print(f"  {name:16} {mark:6} {median:6.3f}  {median / minimal:5.2f}×"
                  f"  (goal ≤ {goal}×)")


if __name__ == "__main__":
    main()
