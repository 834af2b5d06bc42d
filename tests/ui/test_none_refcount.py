"""The app survives PySide6 6.12's None reference leak (see ui/_none_refcount.py)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel

import ui  # noqa: F401  (applies the guard)


def test_many_void_calls_do_not_exhaust_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20_000):  # far beyond None's natural ~5,000 references
        label.setText("部局")
    assert sys.getrefcount(None) > 1 << 40
    assert sys.getrefcount(None) <= before + 20_000
