"""One path for background work (Anki's QueryOp is the model).

    ctx.tasks.run(lambda progress: merge_files(ctx.db, paths, progress=progress),
                  on_success=self.show_result, progress_label=tr("取り込んでいます…"))

`fn(progress)` runs on a worker thread; `progress(done, total, text)` is a plain callback the
core calls (it raises `TaskCancelled` once the user pressed Cancel). `on_success(result)` and
`on_failure(exc)` run on the UI thread, delivered through queued signals. A progress dialog
appears only when the work takes longer than `SHOW_PROGRESS_AFTER_MS`, so quick work never
flashes a window. `TaskRunner(executor="sync")` runs everything at once on the calling thread:
tests use it, so threaded code is deterministic under test.

Database rule: all background work runs on ONE worker thread (a private pool of one thread),
so background writes never race each other. A work function opens its own sessions with
`db.read()` / `db.transaction()` (the Engine and its connection pool are thread-safe; a
Session is not) and returns plain data — never ORM objects, never a session made on the UI
thread. The UI thread may keep reading with its own short sessions meanwhile; SQLite's locking
and the busy timeout in `dxtracker.store.db` serialise writers across threads and processes.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot

from dxtracker.errors import DxTrackerError
from ui.i18n import language, tr

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

SHOW_PROGRESS_AFTER_MS = 600
log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Work = Callable[[Progress], Any]


class TaskCancelled(Exception):
    """Raised inside the work function by `progress()` after the user pressed Cancel."""


class _Task(QObject):
    """One piece of work; lives on the UI thread, so its slots run there."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(self, runner: TaskRunner, fn: Work, on_success: Callable[[Any], None],
                 on_failure: Callable[[BaseException], None] | None,
                 progress_label: str | None, parent: QWidget | None) -> None:
        super().__init__(runner)
        self.runner, self.fn = runner, fn
        self.on_success, self.on_failure = on_success, on_failure
        self.label = progress_label or tr("処理しています…")
        self.parent_widget = parent
        self.cancelled = False
        self.dialog: QProgressDialog | None = None
        self.last_progress = (0, 0, "")
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)
        self.progressed.connect(self._show_progress)

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Called by the core from the worker thread."""
        if self.cancelled:
            raise TaskCancelled
        self.progressed.emit(int(done), int(total), str(text))

    def execute(self) -> None:
        """Runs on the worker (or at once in sync mode); reports through signals."""
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # delivered to on_failure on the UI thread
            if not isinstance(exc, DxTrackerError | TaskCancelled):
                log.error("background task failed:\n%s", traceback.format_exc())
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)

    def arm_dialog_timer(self) -> None:
        QTimer.singleShot(SHOW_PROGRESS_AFTER_MS, self._open_dialog)

    @Slot()
    def _open_dialog(self) -> None:
        if self not in self.runner.running:
            return  # finished before the delay: no dialog at all
        from PySide6.QtWidgets import QProgressDialog  # only when needed: startup cost

        dialog = QProgressDialog(self.label, tr("キャンセル"), 0, 0, self.parent_widget)
        dialog.setWindowTitle(tr("DX Tracker"))
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self._cancel)
        self.dialog = dialog
        self._show_progress(*self.last_progress)
        dialog.show()

    @Slot()
    def _cancel(self) -> None:
        self.cancelled = True
        if self.dialog:
            self.dialog.setLabelText(tr("キャンセルしています…"))

    @Slot(int, int, str)
    def _show_progress(self, done: int, total: int, text: str) -> None:
        self.last_progress = (done, total, text)
        if self.dialog is None or self.cancelled:
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        self.dialog.setLabelText(f"{self.label}\n{text}" if text else self.label)

    def _finish(self) -> None:
        self.runner.running.discard(self)
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner.busy_changed.emit(bool(self.runner.running))

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        self._finish()
        self.on_success(result)

    @Slot(object)
    def _deliver_failure(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, TaskCancelled):
            return
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            show_error(self.parent_widget, exc)


class _Runnable(QRunnable):
    def __init__(self, task: _Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task.execute()


class TaskRunner(QObject):
    """Runs work off the UI thread; `executor="sync"` runs it at once (tests)."""

    busy_changed = Signal(bool)  # False: idle, every result delivered

    def __init__(self, executor: str | QThreadPool = "thread", parent: QObject | None = None):
        super().__init__(parent)
        if isinstance(executor, QThreadPool):
            self.pool: QThreadPool | None = executor
        elif executor == "thread":
            self.pool = QThreadPool(self)
            self.pool.setMaxThreadCount(1)  # one worker: see the database rule above
        elif executor == "sync":
            self.pool = None
        else:
            raise ValueError(f"unknown executor {executor!r}")
        self.running: set[_Task] = set()

    @property
    def is_sync(self) -> bool:
        return self.pool is None

    def run(self, fn: Work, *, on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None] | None = None,
            progress_label: str | None = None, parent: QWidget | None = None,
            quiet: bool = False) -> None:
        """Run `fn(progress)` off the UI thread. `quiet`: never show a progress dialog (the
        caller shows progress itself, e.g. the window's own "loading" note)."""
        task = _Task(self, fn, on_success, on_failure, progress_label, parent)
        self.running.add(task)
        self.busy_changed.emit(True)
        if self.pool is None:
            task.execute()  # signals on the same thread are delivered directly
            return
        if not quiet:
            task.arm_dialog_timer()
        self.pool.start(_Runnable(task))

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (closing the window, tests)."""
        return True if self.pool is None else self.pool.waitForDone(msecs)

    def wait_until_idle(self, timeout_ms: int = 60_000) -> bool:
        """Process events until every task has delivered its result, or `timeout_ms` passed
        (False then). Unlike `wait_for_done`, results reach their pages meanwhile, and work a
        result starts is waited for too: screenshots use it to show pages complete."""
        from PySide6.QtCore import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        while self.running:
            remaining = deadline.remainingTime()
            if remaining <= 0:
                return False
            loop = QEventLoop()
            timer = QTimer(loop)
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            timer.start(remaining)
            # Any change wakes the loop up; `running` is checked again (a result may have
            # started more work). Results arrive only through this loop, so none is missed.
            self.busy_changed.connect(loop.quit)
            try:
                loop.exec()
            finally:
                self.busy_changed.disconnect(loop.quit)
        return True


def error_text(exc: BaseException) -> str:
    if isinstance(exc, DxTrackerError):
        return exc.message(language())
    return tr("予期しないエラーが発生しました: {error}", error=f"{type(exc).__name__}: {exc}")


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A non-blocking message box (open(), not exec()): tests and workers never hang on it."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, tr("DX Tracker"), error_text(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
