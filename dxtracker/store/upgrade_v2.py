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

from sqlalchemy import Connection

from dxtracker.store.upgrade_types import UpgradeStep

log = logging.getLogger(__name__)

# The parts, in the order they run. Append one line per part.
PARTS: list[UpgradeStep] = []


def to_version_2(conn: Connection) -> None:
    """Schema 1 → 2: every part of this release, in order."""
    for part in PARTS:
        log.info("upgrade 1 -> 2, part %s: %s", part.__name__, part.__doc__)
        part(conn)
