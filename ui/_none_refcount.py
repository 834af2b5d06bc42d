"""Work around a reference-count bug in PySide6 6.12.0 on Python 3.11.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11.7): every call of a binding that
returns nothing — `QLabel.setText`, `QAction.setText`, `QStandardItem.setData`,
`QStandardItemModel.appendRow`, `QWidget.show`, … — takes one reference from `None` without
giving one. `None` starts with about 5,000 references, so after some thousands of such calls
Python aborts with "Fatal Python error: none_dealloc: deallocating None" — at once on a plan
100× the seed (its navigation tree alone makes ~20,000 such calls), and within minutes of
ordinary use otherwise. Python 3.12 made `None` immortal, so the bug cannot bite there.

On older Pythons we give `None` a reference count so large (2**60) that no session can use
it up — what 3.12 does by design. `None` is a static object that is never freed, so this
changes nothing else. `tests/ui/test_none_refcount.py` fails if the bug returns unguarded.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 60


def immortalise_none() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return  # None is immortal from 3.12 on
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt: PyObject's first field
    if refcount.value < HEADROOM:
        refcount.value += HEADROOM
