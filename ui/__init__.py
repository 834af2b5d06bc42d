"""DX Tracker desktop app (PySide6). It calls the Qt-free core in `dxtracker/` for everything."""
