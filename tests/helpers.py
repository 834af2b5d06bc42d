"""Small helpers shared by the core and UI tests."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import select

from dxtracker.plan.snapshot import plan_snapshot
from dxtracker.store.db import Database
from dxtracker.store.models import Department, KpiActual

# Screenshots the UI tests save for people to look at: never the repository.
SHOTS = Path(os.environ.get("DXTRACKER_SHOTS") or tempfile.gettempdir())


def dump(path: Path) -> list[str]:
    """The database's whole content as SQL: equal dumps mean nothing changed."""
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def contents(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by id, as Python values: the same on either engine
    (what `dump` is for a SQLite file)."""
    from dxtracker.store.models import Base

    with db.read() as session:
        return {table.name: [tuple(row) for row in session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}


def snapshot(db: Database) -> dict:
    with db.read() as session:
        return plan_snapshot(session)


def find(snap: dict, kind: str, code: str) -> dict:
    """A KPI (kind "kpis") or measure (kind "measures") of a `plan show --json` snapshot."""
    return next(x for p in snap["projects"] for x in p[kind] if x["code"] == code)


def stored_actual(db: Database, kpi_code: str, department: str, fiscal_year: int) -> str | None:
    """The actual stored for a KPI, department and fiscal year (None when there is none)."""
    with db.read() as session:
        return session.scalar(
            select(KpiActual.value).join(KpiActual.department)
            .where(KpiActual.fiscal_year == fiscal_year, Department.name == department,
                   KpiActual.kpi.has(code=kpi_code)))
