"""Schema upgrades: small named steps, run with foreign keys off, checked after.

Each step takes the schema from version N to N+1 and is listed in `STEPS[N]` (the steps
themselves live in `upgrade_vN.py`, one module per version). The recipe is
the one in FACTS.md: a copy of the file first (SQLite backup API), foreign keys off while the
steps run (a batch table rebuild with foreign keys on silently deletes child rows through ON
DELETE CASCADE), then `foreign_key_check` and `integrity_check`, and only then commit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, text

from dxtracker.errors import DatabaseError
from dxtracker.store import schema
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
    """Bring `db` to the current schema; return the path of the copy taken before, if any."""
    target = schema.SCHEMA_VERSION
    if found_version >= target:
        return None
    missing = [v for v in range(found_version, target) if v not in STEPS]
    if missing:
        raise DatabaseError(db.path, f"スキーマ版 {found_version} からの更新手順がありません。")
    copy = copy_database(db.path, backup_path_for(db.path, found_version))
    log.info("backed up %s to %s before upgrading", db.path, copy)
    with db.engine.connect() as conn:
        # PRAGMA foreign_keys is a no-op inside a transaction: set it on the driver's
        # connection (in autocommit mode, see db.make_engine) before SQLAlchemy's BEGIN.
        raw = conn.connection.dbapi_connection
        assert raw is not None  # None only once the connection is detached or closed
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                for version in range(found_version, target):
                    step = STEPS[version]
                    log.info("upgrade %d -> %d: %s", version, version + 1, step.__doc__)
                    step(conn)
                problems = _problems(conn)
                if problems:
                    raise DatabaseError(
                        db.path,
                        "更新後の検査で問題が見つかったため、更新を取り消しました: "
                        + "; ".join(problems[:5]),
                    )
                conn.execute(
                    text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                    {"v": str(target)},
                )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return copy


def _problems(conn: Connection) -> list[str]:
    problems = [f"foreign key: {tuple(r)}" for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
    problems += [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check") if r[0] != "ok"]
    return problems
