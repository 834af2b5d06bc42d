"""Desktop app: every page usable, from process start, against a bare window — in one run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_startup.py [--runs 5]
        [--pages project,dashboard] [--views hq,department] [--plans embedded,x100]

Each run is a fresh process; the time is taken in this script from spawning the process to
reading the line the process prints at a mark.

The bare window (the floor) is a minimal PySide6 process: a QMainWindow with the app's own menu
bar (every menu, submenu and action with its text and shortcut), its toolbar (fiscal-year
selector, one button per page) and a status bar, read from the real main window before the
runs; it is shown, painted (`repaint()`), and its time is taken when the event loop is next
idle. No plan, no database, no page. A second reference, the **store floor**, is the same bare
window that then opens the database (SQLAlchemy and the models imported, the schema checked)
and reads the plan's title, years and departments, as any page must before it shows data: the
least any page of this app can cost while the database is read through SQLAlchemy.

The app is started once per page and view (`dxtracker-gui --benchmark-startup`), with that page
as the page the user left off on (`last_page` in a settings file), so it opens on it. A page is
**usable** (the "usable" mark, the same rule for every page) when:
  - it is the window's current page (constructed, its `refresh()` run),
  - no background work is pending (`ctx.tasks` idle: its data, loaded on the worker where the
    page does so, has arrived and is shown),
  - the window has been painted since (`repaint()`),
  - and the event loop is idle again.
Views: headquarters (`--department headquarters`) and the first department of the plan, each
on every page available to it (ui/pages/__init__.py PAGES). Plans: the embedded plan and the
100× plan (the embedded plan's projects repeated 100 times with new codes: ~1,000 projects).

Runs are interleaved (every configuration once, then again) so that load on the machine hits
them alike; medians are printed with their ratio to the bare window. Every run uses compiled
bytecode, as an installed app does (in a cache folder of this run, filled by the warm-up runs),
even where PYTHONDONTWRITEBYTECODE is set. Also printed: "shown" (the window first idle with
its "loading" note) and "pages" (every page's button there).
Goals (issue 14): every page ≤ 1.5× the bare window on the embedded plan, ≤ 2× on the 100× plan.
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

BARE_WINDOW = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMainWindow, QMenu, QToolBar
spec = json.loads(sys.argv[1])
app = QApplication(sys.argv[:1])
window = QMainWindow()

def fill(menu, entries):
    for entry in entries:
        if entry is None:
            menu.addSeparator()
        elif isinstance(entry, dict):
            fill(menu.addMenu(entry["title"]), entry["entries"])
        else:
            action = QAction(entry[0], window)
            action.setShortcut(QKeySequence(entry[1]))
            menu.addAction(action)

for menu in spec["menus"]:
    fill(window.menuBar().addMenu(menu["title"]), menu["entries"])
toolbar = QToolBar(window)
toolbar.addWidget(QLabel(spec["year_label"]))
combo = QComboBox()
combo.addItems(spec["years"])
toolbar.addWidget(combo)
toolbar.addSeparator()
for text in spec["toolbar"]:
    toolbar.addAction(QAction(text, window))
window.addToolBar(toolbar)
window.setCentralWidget(QLabel())
for text in spec["status"]:
    window.statusBar().addPermanentWidget(QLabel(text))
window.setWindowTitle(spec["title"])
window.resize(1280, 800)
window.show()

def painted():
    window.repaint()
    if len(sys.argv) > 2:  # the store floor: also open the database and read from it
        from dxtracker.plan.bootstrap import open_or_create
        from ui.context import read_plan_facts
        db = open_or_create(sys.argv[2])
        window.setWindowTitle(read_plan_facts(db).title)
        db.close()
        window.repaint()
    QTimer.singleShot(0, lambda: (print("usable", flush=True), app.quit()))

QTimer.singleShot(0, painted)
app.exec()
"""
MARKS = ("shown", "loaded", "usable", "pages")
GOALS = {"embedded": 1.5, "x100": 2.0}
PLAN_NAMES = {"embedded": "embedded plan", "x100": "100× plan"}


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


def make_databases(folder: Path, plans: list[str]) -> dict[str, Path]:
    from dxtracker.plan.bootstrap import create_database

    databases = {}
    if "embedded" in plans:
        databases["embedded"] = folder / "embedded.sqlite3"
        create_database(databases["embedded"]).close()
    if "x100" in plans:
        plan_file = folder / "plan_x100.json"
        plan_file.write_text(json.dumps(scaled_plan(100), ensure_ascii=False), encoding="utf-8")
        databases["x100"] = folder / "x100.sqlite3"
        started = time.perf_counter()
        create_database(databases["x100"], plan_file).close()
        print(f"(created the 100× plan database in {time.perf_counter() - started:.1f} s)")
    return databases


def window_facts(db_path: Path, settings_path: Path) -> tuple[dict, str, dict[str, list[str]]]:
    """From the real main window (headquarters): its menus and toolbar for the bare window, the
    first department, and the pages each view offers."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ctx = AppContext(_open(db_path), Settings(path=settings_path))
    ctx.set_department(None)
    window = MainWindow(ctx)
    spec = {"menus": [{"title": a.menu().title(), "entries": _entries(a.menu())}
                      for a in window.menuBar().actions() if a.menu()],
            "toolbar": [a.text() for a in window.toolbar.actions() if a.text()],
            "year_label": window.fiscal_year_label.text(),
            "years": [window.fiscal_year_combo.itemText(i)
                      for i in range(window.fiscal_year_combo.count())],
            "status": [window.role_label.text(), window.db_label.text(),
                       window.save_label.text()],
            "title": window.windowTitle()}
    department = ctx.departments[0]
    views = {"hq": [k for k, c in window.classes.items() if c.available_to(ctx)]}
    ctx.set_department(department)
    views["department"] = [k for k, c in window.classes.items() if c.available_to(ctx)]
    window.deleteLater()
    ctx.db.close()
    app.processEvents()
    return spec, department, views


def _open(db_path: Path):  # type: ignore[no-untyped-def]
    from dxtracker.plan.bootstrap import open_or_create

    return open_or_create(db_path)


def _entries(menu) -> list:  # type: ignore[no-untyped-def]
    entries: list = []
    for action in menu.actions():
        if action.isSeparator():
            entries.append(None)
        elif action.menu():
            entries.append({"title": action.menu().title(), "entries": _entries(action.menu())})
        else:
            entries.append([action.text(), action.shortcut().toString()])
    return entries


def timed_run(command: list[str], pycache: Path) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           # Bytecode as an installed app has it (pip and PyInstaller compile it): without
           # this, PYTHONDONTWRITEBYTECODE=1 in the environment would have every run compile
           # the app's modules from source, a cost no user pays. Written to a folder of this
           # run (the warm-up fills it), so the tree is left alone.
           "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=ROOT)
    marks: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        name = line.split()[0] if line.strip() else ""
        if name in MARKS:
            marks[name] = time.perf_counter() - started
    if process.wait() != 0 or "usable" not in marks:
        error = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"{command} exited with {process.returncode}: {error[-2000:]}")
    return marks


def app_command(db: Path, settings: Path, department: str) -> list[str]:
    return [sys.executable, "-m", "ui", "--db", str(db), "--settings", str(settings),
            "--department", department, "--benchmark-startup"]


def configurations(folder: Path, args: argparse.Namespace) -> dict[tuple[str, ...], list[str]]:
    """(plan, view, page) → the command that starts the app on that page; ("bare",) too."""
    databases = make_databases(folder, args.plans)
    spec, department, views = window_facts(next(iter(databases.values())),
                                           folder / "facts.json")
    bare = [sys.executable, "-c", BARE_WINDOW, json.dumps(spec, ensure_ascii=False)]
    commands: dict[tuple[str, ...], list[str]] = {("bare",): bare}
    commands.update({("floor", plan): [*bare, str(db)] for plan, db in databases.items()})
    for plan, db in databases.items():
        for view in args.views:
            for page in views[view]:
                if args.pages and page not in args.pages:
                    continue
                settings = folder / f"settings-{plan}-{view}-{page}.json"
                settings.write_text(json.dumps({"last_page": page}), encoding="utf-8")
                who = "headquarters" if view == "hq" else department
                commands[(plan, view, page)] = app_command(db, settings, who)
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=lambda s: s.split(","), default=None)
    parser.add_argument("--views", type=lambda s: s.split(","), default=["hq", "department"])
    parser.add_argument("--plans", type=lambda s: s.split(","), default=["embedded", "x100"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        commands = configurations(folder, args)
        pycache = folder / "pycache"
        for command in commands.values():
            timed_run(command, pycache)  # warm-up: file cache, .pyc files
        results: dict[tuple[str, ...], list[dict[str, float]]] = {k: [] for k in commands}
        for _ in range(args.runs):
            for key, command in commands.items():
                results[key].append(timed_run(command, pycache))
    report(results, args.runs)


def report(results: dict[tuple[str, ...], list[dict[str, float]]], runs: int) -> None:
    bare = statistics.median(r["usable"] for r in results[("bare",)])
    floors = {key[1]: statistics.median(r["usable"] for r in runs_of)
              for key, runs_of in results.items() if key[0] == "floor"}
    print(f"medians over {runs} runs: seconds from process start to the page usable, its ratio "
          "to the bare window (the goal) and to the store floor; then 'shown' and 'pages' "
          "(every button) for reference")
    print(f"  {'bare window (same menus)':40} {bare:6.3f}")
    for plan, floor in floors.items():
        label = f"store floor, {PLAN_NAMES[plan]}"
        print(f"  {label:40} {floor:6.3f}  {floor / bare:5.2f}×")
    missed = []
    for key, runs_of in results.items():
        if len(key) < 3:
            continue
        plan, view, page = key
        usable = statistics.median(r["usable"] for r in runs_of)
        ratio = usable / bare
        goal = GOALS[plan]
        verdict = "ok" if ratio <= goal else "MISSED"
        if ratio > goal:
            missed.append(key)
        extra = "  ".join(f"{m} {statistics.median(r[m] for r in runs_of):6.3f}"
                          for m in ("shown", "pages") if all(m in r for r in runs_of))
        label = f"{PLAN_NAMES[plan]} / {view} / {page}"
        print(f"  {label:40} {usable:6.3f}  {ratio:5.2f}×  (goal ≤ {goal}×: {verdict})"
              f"  floor {usable / floors[plan]:4.2f}×   {extra}")
    pages = sum(len(k) == 3 for k in results)
    print(f"goals met on {pages - len(missed)} of {pages} pages"
          + (": missed " + ", ".join("/".join(k) for k in missed) if missed else ""))


if __name__ == "__main__":
    main()
