"""Creating a database from a plan file, and opening the default one on first use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError
from dxtracker.plan.plan_file import load_plan, read_plan_file
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.models import Meta
from dxtracker.store.paths import default_plan_path
from dxtracker.store.schema import write_new_database


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

    def fill(session: Session) -> None:
        load_plan(session, data)
        session.add(Meta(key="plan_source", value=str(plan_file or "embedded default")))

    write_new_database(path, fill)
    return Database(path)


def open_or_create(path: Path) -> Database:
    """Open `path`, creating it with the embedded default plan on first use."""
    if not Path(path).exists():
        create_database(path).close()
    return open_database(path)
