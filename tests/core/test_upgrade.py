"""A database written by the first release (schema 1) is upgraded to this one's schema: the
same tables, columns, keys and indexes a new database gets, and every row kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect

from dxtracker.plan.snapshot import plan_snapshot
from dxtracker.store import schema
from dxtracker.store.connect import open_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def database_from_dump(dump: Path, path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(dump.read_text(encoding="utf-8"))
    con.close()
    return path


def schema_of(engine: Engine) -> dict[str, Any]:
    """What the schema says, in a form that does not depend on how a table was created
    (CREATE TABLE at once, or ALTER TABLE ADD COLUMN later)."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        tables[name] = {
            "columns": sorted((c["name"], str(c["type"]), bool(c["nullable"]))
                              for c in inspector.get_columns(name)),
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                                    tuple(f["referred_columns"]))
                                   for f in inspector.get_foreign_keys(name)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(name)),
            "unique": sorted(tuple(u["column_names"])
                             for u in inspector.get_unique_constraints(name)),
        }
    return tables


@pytest.fixture
def version_1_path(tmp_path: Path) -> Path:
    return database_from_dump(FIXTURES / "database_v1.sql", tmp_path / "v1.sqlite3")


def test_the_fixture_is_a_version_1_database(version_1_path):
    con = sqlite3.connect(version_1_path)
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert row == ("1",)


def test_version_1_is_upgraded_to_the_schema_of_a_new_database(version_1_path, template_db):
    open_database(version_1_path).close()
    upgraded = create_engine(f"sqlite:///{version_1_path}")
    fresh = create_engine(f"sqlite:///{template_db}")
    try:
        assert schema_of(upgraded) == schema_of(fresh)
    finally:
        upgraded.dispose()
        fresh.dispose()


def test_version_1_keeps_every_figure_entered(version_1_path):
    db = open_database(version_1_path)
    try:
        with db.read() as session:
            assert schema.read_schema_version(session) == schema.SCHEMA_VERSION
            snapshot = plan_snapshot(session)
    finally:
        db.close()
    kpis = {k["code"]: k for p in snapshot["projects"] for k in p["kpis"]}
    assert kpis["P03-K2"]["actuals"]["2022"]["display"] == "1,234"
    assert kpis["P03-K2"]["actual_notes"]["2022"] == "速報"
    assert kpis["P01-K1"]["actuals"]["2021"]["display"] == "120"
    assert kpis["P01-K1"]["actuals"]["2022"]["display"] == "77"  # from the merged return
    revision = kpis["P03-K1"]["revisions"][-1]
    assert (revision["old_value"]["display"], revision["new_value"]["display"]) == ("44", "46")
    progress = {m["code"]: m for p in snapshot["projects"] for m in p["measures"]}
    assert progress["P03-M1"]["progress"][0]["record"] == "説明会を3回開催"
