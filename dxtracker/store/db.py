"""The one place for the engine and sessions: `Database`, `transaction()`, `read()`.

Every write goes through `Database.transaction()`: one transaction that commits, or rolls
back and re-raises. The pysqlite driver's own transaction handling is switched off and
replaced by explicit BEGIN statements (SQLAlchemy docs, SQLite dialect, "Serializable isolation
/ Savepoints / Transactional DDL"; FACTS.md): without that, a SELECT or a SAVEPOINT runs outside
any transaction and a rolled-back write can survive.

The journal is SQLite's write-ahead log (WAL) on a local disk: readers (the app's pages, the
report process) never block a merge's commit and a merge never blocks them, and a durable commit
costs one fsync instead of the rollback journal's several (FACTS.md: ~6,900 small commits/s
against ~1,700/s). WAL "does not work over a network filesystem" (sqlite.org), so a database
found on a network drive is switched back to the rollback journal. The mode is a property of
the file, set once a file is known to be ours (`create_schema`, `open_database`); a file in WAL
mode must never be copied or replaced on its own, hence `schema.discard_journal` and the backup
API (`backups.copy_database`). The schema (version, creation) is in `schema.py`; opening an
existing file (and upgrading it) in `connect.py`.

A database on a PostgreSQL server (`DatabaseLocation.is_server`) gets its engine, its write lock
and its messages from `postgres.py`; everything else here is the same for both engines. What is
a file's alone (the journal, the backup API, integrity_check) says so where it is.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dxtracker.errors import DatabaseBusy, DatabaseError
from dxtracker.store import postgres
from dxtracker.store.backups import copy_database
from dxtracker.store.location import DatabaseLocation, parse_location
from dxtracker.store.paths import is_network_path

log = logging.getLogger(__name__)

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
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock at BEGIN (IMMEDIATE), so two processes that read and
        # then write cannot both proceed and lose one update; readers stay DEFERRED.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An open DX Tracker database: a SQLite file or a database on a PostgreSQL server."""

    def __init__(self, location: DatabaseLocation | Path | str) -> None:
        self.location = parse_location(location)
        # The file of a SQLite database; None on a server (which has no file of ours).
        self.path: Path | None = self.location.path
        if self.location.is_server:
            self.engine = postgres.postgresql_engine(self.location)
            reader = self.engine.execution_options(**postgres.READER_OPTIONS)
            writer = self.engine.execution_options(**{postgres.WRITE_LOCK: "shared"})
            exclusive = self.engine.execution_options(**{postgres.WRITE_LOCK: "exclusive"})
        else:
            self.engine = make_engine(self.location.file)
            reader = self.engine.execution_options()  # readers stay DEFERRED
            writer = exclusive = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._reader = sessionmaker(reader, expire_on_commit=False)
        self._writer = sessionmaker(writer, expire_on_commit=False)
        self._exclusive = sessionmaker(exclusive, expire_on_commit=False)

    @property
    def name(self) -> str:
        """What to show for this database: the file's path, or the server URL (no password)."""
        return self.location.name

    @property
    def is_server(self) -> bool:
        return self.location.is_server

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[Session]:
        """One write transaction: commit at the end, or roll back and re-raise.

        `exclusive`: no other write runs meanwhile (a merge, an undo). On SQLite every write is
        (BEGIN IMMEDIATE); on a server ordinary writes run side by side (see postgres.py)."""
        maker = self._exclusive if exclusive else self._writer
        with self._explained(), maker() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: one consistent view, rolled back at the end."""
        with self._explained(), self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """Driver errors we can explain become the user's message (DatabaseBusy, a server that
        does not answer, …); any other is a bug and stays as it is."""
        try:
            yield
        except DBAPIError as exc:
            if self.is_server:
                explained = postgres.server_error(self.location, exc)
            elif isinstance(exc, OperationalError) and _is_locked(exc):
                explained = DatabaseBusy(self.location.file)
            else:
                raise
            if explained is None:
                raise
            raise explained from exc

    def backup_to(self, target: Path) -> Path:
        """Copy the database file with SQLite's backup API (safe while it is in use). A server
        database is backed up by its server (`pg_dump`; README), not by DX Tracker."""
        if self.path is None:
            raise DatabaseError(
                self.name, "サーバーのデータベースはDX Trackerではなくサーバー側で pg_dump により"
                "バックアップします（README「Running headquarters on a server database」）。",
                "a server database is backed up on the server with pg_dump, not by DX Tracker "
                "(README, 'Running headquarters on a server database').")
        return copy_database(self.path, target)

    def check_integrity(self) -> list[str]:
        """Problems reported by integrity_check and foreign_key_check; empty when sound. (A
        server enforces its constraints on every write and checks its own pages.)"""
        return [] if self.path is None else check_integrity(self.path)

    def journal_mode(self) -> str:
        """"wal" or "delete" (the rollback journal), as the file says now ("" on a server)."""
        if self.path is None:
            return ""
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()

    def use_suitable_journal(self) -> str:
        """Put the file in WAL mode on a local disk, in rollback-journal mode on a network
        drive; the mode it is in afterwards. Another process holding the file open may keep
        it from switching: the file then stays as it was, which is safe either way."""
        if self.path is None:
            return ""
        wanted = "delete" if is_network_path(self.path) else "wal"
        try:
            with self.engine.connect() as conn:
                # In autocommit (see make_engine): journal_mode cannot change in a transaction.
                raw = conn.connection.dbapi_connection
                assert raw is not None
                return str(raw.execute(f"PRAGMA journal_mode={wanted}").fetchone()[0]).lower()
        except (OperationalError, sqlite3.OperationalError) as exc:
            log.warning("journal mode of %s left as it was: %s", self.path, exc)
            return self.journal_mode()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


P = ParamSpec("P")
R = TypeVar("R")


def in_own_transaction(write_in: Callable[Concatenate[Session, P], R]
                       ) -> Callable[Concatenate[Database, P], R]:
    """From `write_in(session, ...)`, which writes inside its caller's transaction (a merge
    makes many changes in one), `write(db, ...)`, which writes in one transaction of its own."""
    def write(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with db.transaction() as session:
            return write_in(session, *args, **kwargs)

    return write


def check_integrity(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        problems = [row[0] for row in con.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in con.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        con.close()
