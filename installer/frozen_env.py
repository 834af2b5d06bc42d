"""Settings a frozen (PyInstaller) DX Tracker makes before the app starts.

Imported first by installer/entry_cli.py and installer/entry_gui.py; from source nothing here
is needed, so everything is a no-op unless `sys.frozen` is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def prepare(gui: bool) -> None:
    if not getattr(sys, "frozen", False):
        return
    _keep_matplotlib_cache()
    if gui:
        _give_windowed_app_streams()


def matplotlib_cache_dir() -> Path:
    """%LOCALAPPDATA%\\DXTracker\\Cache\\matplotlib on Windows, ~/.cache/DXTracker/matplotlib on Linux."""
    import platformdirs

    from dxtracker import APP_NAME

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "matplotlib"


def _keep_matplotlib_cache() -> None:
    # PyInstaller's matplotlib run-time hook points MPLCONFIGDIR at a new temporary folder on
    # every start, so matplotlib would scan every system font (hundreds on Windows, seconds)
    # each time. Keep its font cache in the user's cache folder instead: never in the program
    # folder, which is read-only for the app.
    os.environ["MPLCONFIGDIR"] = str(matplotlib_cache_dir())


def _give_windowed_app_streams() -> None:
    # A windowed Windows executable starts with sys.stdout/sys.stderr set to None; code that
    # writes to them (logging, faulthandler, a stray print) must not fail because of that.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
