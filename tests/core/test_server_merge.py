"""Merges and writes at the same time, with real connections in threads: two merges are
serialised and neither is lost (both engines); on a server, ordinary writes run side by side,
a merge waits for them, and two people adding the same figure at once do not overwrite each
other. A merge on a server writes no backup file and is undone from its own records."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from dxtracker.errors import DatabaseConflict
from dxtracker.figures.entry import set_actual, set_actual_in
from dxtracker.returns import apply, bulk
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.undo import undo_last_merge
from dxtracker.store import postgres
from dxtracker.store.db import Database
from tests.core.test_merge_support import export, fill, kpi, show
from tests.core.test_merge_writer import FILLED, apply_one_by_one
from tests.core.test_merge_writer import ROWS as WRITER_ROWS
from tests.helpers import contents, snapshot, stored_actual
from tests.postgres import database_name

FY = 2022
WAIT_SECONDS = 30


def filled_return(db: Database, folder: Path, department: str, actual: str) -> Path:
    path = export(db.name, department, FY, folder)
    return fill(path, kpis={"P01-K1": {"actual": actual, "note": f"{department}の確定値"}})


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except Exception as exc:  # handed to the test, which checks it
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def waiting_for_a_lock(db: Database, locktype: str) -> bool:
    """Whether some connection waits for a lock of this type (PostgreSQL's pg_locks)."""
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = :t"),
            {"t": locktype}).scalar())


def test_two_merges_at_once_are_serialised_and_neither_is_lost(db, folder, tmp_path,
                                                                 monkeypatch):
    files = [filled_return(db, folder, "商工労働部", "41"),
             filled_return(db, folder, "土木部", "77")]
    spans: list[tuple[float, float]] = []
    write_merge = apply.write_merge

    def slow_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Holds the merge's transaction open a while: two unserialised merges would overlap.
        start = time.monotonic()
        written = write_merge(*args, **kwargs)
        time.sleep(0.3)
        spans.append((start, time.monotonic()))
        return written

    monkeypatch.setattr(apply, "write_merge", slow_write)

    def merge(path: Path) -> Callable[[], object]:
        def work() -> object:
            with Database(db.location) as own:  # its own connections, as another program
                return merge_returns(own, [path], backup_dir=tmp_path / "backups")
        return work

    runs = [in_thread(merge(path)) for path in files]
    for thread, _ in runs:
        thread.join(WAIT_SECONDS)
    assert [outcome.get("error") for _, outcome in runs] == [None, None]
    assert [outcome["result"].exit_code for _, outcome in runs] == [0, 0]  # type: ignore[attr-defined]
    first, second = sorted(spans)
    assert first[1] <= second[0], "the two merges overlapped"
    contributions = kpi(show(db.name), "P01-K1")["contributions"][str(FY)]
    assert {(c["department"], c["value"]["display"]) for c in contributions} >= {
        ("商工労働部", "41"), ("土木部", "77")}


def test_a_merge_is_undone_from_its_own_records(db, engine, folder, tmp_path):
    """On a server no file is written before a merge: the merge's undo records (the old value
    of every field it changed, the rows it created, their stamps) put the plan back."""
    before = snapshot(db)
    report = merge_returns(db, [filled_return(db, folder, "商工労働部", "41")],
                           backup_dir=tmp_path / "backups")
    assert report.exit_code == 0
    assert snapshot(db) != before
    backups = list((tmp_path / "backups").glob("*"))
    if engine == "postgresql":
        assert report.backup_path is None and backups == []
    else:
        assert report.backup_path is not None and backups == [report.backup_path]
    undo_last_merge(db)
    assert snapshot(db) == before


@pytest.fixture
def server(pg_url: str) -> Database:
    with Database(pg_url) as database:
        yield database


def test_ordinary_writes_run_side_by_side_on_a_server(server):
    with server.transaction() as session:
        set_actual_in(session, "P03-K2", FY, "5")
        session.flush()  # written, not committed: this transaction holds its lock
        thread, outcome = in_thread(lambda: set_actual(server, "P03-K1", FY, "41"))
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive() and "error" not in outcome  # done while this one is open
    assert stored_actual(server, "P03-K2", "土木部", FY) == "5"
    assert stored_actual(server, "P03-K1", "商工労働部", FY) == "41"


def test_a_merge_waits_for_writes_under_way(server, folder, tmp_path):
    path = filled_return(server, folder, "商工労働部", "41")
    with server.transaction() as session:
        set_actual_in(session, "P03-K2", FY, "5")
        session.flush()
        thread, outcome = in_thread(lambda: merge_returns(server, [path]))
        wait_until(lambda: waiting_for_a_lock(server, "advisory"), "the merge to wait")
        assert thread.is_alive()
    thread.join(WAIT_SECONDS)
    assert outcome["result"].exit_code == 0  # type: ignore[attr-defined]
    assert stored_actual(server, "P03-K2", "土木部", FY) == "5"


def test_two_people_adding_the_same_figure_at_once_do_not_overwrite_each_other(server):
    with server.transaction() as session:
        set_actual_in(session, "P03-K2", FY, "5")
        session.flush()  # the new row exists, uncommitted
        thread, outcome = in_thread(lambda: set_actual(server, "P03-K2", FY, "6"))
        wait_until(lambda: waiting_for_a_lock(server, "transactionid"),
                   "the second writer to wait for the first")
    thread.join(WAIT_SECONDS)
    assert isinstance(outcome.get("error"), DatabaseConflict)
    assert stored_actual(server, "P03-K2", "土木部", FY) == "5"
    entries = [row for row in contents(server)["audit_entry"]
               if row[-5] == "P03-K2/2022/D04" and row[-4] == "actual"]
    assert [row[-2] for row in entries] == ["5"]  # the refused save left no trace


def test_a_reader_sees_one_consistent_view_while_others_write(server):
    with server.read() as session:
        before = session.execute(text("SELECT count(*) FROM audit_entry")).scalar()
        set_actual(server, "P03-K2", FY, "5")  # committed meanwhile by another connection
        assert session.execute(text("SELECT count(*) FROM audit_entry")).scalar() == before
    with server.read() as session:
        assert session.execute(text("SELECT count(*) FROM audit_entry")).scalar() > before


def test_many_rows_go_in_by_copy_and_read_back_as_inserted(db, engine, folder, monkeypatch):
    """The merge's bulk rows: COPY on a server (here for every table, however few rows), the
    same rows as INSERT on SQLite."""
    copied: list[str] = []
    copy_in = postgres.copy_in

    def spy(conn, table, columns, rows):  # type: ignore[no-untyped-def]
        used = copy_in(conn, table, columns, rows)
        copied.extend([table] if used else [])
        return used

    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 1)
    monkeypatch.setattr(bulk, "copy_in", spy)
    report = merge_returns(db, [filled_return(db, folder, "商工労働部", "4,100")])
    assert report.exit_code == 0
    assert sorted(set(copied)) == (["audit_entry", "kpi_actual", "merge_change"]
                                   if engine == "postgresql" else [])
    rows = contents(db)
    assert [r[-2] for r in rows["audit_entry"] if r[-5].startswith("P01-K1/2022")] == [
        "4,100", "商工労働部の確定値"]
    # (item_code, field, old_value, new_value, row_created) of the undo records
    assert sorted((r[4], r[7], r[8], r[9], r[11]) for r in rows["merge_change"]
                  if r[4] == "P01-K1") == [("P01-K1", "actual", None, "4,100", True),
                                           ("P01-K1", "note", "", "商工労働部の確定値", True)]


def test_a_table_under_row_level_security_gets_inserts_instead(pg_url, folder, pg_cluster,
                                                               monkeypatch):
    """COPY FROM refuses a table under row-level security (for any role but a superuser): such
    tables get INSERTs."""
    name = database_name(pg_url)
    pg_cluster.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hq_clerk') THEN "
        "CREATE ROLE hq_clerk LOGIN; END IF; END $$;"
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO hq_clerk;"
        "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO hq_clerk;"
        "ALTER TABLE audit_entry ENABLE ROW LEVEL SECURITY;"
        "CREATE POLICY everyone ON audit_entry USING (true) WITH CHECK (true)", name)
    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 1)
    with Database(pg_cluster.url(name, user="hq_clerk")) as clerk:
        report = merge_returns(clerk, [filled_return(clerk, folder, "商工労働部", "41")])
        assert report.exit_code == 0, report.files[0].preview.errors
        assert any(r[-2] == "41" for r in contents(clerk)["audit_entry"])


def test_the_bulk_writer_on_a_server_leaves_what_the_entry_functions_leave(
        pg_cluster, pg_template, tmp_path, monkeypatch):
    """test_merge_writer's check on a server, with COPY for every table however few rows."""
    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 1)
    names = [f"writer_{side}_{time.monotonic_ns()}" for side in ("bulk", "reference")]
    bulk_url, reference_url = (pg_cluster.create_database(n, template=pg_template)
                               for n in names)
    try:
        for url in (bulk_url, reference_url):
            with Database(url) as database:  # some rows there already: updates and inserts
                set_actual(database, "P03-K1", FY, "38", note="前回の回答")
        path = fill(export(bulk_url, "商工労働部", FY, tmp_path / "r.xlsx"), **FILLED)
        with Database(bulk_url) as database:
            assert merge_returns(database, [path]).exit_code == 0
        apply_one_by_one(reference_url, path)
        assert rows_of(bulk_url) == rows_of(reference_url)
        assert len(rows_of(bulk_url)["audit_entry"]) > 4
    finally:
        for name in names:
            pg_cluster.drop_database(name)


def rows_of(url: str) -> dict[str, list[tuple]]:
    with Database(url) as database, database.read() as session:
        return {name: sorted((tuple(r) for r in session.execute(text(query))), key=repr)
                for name, query in WRITER_ROWS.items()}
