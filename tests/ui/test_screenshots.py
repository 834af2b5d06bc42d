"""`--screenshot`: pages are grabbed complete — after their background work (the dashboard's)
has delivered and the charts are drawn — and the window carries the app's icon."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from dxtracker.store.connect import open_database
from ui import screenshots
from ui.app import main
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.tasks import TaskRunner


def test_wait_until_idle_delivers_results_and_the_work_they_start(qtbot) -> None:
    runner = TaskRunner()
    delivered: list[str] = []

    def first_done(result: str) -> None:
        delivered.append(result)
        runner.run(lambda _p: "second", on_success=delivered.append)

    runner.run(lambda _p: "first", on_success=first_done)
    assert runner.wait_until_idle(30_000)
    assert delivered == ["first", "second"] and not runner.running
    runner.wait_for_done()


def test_wait_until_idle_gives_up_after_its_timeout(qtbot) -> None:
    runner = TaskRunner()
    release = threading.Event()
    done: list[object] = []
    runner.run(lambda _p: release.wait(30), on_success=done.append)
    assert not runner.wait_until_idle(50)  # still working: False, nothing delivered
    assert done == []
    release.set()
    assert runner.wait_until_idle(30_000) and done == [True]
    runner.wait_for_done()


def test_background_pages_are_grabbed_once_loaded(db_path, settings, qtbot, tmp_path,
                                                  monkeypatch) -> None:
    ctx = AppContext(open_database(db_path), settings, tasks=TaskRunner())  # real threads
    ctx.set_department(None)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    seen: dict[str, tuple[str, list[str]]] = {}
    real_grab = screenshots.grab

    def grab(widget, path: Path) -> Path:  # type: ignore[no-untyped-def]
        dashboard = window.pages.get("dashboard")
        if dashboard is not None and window.current_page_key() == "dashboard":
            seen[path.name] = (dashboard.summary.text(), [c.kpi_code for c in dashboard.charts])
        return real_grab(widget, path)

    monkeypatch.setattr(screenshots, "grab", grab)
    try:
        paths = screenshots.take_screenshots(window, ctx, tmp_path)
    finally:
        ctx.tasks.wait_for_done()
        ctx.db.close()
    [(summary, charts)] = seen.values()
    assert summary.startswith("KPI 28件の評価") and "読み込んでいます" not in summary
    assert charts == ["P01-K1", "P01-K2", "P01-K3"]
    names = [p.name for p in paths]
    assert names[:2] == ["01_project.png", "02_project_kpi.png"]
    assert any(name.endswith("_dashboard.png") for name in names)


def test_screenshot_mode_sets_the_window_icon(db_path, settings_path, tmp_path, qapp) -> None:
    shots = tmp_path / "shots"
    assert main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "headquarters", "--screenshot", str(shots)]) == 0
    assert not QApplication.windowIcon().isNull()
    assert QApplication.windowIcon().availableSizes()  # the PNG was found and read
    chart_shot = QImage(str(shots / "02_project_kpi.png"))
    assert (chart_shot.width(), chart_shot.height()) == (1366, 768)
