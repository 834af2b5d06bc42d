"""Creating a database from a plan file, and opening the default one on first use."""

from __future__ import annotations

import os
from pathlib import Path

from dxtracker.db import Database, create_schema, open_database
from dxtracker.errors import DatabaseError
from dxtracker.models import Meta
from dxtracker.paths import default_plan_path
from dxtracker.plan_file import load_plan, read_plan_file


def create_database(path: Path, plan_file: Path | None = None, *, force: bool = False) -> Database:
    """Create `path` holding the plan in `plan_file` (the embedded default plan if None).

    The database is built in a temporary file next to `path` and moved into place only when
    complete, so an interrupted or failed init never leaves half a database behind.
    """
    path = Path(path)
    if path.exists() and not force:
        raise DatabaseError(
            path,
            "すでに存在します。作り直す場合は --force を付けてください（現在の内容は失われます）。",
            "already exists. Add --force to replace it (its contents will be lost).",
        )
    data = read_plan_file(plan_file or default_plan_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".creating")
    building.unlink(missing_ok=True)
    db = Database(building)
    try:
        create_schema(db)
        with db.transaction() as session:
            load_plan(session, data)
            session.add(Meta(key="plan_source", value=str(plan_file or "embedded default")))
    finally:
        db.close()
    os.replace(building, path)
    return Database(path)


def open_or_create(path: Path) -> Database:
    """Open `path`, creating it with the embedded default plan on first use."""
    if not Path(path).exists():
        create_database(path).close()
    return open_database(path)
