"""Pausing Python's cyclic garbage collector while a merge allocates in bulk.

A merge of forty returns allocates some hundred thousand small objects (cells, entries,
changes, rows for the database), and many live until their file is written. CPython's
collector counts allocations, not garbage: the surviving objects set off full collections,
each of which walks every object of the process (SQLAlchemy's, and in the app Qt's), and found
nothing to free. benchmarks/bench_merge.py measured 0.06 s for each such collection, in about
one merge in two, against a merge of 0.6–0.7 s.

Reference counting still frees everything acyclic at once; the little cyclic garbage a merge
makes (a session and its transaction per file) waits for the next collection after the pause.
The pause is process-wide (the app merges on a worker thread while the window goes on), so it
is counted: overlapping pauses end when the last one does, and the collector is left as it was
found.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # pauses in progress
_was_enabled = True  # the collector's state when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
