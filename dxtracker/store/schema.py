"""The schema of a DX Tracker database: its version, creating it, and building a new file.

The version is stamped in the `meta` table; `connect.open_database` compares it with
`SCHEMA_VERSION` and runs the upgrade steps (`upgrade.py`) or refuses a newer file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dxtracker import __version__
from dxtracker.errors import DatabaseError
from dxtracker.store.db import Database
from dxtracker.store.models import Base, Meta

SCHEMA_VERSION = 2
# Files SQLite keeps beside a database: the write-ahead log and its index, or the rollback
# journal. Each belongs to that one file: applied to another, it would corrupt it.
JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")


def read_schema_version(session: Session) -> int | None:
    row = session.scalar(select(Meta).where(Meta.key == "schema_version"))
    return int(row.value) if row else None


def create_schema(db: Database) -> None:
    """Create all tables in an empty file and stamp the schema version."""
    try:
        with db.transaction() as session:
            Base.metadata.create_all(session.connection())
            session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            session.add(Meta(key="created_by", value=f"dxtracker {__version__}"))
    except OperationalError as exc:
        raise DatabaseError(db.path, str(exc)) from exc
    db.use_suitable_journal()


def discard_journal(path: Path) -> None:
    """Delete what SQLite keeps beside `path` before another file is moved in at `path`: a
    write-ahead log left by a crash would otherwise be applied to the new file."""
    for suffix in JOURNAL_SUFFIXES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def write_new_database(path: Path, fill: Callable[[Session], object]) -> Path:
    """Create a database at `path` filled by `fill(session)` in one transaction; it is built
    in a temporary file next to `path` and moved in only when complete."""
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
