"""What an upgrade step is: a function that changes the schema on an open connection, inside
the upgrade's transaction. Its own module so that the steps and the runner share it without
importing each other."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

UpgradeStep = Callable[[Connection], None]
