"""Creating a database from a plan file, and opening the default one on first use.

Either a SQLite file or an empty database on a PostgreSQL server (`DatabaseLocation`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from dxtracker.errors import DatabaseError
from dxtracker.plan.plan_file import load_plan, read_plan_file
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.location import DatabaseLocation, parse_location
from dxtracker.store.models import Meta
from dxtracker.store.paths import default_plan_path
from dxtracker.store.schema import database_exists, write_new_database


def create_database(target: DatabaseLocation | Path | str, plan_file: Path | None = None, *,
                    force: bool = False) -> Database:
    """Create a database at `target` holding the plan in `plan_file` (the embedded default plan
    if None).

    A file is built in a temporary file next to its path and moved into place only when
    complete; a server database is built in one transaction. Either way an interrupted or failed
    init never leaves half a database behind.
    """
    location = parse_location(target)
    if not force and database_exists(location):
        if location.is_server:
            raise DatabaseError(
                location.name, "すでに表があります。作り直す場合は --force を付けてください（DX Trackerの"
                "データベースなら現在の内容は失われます）。空のデータベースを指定することもできます。",
                "it already holds tables. Add --force to replace a DX Tracker database (its "
                "contents will be lost), or give an empty database.")
        raise DatabaseError(
            location.name,
            "すでに存在します。作り直す場合は --force を付けてください（現在の内容は失われます）。",
            "already exists. Add --force to replace it (its contents will be lost).",
        )
    data = read_plan_file(plan_file or default_plan_path())

    def fill(session: Session) -> None:
        load_plan(session, data)
        session.add(Meta(key="plan_source", value=str(plan_file or "embedded default")))

    write_new_database(location, fill)
    return Database(location)


def open_or_create(target: DatabaseLocation | Path | str) -> Database:
    """Open `target`, creating a file with the embedded default plan on first use. A server
    database is never created on the way: the administrator runs `dxtracker init` on it."""
    location = parse_location(target)
    if location.path is not None and not location.path.exists():
        create_database(location).close()
    return open_database(location)
