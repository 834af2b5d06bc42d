"""Copies of a database: the one backup function, and the rotating backups taken before a
merge writes anything.

SQLite's backup API copies a consistent database even while it is in use (a plain file copy
misses the -wal file). The copy is written under a temporary name and renamed when complete, so
a crash during the backup never leaves a half copy that looks like a backup.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

# The database module calls copy_database, so nothing here knows `Database`: the rotating
# backup takes the file's path and copies it with the same backup API.
from dxtracker.store.paths import default_backup_dir

BACKUPS_KEPT = 20
BACKUP_TAG = "before-merge"


def copy_database(source: Path, target: Path) -> Path:
    """Copy the database file `source` to `target` with SQLite's backup API (consistent even
    while another connection writes; a plain file copy would miss the -wal file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source_connection = sqlite3.connect(source)
    try:
        target_connection = sqlite3.connect(target)
        try:
            source_connection.backup(target_connection)
        finally:
            target_connection.close()
    finally:
        source_connection.close()
    return target


def backup_before_merge(db_path: Path, backup_dir: Path | None = None,
                        *, keep: int = BACKUPS_KEPT) -> Path:
    """Back the database file up into `backup_dir` and keep only the newest `keep` such
    backups (safe while the database is open: SQLite's backup API, as `Database.backup_to`)."""
    folder = backup_dir or default_backup_dir(db_path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{db_path.stem}.{BACKUP_TAG}-{stamp}{db_path.suffix}"
    partial = target.with_name(target.name + ".partial")
    copy_database(db_path, partial)
    os.replace(partial, target)
    prune_backups(folder, db_path, keep)
    return target


def merge_backups(folder: Path, db_path: Path) -> list[Path]:
    """The merge backups of `db_path` in `folder`, oldest first (the stamp sorts by time)."""
    pattern = f"{db_path.stem}.{BACKUP_TAG}-*{db_path.suffix}"
    return sorted(folder.glob(pattern))


def prune_backups(folder: Path, db_path: Path, keep: int) -> None:
    for old in merge_backups(folder, db_path)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
