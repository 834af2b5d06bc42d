"""Schema upgrades: small named steps, run in one transaction, checked after.

Each step takes the schema from version N to N+1 and is listed in `STEPS[N]` (the steps
themselves live in `upgrade_vN.py`, one module per version, written with Alembic's operations
so that they run on SQLite and PostgreSQL alike).

A SQLite file follows the recipe in FACTS.md: a copy of the file first (SQLite backup API),
foreign keys off while the steps run (a batch table rebuild with foreign keys on silently
deletes child rows through ON DELETE CASCADE), then `foreign_key_check` and `integrity_check`,
and only then commit. On a PostgreSQL server the transaction itself is the backup (DDL is
transactional there: a failed step leaves the database as it was; before a release the
administrator takes a `pg_dump`, README), the exclusive write lock keeps every other writer and
upgrader out, and ALTER TABLE needs no rebuild. On both, the version is read again once the lock
is held, so that of two programs opening an old database only the first upgrades it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from dxtracker.errors import DatabaseError
from dxtracker.store import postgres, schema
from dxtracker.store.backups import copy_database
from dxtracker.store.db import Database
from dxtracker.store.upgrade_types import UpgradeStep
from dxtracker.store.upgrade_v2 import to_version_2

log = logging.getLogger(__name__)

# from-version -> step taking the schema to from-version + 1
STEPS: dict[int, UpgradeStep] = {1: to_version_2}


def backup_path_for(path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.v{version}-before-upgrade-{stamp}{path.suffix}")


def upgrade_if_needed(db: Database, found_version: int) -> Path | None:
    """Bring `db` to the current schema; return the path of the copy taken before, if any (a
    server database has none: see the module docstring)."""
    target = schema.SCHEMA_VERSION
    if found_version >= target:
        return None
    missing = [v for v in range(found_version, target) if v not in STEPS]
    if missing:
        raise DatabaseError(db.name, f"スキーマ版 {found_version} からの更新手順がありません。")
    if db.path is None:
        _upgrade_server(db, target)
        return None
    copy = copy_database(db.path, backup_path_for(db.path, found_version))
    log.info("backed up %s to %s before upgrading", db.path, copy)
    _upgrade_file(db, target)
    return copy


def _upgrade_file(db: Database, target: int) -> None:
    with db.engine.connect() as conn:
        # PRAGMA foreign_keys is a no-op inside a transaction: set it on the driver's
        # connection (in autocommit mode, see db.make_engine) before SQLAlchemy's BEGIN.
        raw = conn.connection.dbapi_connection
        assert raw is not None  # None only once the connection is detached or closed
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                if _run_steps(conn, target):
                    _check_file(conn, db.name)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _upgrade_server(db: Database, target: int) -> None:
    try:
        with db.engine.connect() as conn, \
                conn.execution_options(**{postgres.WRITE_LOCK: "exclusive"}).begin():
            _run_steps(conn, target)
    except DBAPIError as exc:
        if postgres.sqlstate(exc) == "42501":  # not the owner of the tables
            raise DatabaseError(
                db.name,
                f"スキーマの更新（版 {target} へ）が必要ですが、この利用者にはスキーマを変更する"
                f"権限がありません（{postgres.driver_message(exc)}）。データベースの所有者が "
                "`dxtracker --db URL db upgrade` を実行してください。何も変更していません。",
                f"it needs a schema upgrade (to version {target}), which this user may not run "
                f"({postgres.driver_message(exc)}). The database's owner must run "
                "`dxtracker --db URL db upgrade`; nothing was changed.") from exc
        explained = postgres.server_error(db.location, exc)
        if explained is None:
            raise
        raise explained from exc


def _run_steps(conn: Connection, target: int) -> bool:
    """The steps from the version found under the lock; False if another program was first."""
    found = int(conn.execute(
        text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one())
    if found >= target:
        return False
    for version in range(found, target):
        step = STEPS[version]
        log.info("upgrade %d -> %d: %s", version, version + 1, step.__doc__)
        step(conn)
    conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                 {"v": str(target)})
    return True


def _check_file(conn: Connection, name: str) -> None:
    problems = [f"foreign key: {tuple(r)}"
                for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
    problems += [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check") if r[0] != "ok"]
    if problems:
        raise DatabaseError(
            name, "更新後の検査で問題が見つかったため、更新を取り消しました: " + "; ".join(problems[:5]))
