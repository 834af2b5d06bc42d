"""Many rows at once: one executemany of plain tuples, in the caller's transaction.

SQLAlchemy's `connection.execute(table.insert(), [dict, …])` builds, checks and type-processes a
parameter dict per row; for the ~30,000 rows a merge of forty returns writes (audit entries,
kept changes, actuals and progress) that bookkeeping cost three times the SQLite work itself
(benchmarks/bench_merge.py). Here SQLAlchemy still writes the statement and its type
processors still convert the values (a datetime is stored exactly as the ORM stores it), but
once per statement and once per distinct value; the driver gets the rows as tuples.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Table, bindparam, literal_column

from dxtracker.store.postgres import copy_in

Rows = Sequence[Sequence[Any]]
ROW_ID = "row_id"  # the key of an UPDATE's row (a column's own name is reserved for SET)


def insert_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Rows) -> None:
    """INSERT one row per tuple; each tuple holds the values of `columns`, in that order
    (rows given as lists are converted in place: see `_parameters`)."""
    if rows:
        _execute_many(connection, _statement(connection.dialect, table, tuple(columns), False),
                      rows)


def update_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Rows) -> None:
    """UPDATE rows by id; each tuple holds the values of `columns`, then the row's id (rows
    given as lists are converted in place: see `_parameters`). A row with a `version`
    (optimistic locking) gets version + 1, as an ORM update gives it."""
    if rows:
        _execute_many(connection, _statement(connection.dialect, table, tuple(columns), True),
                      rows)


@dataclass(frozen=True)
class _Statement:
    sql: str
    positions: tuple[int, ...]  # for each parameter of `sql`, its place in a row's tuple
    converters: tuple[Callable[[Any], Any] | None, ...]  # for each parameter
    table: str
    inserted: tuple[str, ...] | None  # an INSERT's columns in parameter order (None: UPDATE)
    # Decided once per statement, not for every call: rows in parameter order, and which
    # parameters are converted (position, converter).
    in_order: bool = field(init=False)
    converting: tuple[tuple[int, Callable[[Any], Any]], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_order", self.positions == tuple(range(len(self.positions))))
        object.__setattr__(self, "converting", tuple(
            (i, c) for i, c in enumerate(self.converters) if c is not None))


@functools.lru_cache(maxsize=64)
def _statement(dialect: Dialect, table: Table, columns: tuple[str, ...],
               update: bool) -> _Statement:
    """The statement's SQL, compiled once per dialect, table and columns (compiling is most of
    the cost of a small statement)."""
    if update:
        statement: Any = table.update().where(table.c.id == bindparam(ROW_ID))
        if "version" in table.c and "version" not in columns:
            # A row a form edits (store.models.base.Versioned): a merge's change is a change
            # like a form's, so a form loaded before it refuses to save over it.
            statement = statement.values(version=table.c.version + literal_column("1"))
        names = [*columns, ROW_ID]
    else:
        statement, names = table.insert(), list(columns)
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup
    if order is None:  # a dialect with named parameters: not one DX Tracker uses
        raise NotImplementedError(f"bulk writes need a positional paramstyle ({dialect.name})")
    return _Statement(compiled.string, tuple(names.index(name) for name in order),
                      tuple(_converter(table, name, dialect) for name in order),
                      table.name, None if update else tuple(order))


def _execute_many(connection: Connection, statement: _Statement, rows: Rows) -> None:
    parameters = _parameters(statement, rows)
    # On a PostgreSQL server many rows go in as one COPY stream (store/postgres.py).
    if statement.inserted is None or not copy_in(connection, statement.table,
                                                 statement.inserted, parameters):
        connection.exec_driver_sql(statement.sql, parameters)


def _parameters(statement: _Statement, rows: Rows) -> list[tuple[Any, ...]]:
    """The rows as the driver takes them: tuples in the statement's order, values converted.

    Rows given as lists in the statement's order (as the merge writer collects them) are
    converted in place, then made tuples; anything else is rearranged column by column (zip
    transposes in C), so that only the values being converted cost a Python call each.
    """
    if statement.in_order and all(type(row) is list for row in rows):
        lists = cast(list[list[Any]], rows)  # as just checked
        for i, convert in statement.converting:
            for row in lists:
                row[i] = convert(row[i])
        return list(map(tuple, lists))
    given = list(zip(*rows, strict=True))
    return list(zip(*(given[p] if c is None else map(c, given[p])
                      for p, c in zip(statement.positions, statement.converters, strict=True)),
                    strict=True))


def _converter(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind processor, remembering its results (a merge stamps every row of
    a file with the same time)."""
    if name not in table.c:
        return None
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    return functools.lru_cache(maxsize=256)(process)
