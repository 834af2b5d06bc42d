"""DX Tracker core: the plan, its store, returns, merging and reports — no Qt here."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "DXTracker"
