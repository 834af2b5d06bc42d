from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import select, text

from dxtracker.errors import DatabaseBusy, DatabaseError, DatabaseTooNew
from dxtracker.figures.entry import set_actual
from dxtracker.store import db as dbmod
from dxtracker.store import schema, upgrade
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.models import Department, KpiActual, Meta

CURRENT = schema.SCHEMA_VERSION  # the tests below add a step to the next version


def count_actuals(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(KpiActual)).all())


def test_transaction_rolls_back_and_reraises(db):
    before = count_actuals(db)
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(KpiActual(kpi_id=1, fiscal_year=2022, value="1", note=""))
        session.flush()
        raise RuntimeError("boom")
    assert count_actuals(db) == before


def test_savepoint_rows_do_not_survive_outer_rollback(db):
    # The pysqlite quirk (FACTS.md): without explicit BEGIN a released savepoint's row
    # survived the outer rollback.
    before = count_actuals(db)
    with pytest.raises(RuntimeError), db.transaction() as session:
        with session.begin_nested():
            session.add(KpiActual(kpi_id=1, fiscal_year=2022, value="1", note=""))
        raise RuntimeError("boom")
    assert count_actuals(db) == before


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception, match=r"(?i)FOREIGN KEY"), db.transaction() as session:
        session.add(KpiActual(kpi_id=99999, fiscal_year=2022, value="1", note=""))


def test_locked_database_gives_a_clear_message_and_loses_nothing(db_path, monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.2)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        db = open_database(db_path)
        with pytest.raises(DatabaseBusy) as exc:
            set_actual(db, "P03-K2", 2022, "5")
        assert "使用中" in str(exc.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    set_actual(db, "P03-K2", 2022, "6")
    db.close()


def test_two_writers_do_not_lose_updates(db_path):
    # Each thread reads the figure and writes it + 1; IMMEDIATE transactions serialise them.
    def bump() -> None:
        db = Database(db_path)
        for _ in range(10):
            with db.transaction() as session:
                row = session.execute(text(
                    "SELECT value FROM meta WHERE key = 'counter'")).scalar()
                value = int(row or 0) + 1
                session.merge(Meta(key="counter", value=str(value)))
        db.close()

    threads = [threading.Thread(target=bump) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Database(db_path) as db, db.read() as session:
        assert session.get(Meta, "counter").value == "30"


def test_newer_schema_is_refused_without_change(db_path):
    con = sqlite3.connect(db_path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="新しい版"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_not_a_database_is_refused(tmp_path):
    path = tmp_path / "x.sqlite3"
    path.write_text("hello")
    with pytest.raises(DatabaseError, match="SQLite"):
        open_database(path)


def test_upgrade_backs_up_runs_steps_with_foreign_keys_off_and_checks(db_path, monkeypatch):
    seen = {}

    def add_column(conn):
        """Next version: departments get a phone number (test-only step)."""
        seen["fk"] = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        conn.exec_driver_sql("ALTER TABLE department ADD COLUMN phone TEXT")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", CURRENT + 1)
    monkeypatch.setitem(upgrade.STEPS, CURRENT, add_column)
    db = open_database(db_path)
    assert seen["fk"] == 0
    with db.read() as session:
        assert schema.read_schema_version(session) == CURRENT + 1
        assert session.scalar(select(Department).limit(1)) is not None
    db.close()
    backups = list(db_path.parent.glob("*before-upgrade*"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(CURRENT),)
    con.close()


def test_failed_upgrade_changes_nothing(db_path, monkeypatch):
    def broken(conn):
        """Next version: fails half-way."""
        conn.exec_driver_sql("ALTER TABLE department ADD COLUMN phone TEXT")
        raise RuntimeError("step failed")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", CURRENT + 1)
    monkeypatch.setitem(upgrade.STEPS, CURRENT, broken)
    with pytest.raises(RuntimeError):
        open_database(db_path)
    con = sqlite3.connect(db_path)
    columns = [r[1] for r in con.execute("PRAGMA table_info(department)")]
    assert "phone" not in columns
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(CURRENT),)
    con.close()


@pytest.mark.sqlite_only("SQLite's backup API copies the file (a server: pg_dump)")
def test_backup_and_integrity(db, tmp_path):
    copy = db.backup_to(tmp_path / "backup" / "copy.sqlite3")
    assert dbmod.check_integrity(copy) == []
    assert db.check_integrity() == []


def test_audit_log_records_who_what_and_where(db):
    set_actual(db, "P03-K2", 2022, "25", note="速報")
    with db.read() as session:
        rows = session.execute(text(
            "SELECT source, entity, entity_code, field, old_value, new_value, user "
            "FROM audit_entry ORDER BY id")).all()
    assert rows[0][:6] == ("cli", "kpi_actual", "P03-K2/2022/D04", "actual", None, "25")
    assert rows[0][6]


def test_network_path_detection():
    from pathlib import Path

    from dxtracker.store.paths import is_network_path, network_path_warning

    assert is_network_path(Path(r"\\server\share\dx.sqlite3"))
    assert network_path_warning(Path(r"\\server\share\dx.sqlite3"))
    assert not is_network_path(Path("/tmp/dx.sqlite3"))
