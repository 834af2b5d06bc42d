"""Undoable entries: each QUndoCommand writes through the core in one transaction.

The change is written before the command is pushed (so that a refused write never reaches the
undo stack); the first `redo()`, which QUndoStack.push calls, therefore does nothing. Undo
writes the old values back through the same core function, again in one transaction and with
an audit entry.

Each command carries the version of the row it last wrote (optimistic locking,
`dxtracker.store.row_versions`): undo and redo are refused (`RowChanged`, the command dropped)
when someone else changed the row since, rather than overwrite their change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from dxtracker.errors import DxTrackerError
from dxtracker.figures.entry import ActualChange, ProgressChange, set_actual, set_progress
from dxtracker.store.db import Database


@dataclass(frozen=True)
class ActualKey:
    kpi_code: str
    fiscal_year: int
    department: str


@dataclass(frozen=True)
class ActualState:
    value: str | None  # canonical text, None for blank
    note: str


@dataclass(frozen=True)
class ProgressKey:
    measure_code: str
    fiscal_year: int
    department: str


class _WriteCommand(QUndoCommand):
    """Shared machinery: skip the first redo, report results and failures through callbacks.
    Subclasses set `_before` and `_after` (the states undo and redo write) and `_write`."""

    _before: Any
    _after: Any

    def __init__(self, text: str, on_applied: Callable[[Any], None],
                 on_failed: Callable[[DxTrackerError], None]) -> None:
        super().__init__(text)
        self._pushed = False
        self._on_applied = on_applied
        self._on_failed = on_failed

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # already written by the page before the push
            return
        self._run(self._after, "redo")

    def undo(self) -> None:
        self._run(self._before, "undo")

    def _run(self, state: Any, detail: str) -> None:
        try:
            result = self._write(state, detail)
        except DxTrackerError as exc:
            # The database refused (e.g. busy): drop the command rather than leave the stack
            # claiming a state the database does not have.
            self.setObsolete(True)
            self._on_failed(exc)
        else:
            self._on_applied(result)

    def _write(self, state: Any, detail: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class SetActualCommand(_WriteCommand):
    def __init__(self, db: Database, key: ActualKey, before: ActualState, after: ActualState,
                 text: str, on_applied: Callable[[ActualChange], None],
                 on_failed: Callable[[DxTrackerError], None], *, version: int) -> None:
        super().__init__(text, on_applied, on_failed)
        self._db, self.key, self._before, self._after = db, key, before, after
        self.version = version  # of the row as this command last left it

    def _write(self, state: ActualState, detail: str) -> ActualChange:
        change = set_actual(self._db, self.key.kpi_code, self.key.fiscal_year, state.value,
                            department=self.key.department, note=state.note, source="form",
                            source_detail=detail, expected_version=self.version)
        self.version = change.version
        return change


class SetProgressCommand(_WriteCommand):
    def __init__(self, db: Database, key: ProgressKey, before: dict[str, str],
                 after: dict[str, str], text: str,
                 on_applied: Callable[[ProgressChange], None],
                 on_failed: Callable[[DxTrackerError], None], *, version: int) -> None:
        super().__init__(text, on_applied, on_failed)
        self._db, self.key, self._before, self._after = db, key, before, after
        self.version = version  # of the row as this command last left it

    def _write(self, state: dict[str, str], detail: str) -> ProgressChange:
        change = set_progress(self._db, self.key.measure_code, self.key.fiscal_year,
                              self.key.department, source="form", source_detail=detail,
                              expected_version=self.version, **state)
        self.version = change.version
        return change


def write_actual(db: Database, key: ActualKey, state: ActualState,
                 version: int) -> ActualChange:
    """The first write of an entry (before its command is pushed), from the form that loaded
    the row at `version` (refused with `RowChanged` if it has changed since)."""
    return set_actual(db, key.kpi_code, key.fiscal_year, state.value,
                      department=key.department, note=state.note, source="form",
                      expected_version=version)


def write_progress(db: Database, key: ProgressKey, state: dict[str, str],
                   version: int) -> ProgressChange:
    return set_progress(db, key.measure_code, key.fiscal_year, key.department,
                        source="form", expected_version=version, **state)
