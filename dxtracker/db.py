"""The one place for the database: engine, sessions, `transaction()`, schema version, backups.

Every write goes through `Database.transaction()`: one SQLite transaction that commits, or
rolls back and re-raises. The pysqlite driver's own transaction handling is switched off and
replaced by explicit BEGIN statements (SQLAlchemy docs, SQLite dialect, "Serializable isolation
/ Savepoints / Transactional DDL"; FACTS.md): without that, a SELECT or a SAVEPOINT runs outside
any transaction and a rolled-back write can survive.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dxtracker import __version__
from dxtracker.errors import DatabaseBusy, DatabaseError, DatabaseTooNew
from dxtracker.models import Base, Meta

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 5.0


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the driver (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Writers take the write lock at BEGIN (IMMEDIATE), so two processes that read and
        # then write cannot both proceed and lose one update; readers stay DEFERRED.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An open DX Tracker database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commit at the end, or roll back and re-raise."""
        try:
            with self._writer() as session, session.begin():
                yield session
        except OperationalError as exc:
            if _is_locked(exc):
                raise DatabaseBusy(self.path) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a DEFERRED transaction, rolled back at the end)."""
        try:
            with self._reader() as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except OperationalError as exc:
            if _is_locked(exc):
                raise DatabaseBusy(self.path) from exc
            raise

    def backup_to(self, target: Path) -> Path:
        """Copy the database with SQLite's backup API (safe while it is in use)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(self.path)
        try:
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        return target

    def check_integrity(self) -> list[str]:
        """Problems reported by integrity_check and foreign_key_check; empty when sound."""
        return check_integrity(self.path)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_integrity(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        problems = [row[0] for row in con.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in con.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        con.close()


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


def open_database(path: Path | str) -> Database:
    """Open an existing database, upgrading its schema if it is older than this app's."""
    from dxtracker.upgrade import upgrade_if_needed

    path = Path(path)
    if not path.exists():
        raise DatabaseError(path, "ファイルがありません。`dxtracker init` で作成してください。")
    _check_is_sqlite(path)
    db = Database(path)
    try:
        with db.read() as session:
            version = read_schema_version(session)
    except OperationalError as exc:
        db.close()
        raise DatabaseError(path, f"DX Trackerのデータベースとして読めません（{exc}）") from exc
    if version is None:
        db.close()
        raise DatabaseError(path, "DX Trackerのデータベースではありません（スキーマ版がありません）")
    if version > SCHEMA_VERSION:
        db.close()
        raise DatabaseTooNew(path, version, SCHEMA_VERSION)
    if version < SCHEMA_VERSION:
        upgrade_if_needed(db, version)
    return db


def _check_is_sqlite(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseError(path, "SQLiteのデータベースファイルではありません。")
