"""Where a merge's time goes, stage by stage, without a profiler's overhead (bench_merge.py
--stages): the stages' functions are wrapped with a clock for the duration of the measurement.

    read_return     bounds (inspect_workbook), calamine (opening the workbook, parsing the
                    sheets it reads), validation (the rest: metadata, every cell against the plan
                    and the export record)
    preview         the three-way diff in the write transaction (headquarters' rows, the audit
                    log since the export, duplicates and newer returns)
    write_merge     the import row, the rows, audit entries and undo records (bulk SQL), review
    commit          the durable commit of each file's transaction
    other           the rest: transactions, backup, the merge run, refused files
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

STAGES = (  # (module, attribute, stage)
    ("dxtracker.returns.apply", "read_return", "read_return"),
    ("dxtracker.returns.opening", "inspect_workbook", "bounds"),
    ("dxtracker.returns.opening", "_open", "calamine"),
    ("dxtracker.returns.opening.BoundedWorkbook", "sheet_rows", "calamine"),
    ("dxtracker.returns.apply", "preview_merge", "preview"),
    ("dxtracker.returns.apply", "write_merge", "write_merge"),
    ("dxtracker.returns.writer", "insert_rows", "bulk SQL"),
    ("dxtracker.returns.writer", "update_rows", "bulk SQL"),
    ("sqlalchemy.engine.default.DefaultDialect", "do_commit", "commit"),
)


def _owner(path: str) -> Any:
    import importlib

    module, _, attribute = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ImportError:
        return getattr(importlib.import_module(module), attribute)


def _clocked(function: Callable[..., Any], stage: str, seconds: Counter[str],
             clock: Callable[[], float]) -> Callable[..., Any]:
    @functools.wraps(function)
    def clocked(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[stage] += clock() - start
    return clocked


@contextlib.contextmanager
def clocked_stages(clock: Callable[[], float] = time.perf_counter) -> Iterator[Counter[str]]:
    """Seconds spent in each stage while the block runs (nested stages counted in both)."""
    seconds: Counter[str] = Counter()
    patched = []
    for path, attribute, stage in STAGES:
        owner = _owner(path)
        original = getattr(owner, attribute)
        patched.append((owner, attribute, original))
        setattr(owner, attribute, _clocked(original, stage, seconds, clock))
    try:
        yield seconds
    finally:
        for owner, attribute, original in reversed(patched):
            setattr(owner, attribute, original)


def breakdown(total: float, seconds: Counter[str]) -> list[tuple[str, float]]:
    """The stages of one merge that took `total` seconds, the nested ones split out."""
    read, write = seconds["read_return"], seconds["write_merge"]
    parts = [
        ("read_return: bounds", seconds["bounds"]),
        ("read_return: calamine", seconds["calamine"]),
        ("read_return: validation", read - seconds["bounds"] - seconds["calamine"]),
        ("preview (three-way diff)", seconds["preview"]),
        ("write_merge: bulk SQL", seconds["bulk SQL"]),
        ("write_merge: the rest", write - seconds["bulk SQL"]),
        ("commits", seconds["commit"]),
    ]
    return [*parts, ("other", total - read - seconds["preview"] - write - seconds["commit"])]
