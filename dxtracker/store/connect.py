"""Opening an existing database: refused if it is not ours or newer, upgraded if older.

The same for a SQLite file and a database on a PostgreSQL server (`DatabaseLocation`); only
what comes before the first query differs: a file must exist and be SQLite, a server must
answer.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError

from dxtracker.errors import DatabaseError, DatabaseTooNew
from dxtracker.store import schema
from dxtracker.store.db import Database
from dxtracker.store.location import DatabaseLocation, parse_location
from dxtracker.store.postgres import driver_message
from dxtracker.store.upgrade import upgrade_if_needed


def open_database(location: DatabaseLocation | Path | str) -> Database:
    """Open an existing database, upgrading its schema if it is older than this app's."""
    location = parse_location(location)
    if location.path is not None:
        _check_is_sqlite_file(location.path)
    db = Database(location)
    try:
        version = _schema_version(db)
        if version > schema.SCHEMA_VERSION:
            raise DatabaseTooNew(db.name, version, schema.SCHEMA_VERSION)
        if version < schema.SCHEMA_VERSION:
            upgrade_if_needed(db, version)
    except BaseException:
        db.close()
        raise
    db.use_suitable_journal()
    return db


def _schema_version(db: Database) -> int:
    try:
        with db.read() as session:  # a server that does not answer is explained by read()
            version = schema.read_schema_version(session)
    except DBAPIError as exc:  # e.g. no `meta` table: not a database of ours
        raise DatabaseError(
            db.name, f"DX Trackerのデータベースとして読めません（{driver_message(exc)}）。"
            "`dxtracker init` で作成したデータベースを指定してください。",
            f"cannot be read as a DX Tracker database ({driver_message(exc)}). "
            "Give a database made with `dxtracker init`.") from exc
    if version is None:
        raise DatabaseError(db.name, "DX Trackerのデータベースではありません（スキーマ版がありません）")
    return version


def _check_is_sqlite_file(path: Path) -> None:
    if not path.exists():
        raise DatabaseError(path, "ファイルがありません。`dxtracker init` で作成してください。")
    with path.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseError(path, "SQLiteのデータベースファイルではありません。")
