"""The schema of a DX Tracker database: its version, creating it, and building a new file.

The version is stamped in the `meta` table; `connect.open_database` compares it with
`SCHEMA_VERSION` and runs the upgrade steps (`upgrade.py`) or refuses a newer file.

A new database on a PostgreSQL server is built in one transaction instead of a file built aside:
the server's transactional DDL gives the same "whole or not at all".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import overload

from sqlalchemy import Connection, MetaData, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dxtracker import __version__
from dxtracker.errors import DatabaseError
from dxtracker.store.db import Database
from dxtracker.store.location import DatabaseLocation
from dxtracker.store.models import Base, Meta

SCHEMA_VERSION = 2
# Files SQLite keeps beside a database: the write-ahead log and its index, or the rollback
# journal. Each belongs to that one file: applied to another, it would corrupt it.
JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")


def read_schema_version(session: Session) -> int | None:
    row = session.scalar(select(Meta).where(Meta.key == "schema_version"))
    return int(row.value) if row else None


def create_schema(db: Database) -> None:
    """Create all tables in an empty database and stamp the schema version."""
    try:
        with db.transaction(exclusive=True) as session:
            _create_schema_in(session)
    except OperationalError as exc:
        raise DatabaseError(db.name, str(exc)) from exc
    db.use_suitable_journal()


def _create_schema_in(session: Session) -> None:
    Base.metadata.create_all(session.connection())
    session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
    session.add(Meta(key="created_by", value=f"dxtracker {__version__}"))
    session.flush()  # stamped before `fill` runs (db copy replaces the stamps with its own)


def database_exists(target: DatabaseLocation) -> bool:
    """Whether `target` holds something already: the file exists, or the server database
    has tables (an empty server database is where `init` puts a new one)."""
    if target.path is not None:
        return target.path.exists()
    db = Database(target)
    try:
        with db.read() as session:
            return bool(inspect(session.connection()).get_table_names())
    finally:
        db.close()


def discard_journal(path: Path) -> None:
    """Delete what SQLite keeps beside `path` before another file is moved in at `path`: a
    write-ahead log left by a crash would otherwise be applied to the new file."""
    for suffix in JOURNAL_SUFFIXES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@overload
def write_new_database(path: Path, fill: Callable[[Session], object]) -> Path: ...
@overload
def write_new_database(path: DatabaseLocation, fill: Callable[[Session], object]
                       ) -> DatabaseLocation: ...
def write_new_database(path: Path | DatabaseLocation, fill: Callable[[Session], object]
                       ) -> Path | DatabaseLocation:
    """Create a database at `path` filled by `fill(session)` in one transaction, replacing a
    DX Tracker database there. A file is built in a temporary file next to `path` and moved
    in only when complete; a server database in one transaction."""
    if isinstance(path, DatabaseLocation):
        if path.path is None:
            _write_new_server_database(path, fill)
            return path
        write_new_database(path.path, fill)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".creating")
    building.unlink(missing_ok=True)  # left by a build that crashed, with its journal
    discard_journal(building)
    new_db = Database(building)
    try:
        create_schema(new_db)
        with new_db.transaction() as session:
            fill(session)
    except BaseException:
        new_db.close()
        building.unlink(missing_ok=True)
        raise
    new_db.close()
    discard_journal(path)  # the old file's: it must not be applied to the new one
    os.replace(building, path)
    return path


def _write_new_server_database(location: DatabaseLocation,
                               fill: Callable[[Session], object]) -> None:
    db = Database(location)
    try:
        with db.transaction(exclusive=True) as session:
            _clear(session.connection(), db.name)
            _create_schema_in(session)
            fill(session)
    finally:
        db.close()


def _clear(conn: Connection, name: str) -> None:
    """Drop the tables of the DX Tracker database there; refuse a database that holds other
    tables (it is somebody else's, or not empty: ask for an empty one)."""
    found = MetaData()
    found.reflect(conn)
    if not found.tables:
        return
    if "meta" not in found.tables:
        raise DatabaseError(
            name, "DX Tracker以外の表があるため使えません。空のデータベースを用意してください。",
            "it holds tables that are not DX Tracker's. Use an empty database.")
    found.drop_all(conn)
