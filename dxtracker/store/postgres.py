"""What a database on a PostgreSQL server needs that a SQLite file does not.

Transactions. SQLite serialises every writer (BEGIN IMMEDIATE); on a server, people write at the
same time. Each write transaction therefore opens with a transaction-level advisory lock on one
key: an ordinary write takes it shared (writers run side by side; two people changing the same
row are told apart by the forms' version check, store/row_versions.py), a merge, an undo, an upgrade and the
creation of a database take it exclusive. So a merge never interleaves with any other write, exactly as on
SQLite, and two merges run one after the other: the second waits at its first statement and,
in READ COMMITTED, then sees everything the first committed. (In REPEATABLE READ the snapshot
would be taken as the lock is requested, before the first merge commits; so writers run in READ
COMMITTED, and readers, who want one consistent view, in REPEATABLE READ READ ONLY.)

Errors. A server that cannot be reached, a role that may not change the schema, and two people
writing the same new row at once are told in the user's words (`server_error`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.exc import DBAPIError

from dxtracker.errors import DatabaseConflict, DatabaseError
from dxtracker.store.location import DatabaseLocation

if TYPE_CHECKING:  # imported with the engine, only where a server is used
    import psycopg

# "DXTR": the one advisory lock key of DX Tracker's write transactions.
WRITE_LOCK_KEY = 0x4458_5452
WRITE_LOCK = "dxtracker_write_lock"  # execution option: "shared" or "exclusive"
# The exclusive lock's statement also asks which tables are under row-level security (for
# `copy_in`): a merge's transaction learns it without a round trip of its own.
_LOCK_SQL = {"shared": f"SELECT pg_advisory_xact_lock_shared({WRITE_LOCK_KEY}), NULL",
             "exclusive": f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY}), ARRAY(SELECT "
                          "relname::text FROM pg_class WHERE relrowsecurity AND relkind = 'r' "
                          "AND pg_table_is_visible(oid))"}
ROW_SECURITY = "dxtracker_row_security"  # Connection.info: those tables, this transaction
CONNECT_TIMEOUT_SECONDS = 10
READER_OPTIONS = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}

# SQLSTATEs (PostgreSQL manual, appendix A)
_CONFLICTS = {"40001", "40P01", "23505"}  # serialization failure, deadlock, unique violation
_NOT_ALLOWED = {"42501"}  # insufficient privilege (also "must be owner of table")


def postgresql_engine(location: DatabaseLocation) -> Engine:
    """An engine on the server: positional parameters (the bulk writer needs them), a connect
    timeout, the password (never in the URL), and the write lock at the start of a writer's
    transaction."""
    assert location.url is not None
    query = location.url.query
    connect_args: dict[str, Any] = {}
    if location.password is not None:
        connect_args["password"] = location.password
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if "application_name" not in query:
        connect_args["application_name"] = "dxtracker"
    engine = create_engine(location.url, paramstyle="format", connect_args=connect_args,
                           pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(WRITE_LOCK)
        conn.info.pop(ROW_SECURITY, None)  # (info outlives the transaction: the connection's)
        if mode:
            secured = conn.exec_driver_sql(_LOCK_SQL[mode]).one()[1]
            if secured is not None:
                conn.info[ROW_SECURITY] = frozenset(secured)

    return engine


def sqlstate(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def driver_message(exc: BaseException) -> str:
    """The server's own message, without SQLAlchemy's statement and background link."""
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())


def server_error(location: DatabaseLocation, exc: BaseException) -> DatabaseError | None:
    """A message for the person at the desk, or None when `exc` is not one we can explain."""
    if not isinstance(exc, DBAPIError):
        return None
    state = sqlstate(exc)
    if state in _CONFLICTS:
        return DatabaseConflict(location.name)
    if "cannot contain NUL" in str(exc):  # psycopg's check: PostgreSQL text has no U+0000
        return DatabaseError(
            location.name, "文字 NUL（U+0000）を含む文字列はサーバーのデータベースに保存できません。"
            "その文字を取り除いてください。変更は保存されていません。",
            "text containing the NUL character (U+0000) cannot be stored in a server database. "
            "Remove that character; nothing was saved.")
    if state in _NOT_ALLOWED and _ROW_POLICY.search(str(exc)):
        return another_departments_row(location, exc)
    if state in _NOT_ALLOWED:
        return DatabaseError(
            location.name,
            f"この操作の権限がありません（{driver_message(exc)}）。データベースの管理者に"
            "依頼してください。変更は保存されていません。",
            f"not allowed for this user ({driver_message(exc)}). Ask the database's "
            "administrator; nothing was saved.")
    if exc.connection_invalidated or _is_connection_failure(state, exc):
        return DatabaseError(
            location.name,
            f"サーバーに接続できません（{driver_message(exc)}）。サーバー名・ポート・データベース名・"
            "利用者名とネットワークを確かめてください。",
            f"cannot connect to the server ({driver_message(exc)}). Check the server, port, "
            "database name, user name and the network.")
    return None


# "new row violates row-level security policy [(USING expression)] for table "kpi_actual""
_ROW_POLICY = re.compile(r'row-level security policy.*?for table "([^"]+)"')


def another_departments_row(location: DatabaseLocation, exc: BaseException) -> DatabaseError:
    """A department's role wrote a row of another department (policies.py, `server setup`):
    the server refused it; say whose row it is and whom to ask."""
    found = _ROW_POLICY.search(str(exc))
    table = found.group(1) if found else "?"
    return DatabaseError(
        location.name,
        f"この行（表 {table}）はほかの部局のものなので、書き込めません。この利用者が書き込めるのは"
        "自分の部局の実績・進捗だけです。その部局の担当者か、本部（DX推進計画の担当）に依頼して"
        "ください。変更は保存されていません。",
        f"this row (table {table}) belongs to another department, so it cannot be written: "
        "this user may write only their own department's actuals and progress. Ask that "
        "department or headquarters (the DX plan's office); nothing was saved.")


def _is_connection_failure(state: str | None, exc: DBAPIError) -> bool:
    if state is None:  # libpq failed before the server answered (host, port, TLS, timeout)
        return "connect" in str(exc).lower()
    # class 08: connection exception; 28: invalid authorisation; 3D000: no such database
    return state.startswith(("08", "28")) or state == "3D000"


def id_sequences(conn: Connection, tables: Iterable[Table]) -> dict[Table, str]:
    """The sequence that hands out each table's ids, for the tables that have one (a single
    integer primary key made by `create_all`), named as the server quotes it."""
    found: dict[Table, str] = {}
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": keys[0].name}).scalar()
        if sequence is not None:
            found[table] = sequence
    return found


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After rows were copied in with their ids: each id sequence continues after the highest
    id, so that the next row added gets a new one."""
    for table, sequence in id_sequences(conn, tables).items():
        column = next(iter(table.primary_key.columns)).name
        conn.execute(text(
            f'SELECT setval(:s, coalesce((SELECT max("{column}") FROM "{table.name}"), 0) + 1,'
            " false)"), {"s": sequence})


# A COPY costs round trips of its own (start, data, end): a handful of rows (a merge's import
# record, its proposals) go as well as INSERTs.
COPY_MIN_ROWS = 50
_ROW_SECURITY = text("SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass(:t)")


def copy_in(conn: Connection, table: str, columns: Sequence[str],
            rows: Sequence[Sequence[Any]]) -> bool:
    """Insert `rows` (values of `columns`, ready for the driver) with COPY FROM STDIN, in the
    connection's transaction; False (nothing done) where the caller should INSERT instead:
    not a server, few rows, or a table under row-level security (COPY FROM refuses those).

    Why: a merge writes ~30,000 rows (audit entries, undo records, figures); on the server,
    executemany sends them as one statement each, COPY as one stream (the merge on a server
    is measured in benchmarks/bench_postgres.py)."""
    if conn.dialect.name != "postgresql" or len(rows) < COPY_MIN_ROWS:
        return False
    secured = conn.info.get(ROW_SECURITY)
    if table in secured if secured is not None else conn.execute(
            _ROW_SECURITY, {"t": table}).scalar():
        return False
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    driver = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    return True
