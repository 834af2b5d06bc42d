"""`--screenshot DIR`: each main view saved as DIR/NN_<page>.png (documentation, review, tests).

Works with QT_QPA_PLATFORM=offscreen: widgets are grabbed with `QWidget.grab()`, which
renders them without a screen. A page that loads in the background (the dashboard) is
grabbed only once its work is done and its charts are drawn, not while it says 「読み込んでいます…」.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from ui.context import AppContext
from ui.main_window import MainWindow

SCREENSHOT_SIZE = (1366, 768)  # a common office laptop screen
PAGE_TIMEOUT_MS = 60_000  # a page's background work; a slow machine must not hang the run


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def draw_charts(widget: QWidget) -> None:
    """Draw the matplotlib canvases now: `draw_idle()` only asks for a draw later."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    for canvas in widget.findChildren(FigureCanvasQTAgg):
        if canvas.isVisible():
            canvas.draw()


def wait_for_page(ctx: AppContext, widget: QWidget, name: str) -> None:
    """Let the page's background work deliver its results, then lay out and draw."""
    if not ctx.tasks.wait_until_idle(PAGE_TIMEOUT_MS):
        print(f"warning: {name}: background work still running after "
              f"{PAGE_TIMEOUT_MS // 1000} s; the screenshot may be incomplete", file=sys.stderr)
    settle()
    if "matplotlib" in sys.modules:  # only pages with charts have loaded it
        draw_charts(widget)
    settle()


def grab(widget: QWidget, path: Path) -> Path:
    settle()
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def take_screenshots(window: MainWindow, ctx: AppContext, directory: Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    paths: list[Path] = []
    for key in window.available_keys():
        page = window.show_page(key)
        wait_for_page(ctx, window, key)
        paths.append(grab(window, directory / f"{len(paths) + 1:02d}_{key}.png"))
        if key == "project" and _select_first_kpi(page):
            wait_for_page(ctx, window, "project_kpi")
            paths.append(grab(window, directory / f"{len(paths) + 1:02d}_project_kpi.png"))
    paths.append(_first_start_dialog(ctx, directory / f"{len(paths) + 1:02d}_first_start.png"))
    window.hide()
    return paths


def _select_first_kpi(page: QWidget | None) -> bool:
    """The project view once more, with its first KPI's chart and grade shown."""
    table = getattr(page, "kpi_table", None)
    if table is None or table.model().rowCount() == 0:
        return False
    table.selectRow(0)
    return True


def _first_start_dialog(ctx: AppContext, path: Path) -> Path:
    from ui.first_start import DepartmentDialog

    dialog = DepartmentDialog(ctx.departments)
    dialog.show()
    try:
        return grab(dialog, path)
    finally:
        dialog.close()
        dialog.deleteLater()
