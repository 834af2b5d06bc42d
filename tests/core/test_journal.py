"""The journal: WAL on a local disk, the rollback journal on a network drive, and a log left by a
crash never applied to another file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from dxtracker.errors import DatabaseError
from dxtracker.figures.entry import set_actual
from dxtracker.plan.bootstrap import create_database
from dxtracker.plan.plan_file import load_plan, read_plan_file
from dxtracker.store import db as dbmod
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.models import KpiActual, Plan
from dxtracker.store.paths import default_plan_path
from dxtracker.store.schema import JOURNAL_SUFFIXES, write_new_database


def sidecars(path: Path) -> list[str]:
    return sorted(s for s in JOURNAL_SUFFIXES if path.with_name(path.name + s).exists())


def file_journal_mode(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


def test_a_new_database_uses_the_write_ahead_log_and_leaves_no_files_when_closed(tmp_path):
    path = tmp_path / "new.sqlite3"
    db = create_database(path)
    assert db.journal_mode() == "wal"
    set_actual(db, "P03-K2", 2022, "5")
    assert "-wal" in sidecars(path)
    db.close()
    assert sidecars(path) == []
    assert file_journal_mode(path) == "wal"  # a property of the file


def test_a_reader_does_not_hold_up_a_writer(db_path, monkeypatch):
    # The app's pages (and the report process) read while a merge writes: with the rollback
    # journal an open read transaction made the writer's commit wait, then fail as busy.
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.2)
    reader, writer = open_database(db_path), open_database(db_path)
    try:
        with reader.read() as session:
            before = session.scalars(select(KpiActual)).all()
            set_actual(writer, "P03-K2", 2022, "5")  # commits while the read is open
            assert session.scalars(select(KpiActual)).all() == before  # its snapshot
        with reader.read() as session:
            assert len(session.scalars(select(KpiActual)).all()) == len(before) + 1
    finally:
        reader.close()
        writer.close()


def test_a_database_on_a_network_drive_keeps_the_rollback_journal(tmp_path, monkeypatch):
    monkeypatch.setattr(dbmod, "is_network_path", lambda path: True)
    path = tmp_path / "share.sqlite3"
    create_database(path).close()
    assert file_journal_mode(path) == "delete"
    monkeypatch.setattr(dbmod, "is_network_path", lambda path: False)
    open_database(path).close()  # back on a local disk
    assert file_journal_mode(path) == "wal"


def test_a_database_of_an_earlier_version_is_switched_on_open(db_path):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    with open_database(db_path) as db:
        assert db.journal_mode() == "wal"


def test_a_file_that_is_not_ours_is_left_as_it_was(tmp_path):
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError):
        open_database(path)
    assert path.read_bytes() == before
    assert file_journal_mode(path) == "delete"


CRASH = """
import os, sys
from dxtracker.store.connect import open_database
from dxtracker.store.models import Plan
db = open_database(sys.argv[1])
with db.transaction() as session:
    session.query(Plan).update({"title": "古い計画"})
os._exit(9)  # killed: the committed change is only in the write-ahead log
"""


def replace_by_init(path: Path) -> Database:  # `init --force`
    return create_database(path, force=True)


def replace_by_new_file(path: Path) -> Database:  # `plan new-period`, `plan import --force`
    plan = read_plan_file(default_plan_path())
    return Database(write_new_database(path, lambda session: load_plan(session, plan)))


@pytest.mark.parametrize("replace", [replace_by_init, replace_by_new_file])
def test_a_log_left_by_a_crash_is_not_applied_to_a_replacing_database(db_path, replace):
    subprocess.run([sys.executable, "-c", CRASH, str(db_path)], check=False)
    assert "-wal" in sidecars(db_path)
    with Database(db_path) as old, old.read() as session:  # the crash lost nothing
        assert session.scalars(select(Plan.title)).one() == "古い計画"
        keep = db_path.with_name("kept-wal")
        keep.write_bytes(db_path.with_name(db_path.name + "-wal").read_bytes())
    # The crash again, then a new file in its place: the old file's log must not reach it.
    db_path.with_name(db_path.name + "-wal").write_bytes(keep.read_bytes())
    db = replace(db_path)
    try:
        with db.read() as session:
            assert session.scalars(select(Plan.title)).one() != "古い計画"
        assert db.check_integrity() == []
    finally:
        db.close()
