"""DX Tracker desktop app (PySide6). It calls the Qt-free core in `dxtracker/` for everything."""

from __future__ import annotations

from ui._none_refcount import immortalise_none

# Before any PySide6 call: see ui/_none_refcount.py.
immortalise_none()
