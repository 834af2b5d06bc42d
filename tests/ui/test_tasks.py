"""The one path for background work."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread

from dxtracker.errors import DxTrackerError
from ui.tasks import TaskRunner


def test_sync_executor_runs_at_once_and_reports_progress(qapp) -> None:
    runner = TaskRunner(executor="sync")
    seen: list[object] = []

    def work(progress):  # type: ignore[no-untyped-def]
        progress(1, 2, "半分")
        return 42

    runner.run(work, on_success=seen.append)
    assert seen == [42]
    assert not runner.running


def test_failures_go_to_on_failure(qapp) -> None:
    runner = TaskRunner(executor="sync")
    errors: list[BaseException] = []

    def work(_progress):  # type: ignore[no-untyped-def]
        raise DxTrackerError("読めません", "cannot read")

    runner.run(work, on_success=lambda _: pytest.fail("no success"), on_failure=errors.append)
    assert [str(e) for e in errors] == ["読めません"]


def test_thread_executor_works_off_the_ui_thread(qtbot) -> None:
    runner = TaskRunner()
    threads: list[object] = []
    results: list[object] = []

    def work(_progress):  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread())
        return "done"

    def success(result):  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread())
        results.append(result)

    runner.run(work, on_success=success)
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert threads[0] is not threads[1]
    assert threads[1] is QThread.currentThread()  # delivered on the UI thread
    runner.wait_for_done()


def test_slow_work_shows_a_progress_dialog_that_cancels(qtbot) -> None:
    runner = TaskRunner()
    release = threading.Event()
    outcome: list[str] = []

    def work(progress):  # type: ignore[no-untyped-def]
        progress(0, 10, "開始")
        release.wait(10)
        progress(5, 10, "途中")  # raises TaskCancelled once cancelled
        return "finished"

    runner.run(work, on_success=outcome.append,
               on_failure=lambda exc: outcome.append(type(exc).__name__))
    task = next(iter(runner.running))
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=5000)
    assert task.dialog.maximum() == 10
    from PySide6.QtWidgets import QPushButton

    task.dialog.findChild(QPushButton).click()  # the Cancel button, as the user would
    release.set()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert outcome == []  # cancelled: neither success nor an error box
    runner.wait_for_done()


def test_quick_work_never_shows_a_dialog(qtbot) -> None:
    runner = TaskRunner()
    done: list[object] = []
    runner.run(lambda _p: 1, on_success=done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=5000)
    task_dialogs = [t.dialog for t in runner.running]
    assert task_dialogs == []
