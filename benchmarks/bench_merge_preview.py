"""The merge preview in the app: from handing the merge page the returns to the preview filled.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_merge_preview.py [--repeat 7]

Builds a database of the embedded plan, exports the return of each of its departments for the
current fiscal year and fills every input cell (as a person in Excel, the filling of
benchmarks/bench_merge.py), then, in one process with the app's own threaded task runner and
offscreen Qt, measures the merge page (回答の取込):

- the request: `MergePage.add_files(paths)`, what choosing the files or dropping them does;
- the preview filled: the dry run has come back from the worker thread, the file list shows
  every file's state and the first file's changes are in the details' model.

The first request of the process is timed on its own (the page imports the returns core when
it is built; the first dry run loads calamine and the value parser); then the median of
`--repeat` further requests (the list cleared in between). For reference, the core's dry run
alone (`merge_returns(..., dry_run=True)`) of the same files in the same process. Goal (issue
15): the preview appears in ≤ 0.5 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # offscreen's size-hint notes
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_merge import fill_return  # noqa: E402
from bench_returns_io import run_in_work_folder  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dxtracker.plan.bootstrap import create_database  # noqa: E402
from dxtracker.store.connect import open_database  # noqa: E402
from dxtracker.store.lookup import all_departments  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.settings import Settings  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402

GOAL_SECONDS = 0.5


def prepare(work: Path, database: Path, year: int) -> list[Path]:
    """Every department's return for `year`, filled in."""
    from dxtracker.returns import export_return

    folder = work / "returns"
    folder.mkdir()
    with open_database(database) as db, db.read() as session:
        paths = [export_return(session, d.name, year, directory=folder)
                 for d in all_departments(session)]
    for salt, path in enumerate(paths, start=1):
        fill_return(path, salt)
    return paths


def preview_seconds(page, paths: list[Path]) -> float:  # type: ignore[no-untyped-def]
    """From `add_files` to the preview filled (the page's handler of the dry run's result)."""
    loop = QEventLoop()
    done: list[float] = []
    checked = page._checked

    def finished(report):  # type: ignore[no-untyped-def]
        checked(report)
        done.append(time.perf_counter())
        loop.quit()

    page._checked = finished
    page.clear()
    QTimer.singleShot(60_000, loop.quit)  # a stuck run ends the benchmark, not the machine
    start = time.perf_counter()
    page.add_files(paths)
    if not done:
        loop.exec()
    page._checked = checked
    if not done:
        raise SystemExit("the preview did not come back within a minute")
    assert len(page.files.entries) == len(paths)
    assert all(entry.result is not None for entry in page.files.entries)
    assert page.details.changes.rowCount() > 0, "the first file's changes are not shown"
    return done[0] - start


def core_seconds(database: Path, paths: list[Path], year: int) -> float:
    from dxtracker.returns.apply import merge_returns

    with open_database(database) as db:
        start = time.perf_counter()
        report = merge_returns(db, paths, dry_run=True, fiscal_year=year)
        seconds = time.perf_counter() - start
    assert not report.refused, [str(e) for f in report.refused for e in f.preview.errors][:3]
    return seconds


def run(work: Path, repeat: int) -> None:
    database = work / "embedded.sqlite3"
    create_database(database).close()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = Settings.load(work / "settings.json")
    db = open_database(database)
    ctx = AppContext(db, settings, tasks=TaskRunner())
    ctx.set_department(None)  # headquarters
    paths = prepare(work, database, ctx.fiscal_year)
    from ui.pages.merge import MergePage

    page = MergePage(ctx)
    page.resize(1280, 800)
    page.show()
    app.processEvents()
    first = preview_seconds(page, paths)
    warm = [preview_seconds(page, paths) for _ in range(repeat)]
    core = statistics.median(core_seconds(database, paths, ctx.fiscal_year)
                             for _ in range(repeat))
    page.close()
    db.close()
    median = statistics.median(warm)
    print(f"{len(paths)} filled returns of the embedded plan; median of {repeat}")
    print(f"merge preview, first request of the process  {first:6.3f} s   "
          f"(goal ≤ {GOAL_SECONDS})")
    print(f"merge preview, later requests                {median:6.3f} s   "
          f"(goal ≤ {GOAL_SECONDS})")
    print(f"core dry run alone (merge_returns)           {core:6.3f} s   "
          f"preview / core {median / core:.2f}")


def main() -> None:
    run_in_work_folder(__doc__ or "", "bench-merge-preview-", run, repeat=7)


if __name__ == "__main__":
    main()
