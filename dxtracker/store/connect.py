"""Opening an existing database: refused if it is not ours or newer, upgraded if older."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import OperationalError

from dxtracker.errors import DatabaseError, DatabaseTooNew
from dxtracker.store import schema
from dxtracker.store.db import Database
from dxtracker.store.upgrade import upgrade_if_needed


def open_database(path: Path | str) -> Database:
    """Open an existing database, upgrading its schema if it is older than this app's."""
    path = Path(path)
    if not path.exists():
        raise DatabaseError(path, "ファイルがありません。`dxtracker init` で作成してください。")
    _check_is_sqlite(path)
    db = Database(path)
    try:
        with db.read() as session:
            version = schema.read_schema_version(session)
    except OperationalError as exc:
        db.close()
        raise DatabaseError(path, f"DX Trackerのデータベースとして読めません（{exc}）") from exc
    if version is None:
        db.close()
        raise DatabaseError(path, "DX Trackerのデータベースではありません（スキーマ版がありません）")
    if version > schema.SCHEMA_VERSION:
        db.close()
        raise DatabaseTooNew(path, version, schema.SCHEMA_VERSION)
    if version < schema.SCHEMA_VERSION:
        upgrade_if_needed(db, version)
    db.use_suitable_journal()
    return db


def _check_is_sqlite(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseError(path, "SQLiteのデータベースファイルではありません。")
