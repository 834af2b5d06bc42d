"""Schema 1 → 2: the parts this release adds, each a small named function, run in order as
one upgrade step (inside the one transaction `upgrade.upgrade_if_needed` opens).

A part describes the tables and columns as they are at version 2, written out here rather
than taken from the models, so that a later change to a model never changes what this step
does. `tests/core/test_upgrade.py` upgrades a database written by version 1 and checks that
its schema is the one a new database of version 2 gets: a model changed without a part here
fails that test.
"""

from __future__ import annotations

import logging

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from dxtracker.store.upgrade_types import UpgradeStep

if TYPE_CHECKING:
    from alembic.operations import Operations

log = logging.getLogger(__name__)

# The parts, in the order they run. Append one line per part.
PARTS: list[UpgradeStep] = []


def operations(conn: Connection) -> Operations:
    """Alembic's schema operations on `conn` (inside the upgrade's transaction), for SQLite
    and PostgreSQL alike; `batch_alter_table` rebuilds a SQLite table where ALTER cannot.
    Names given here do not go through the models' naming convention: write the final name
    (`ix_kpi_actual_department_id`, as `NAMING_CONVENTION` would make it)."""
    # Imported here: Alembic costs ~0.1 s to import and is needed only while upgrading.
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    return Operations(MigrationContext.configure(conn))


def to_version_2(conn: Connection) -> None:
    """Schema 1 → 2: every part of this release, in order."""
    for part in PARTS:
        log.info("upgrade 1 -> 2, part %s: %s", part.__name__, part.__doc__)
        part(conn)
