"""Copying a whole database to another place, a SQLite file or a PostgreSQL server either side
(`dxtracker db copy`): how a prefecture moves from files to a server, and how a department takes
an offline copy of the server's.

The target is built as `init` builds one (a file aside and moved in, or one server
transaction): every table is copied with its ids in the order foreign keys need, the server's id
sequences are set to continue after the copied rows, and the rows of each table in the target
are counted against those read before anything is committed. The source is read in one
consistent view and never written (except that opening an older one upgrades it, as opening
always does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, delete, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError
from dxtracker.store.connect import open_database
from dxtracker.store.location import DatabaseLocation, parse_location
from dxtracker.store.models import Base, Meta
from dxtracker.store.postgres import driver_message, reset_sequences
from dxtracker.store.schema import database_exists, write_new_database

CHUNK_ROWS = 2000  # rows read and written at a time: memory stays small for any size


@dataclass(frozen=True)
class CopyResult:
    source: str  # shown names (a server's URL without a password)
    target: str
    rows: dict[str, int]  # table -> rows copied, in the order they were copied
    not_copied: tuple[str, ...]  # tables of the source that are not DX Tracker's


def copy_whole_database(source: DatabaseLocation | Path | str,
                        target: DatabaseLocation | Path | str, *,
                        force: bool = False) -> CopyResult:
    """Copy every DX Tracker table of `source` into a new database at `target`."""
    source, target = parse_location(source), parse_location(target)
    if source.same_as(target):
        raise DatabaseError(target.name, "コピー元と同じデータベースです。別の場所を指定してください。",
                            "it is the source itself; give another place.")
    if not force and database_exists(target):
        raise DatabaseError(
            target.name, "空ではありません。置き換える場合は --force を付けてください（DX Tracker"
            "のデータベースなら現在の内容は失われます）。",
            "it is not empty. Add --force to replace it (a DX Tracker database there loses its "
            "contents).")
    db = open_database(source)
    try:
        with db.read() as reading:
            source_conn = reading.connection()
            others = _foreign_tables(source_conn)
            rows: dict[str, int] = {}
            write_new_database(target, lambda session: rows.update(
                _copy_tables(source_conn, session, target.name)))
    finally:
        db.close()
    return CopyResult(source.name, target.name, rows, others)


def _foreign_tables(conn: Connection) -> tuple[str, ...]:
    return tuple(sorted(set(inspect(conn).get_table_names()) - set(Base.metadata.tables)))


def _copy_tables(source: Connection, session: Session, name: str) -> dict[str, int]:
    target = session.connection()
    target.execute(delete(Meta.__table__))  # the new database's stamps: the source's come next
    tables = Base.metadata.sorted_tables
    rows = {table.name: copy_rows(source, target, table, name) for table in tables}
    if target.dialect.name == "postgresql":
        reset_sequences(target, tables)
    for table in tables:
        found = target.execute(select(func.count()).select_from(table)).scalar_one()
        if found != rows[table.name]:
            raise DatabaseError(name, f"表 {table.name} の行数が合いません（コピー元 {rows[table.name]}、"
                                f"コピー先 {found}）。何もコピーしていません。",
                                f"table {table.name} has {found} rows, the source "
                                f"{rows[table.name]}; nothing was copied.")
    return rows


def copy_rows(source: Connection, target: Connection, table: Table, name: str = "") -> int:
    """Insert every row of `table` in `source` into the same table in `target` (ids kept);
    the number of rows copied. `table` may also be a reflected one (an older schema)."""
    copied = 0
    try:
        for chunk in _chunks(source, table):
            target.execute(table.insert(), chunk)
            copied += len(chunk)
    except DBAPIError as exc:
        raise DatabaseError(
            name or str(target.engine.url), f"表 {table.name} をコピーできません"
            f"（{driver_message(exc)}）。何もコピーしていません。",
            f"table {table.name} cannot be copied ({driver_message(exc)}); nothing was "
            "copied.") from exc
    return copied


def _chunks(source: Connection, table: Table) -> Iterator[list[dict[str, object]]]:
    query = select(table).order_by(*table.primary_key.columns)
    result = source.execution_options(yield_per=CHUNK_ROWS).execute(query)
    for partition in result.mappings().partitions():
        yield [dict(row) for row in partition]

