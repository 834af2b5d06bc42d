"""Qt calls must not leak references to None or True.

PySide6 6.12.0 on Python 3.11 takes one reference from None on every binding call that
returns nothing (setText, appendRow, show, …) and one from True on every Signal.emit(); after a
few thousand calls Python aborts ("none_dealloc", "bool_dealloc"). Measured here: 6.11.3 leaks
neither, so pyproject.toml keeps PySide6 below 6.12. This test fails if an installed PySide6
brings the leaks back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    changed = Signal(int)


def test_void_calls_do_not_take_references_from_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2_000):
        label.setText("部局")
    assert sys.getrefcount(None) >= before - 100


def test_signal_emits_do_not_take_references_from_true(qtbot) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(2_000):
        emitter.changed.emit(i)
    assert len(received) == 2_000
    assert sys.getrefcount(True) >= before - 100
