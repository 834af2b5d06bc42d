"""`--screenshot DIR`: each main view saved as DIR/NN_<page>.png (documentation, review, tests).

Works with QT_QPA_PLATFORM=offscreen: widgets are grabbed with `QWidget.grab()`, which
renders them without a screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from ui.context import AppContext
from ui.main_window import MainWindow

SCREENSHOT_SIZE = (1366, 768)  # a common office laptop screen


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


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
        window.show_page(key)
        paths.append(grab(window, directory / f"{len(paths) + 1:02d}_{key}.png"))
    paths.append(_first_start_dialog(ctx, directory / f"{len(paths) + 1:02d}_first_start.png"))
    window.hide()
    return paths


def _first_start_dialog(ctx: AppContext, path: Path) -> Path:
    from ui.first_start import DepartmentDialog

    dialog = DepartmentDialog(ctx.departments)
    dialog.show()
    try:
        return grab(dialog, path)
    finally:
        dialog.close()
        dialog.deleteLater()
