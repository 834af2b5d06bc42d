"""The collector pause of a merge: counted across threads, and the collector left as found."""

from __future__ import annotations

import gc
import threading

import pytest

from dxtracker.returns import apply
from dxtracker.returns.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_overlapping_pauses_end_with_the_last():
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the other pause is still on
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_a_pause_ends_when_the_work_fails():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_pauses_from_two_threads():
    inside, release = threading.Barrier(3), threading.Event()

    def work():
        with collector_paused():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_a_merge_runs_with_the_collector_paused_and_leaves_it_on(db, tmp_path, monkeypatch):
    seen = []

    def read_return(*_args, **_kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("stop")

    monkeypatch.setattr(apply, "read_return", read_return)
    with pytest.raises(RuntimeError):
        apply.merge_returns(db, [tmp_path / "a.xlsx"])
    assert seen == [False]
    assert gc.isenabled()
