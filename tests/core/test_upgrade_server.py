"""Upgrades on a PostgreSQL server: a database of the first release (schema 1) is upgraded to
this one's schema, a newer one is refused unchanged, and a user who may not change the schema
is told who may. The schema-1 database is the SQLite fixture's (tests/fixtures/database_v1.sql),
its tables created on the server as they were (reflected) and its rows copied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, MetaData, create_engine, text

from dxtracker.errors import DatabaseError, DatabaseTooNew
from dxtracker.store import schema, upgrade
from dxtracker.store.connect import open_database
from dxtracker.store.copy import copy_rows
from dxtracker.store.postgres import reset_sequences
from dxtracker.store.upgrade_v2 import operations
from tests.core.test_upgrade import FIXTURES, database_from_dump, schema_of
from tests.helpers import snapshot
from tests.postgres import database_name


def create_tables_like(source: Connection, target: Connection) -> MetaData:
    """Create in `target` the tables `source` has (reflected; types made generic, so that a
    SQLite schema can be created on PostgreSQL), and copy their rows."""
    found = MetaData()
    found.reflect(source)
    for table in found.tables.values():
        for column in table.columns:
            column.type = column.type.as_generic()
    found.create_all(target)
    for table in found.sorted_tables:
        copy_rows(source, target, table)
    reset_sequences(target, found.sorted_tables)
    return found


@pytest.fixture
def version_1_url(empty_pg_url: str, tmp_path: Path) -> str:
    sqlite_v1 = database_from_dump(FIXTURES / "database_v1.sql", tmp_path / "v1.sqlite3")
    source, target = create_engine(f"sqlite:///{sqlite_v1}"), create_engine(empty_pg_url)
    try:
        with source.connect() as reading, target.begin() as writing:
            create_tables_like(reading, writing)
    finally:
        source.dispose()
        target.dispose()
    return empty_pg_url


def schema_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text(
                "SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one())
    finally:
        engine.dispose()


def test_version_1_on_a_server_is_upgraded_to_the_schema_of_a_new_database(
        version_1_url, pg_url):
    assert schema_version(version_1_url) == "1"
    with open_database(version_1_url) as db:
        assert db.is_server and snapshot(db)["plan"]["code"]
    assert schema_version(version_1_url) == str(schema.SCHEMA_VERSION)
    upgraded, fresh = create_engine(version_1_url), create_engine(pg_url)
    try:
        assert schema_of(upgraded) == schema_of(fresh)
    finally:
        upgraded.dispose()
        fresh.dispose()


def test_version_1_on_a_server_keeps_every_figure_entered(version_1_url, tmp_path):
    # The same database upgraded as a SQLite file and on the server reads the same.
    sqlite_v1 = database_from_dump(FIXTURES / "database_v1.sql", tmp_path / "same.sqlite3")
    with open_database(version_1_url) as on_server, open_database(sqlite_v1) as in_file:
        assert snapshot(on_server) == snapshot(in_file)


def test_a_database_of_a_newer_release_is_refused_unchanged(pg_url, pg_cluster):
    name = database_name(pg_url)
    pg_cluster.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", name)
    with pytest.raises(DatabaseTooNew, match="スキーマ版 99"):
        open_database(pg_url)
    assert schema_version(pg_url) == "99"


def test_a_user_who_may_not_change_the_schema_is_told_who_may(
        version_1_url, pg_cluster, monkeypatch):
    name = database_name(version_1_url)
    pg_cluster.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clerk') THEN "
        "CREATE ROLE clerk LOGIN; END IF; END $$;"
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clerk;", name)

    def add_a_column(conn: Connection) -> None:
        """A step that changes the schema (what any real step does)."""
        from sqlalchemy import Column, Integer

        operations(conn).add_column("kpi_actual", Column("version", Integer(), nullable=True))

    monkeypatch.setattr(upgrade, "STEPS", {1: add_a_column})
    clerk = pg_cluster.url(name, user="clerk")
    with pytest.raises(DatabaseError, match="所有者") as refused:
        open_database(clerk)
    assert "db upgrade" in refused.value.message_en
    assert schema_version(version_1_url) == "1"  # nothing changed
    monkeypatch.undo()  # this release's own steps again
    with open_database(version_1_url) as db:  # the owner upgrades it
        assert snapshot(db)["plan"]["code"]
    assert schema_version(version_1_url) == str(schema.SCHEMA_VERSION)
    open_database(clerk).close()  # and then the clerk can work
