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


def retired_plan_items(conn: Connection) -> None:
    """Visions, projects, KPIs and measures can be retired (廃止): the date and the edition
    from which the plan no longer carries them (issue 14, delete vs retire)."""
    from sqlalchemy import Column, Date, Integer

    op = operations(conn)
    for table in ("vision", "project", "kpi", "measure"):
        op.add_column(table, Column("retired_on", Date(), nullable=True))
        op.add_column(table, Column("retired_in_edition", Integer(), nullable=True))


PARTS.append(retired_plan_items)


def review_of_returns(conn: Connection) -> None:
    """Headquarters' review of the returns (issue 14): the state of each department's return
    for a year (受付, 確認中, 承認, 差戻し), the items of its last send-back, and the files a
    merge refused (remembered across sessions)."""
    from sqlalchemy import (
        Column,
        DateTime,
        ForeignKeyConstraint,
        Integer,
        PrimaryKeyConstraint,
        String,
        Text,
        UniqueConstraint,
    )

    op = operations(conn)
    op.create_table(
        "return_review",
        Column("id", Integer(), nullable=False),
        Column("department_id", Integer(), nullable=False),
        Column("fiscal_year", Integer(), nullable=False),
        Column("state", String(16), nullable=False),
        Column("state_at", DateTime(), nullable=False),
        Column("state_by", Text(), nullable=False),
        Column("note", Text(), nullable=False),
        Column("accepted_at", DateTime(), nullable=True),
        Column("accepted_by", Text(), nullable=False),
        Column("sent_back_at", DateTime(), nullable=True),
        Column("sent_back_by", Text(), nullable=False),
        Column("sent_back_reason", Text(), nullable=False),
        Column("send_backs", Integer(), nullable=False),
        ForeignKeyConstraint(["department_id"], ["department.id"],
                             name="fk_return_review_department_id_department"),
        PrimaryKeyConstraint("id", name="pk_return_review"),
        UniqueConstraint("department_id", "fiscal_year", name="uq_return_review_department_id"),
    )
    op.create_table(
        "review_item",
        Column("id", Integer(), nullable=False),
        Column("review_id", Integer(), nullable=False),
        Column("entity", String(32), nullable=False),
        Column("item_code", String(32), nullable=False),
        Column("reason", Text(), nullable=False),
        ForeignKeyConstraint(["review_id"], ["return_review.id"], ondelete="CASCADE",
                             name="fk_review_item_review_id_return_review"),
        PrimaryKeyConstraint("id", name="pk_review_item"),
    )
    op.create_index("ix_review_item_review_id", "review_item", ["review_id"])
    op.create_table(
        "refused_return",
        Column("id", Integer(), nullable=False),
        Column("file_name", Text(), nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("department_id", Integer(), nullable=True),
        Column("fiscal_year", Integer(), nullable=True),
        Column("refused_at", DateTime(), nullable=False),
        Column("refused_by", Text(), nullable=False),
        Column("errors_count", Integer(), nullable=False),
        Column("reasons", Text(), nullable=False),
        Column("resolved_at", DateTime(), nullable=True),
        ForeignKeyConstraint(["department_id"], ["department.id"],
                             name="fk_refused_return_department_id_department"),
        PrimaryKeyConstraint("id", name="pk_refused_return"),
    )
    op.create_index("ix_refused_return_sha256", "refused_return", ["sha256"], unique=True)


PARTS.append(review_of_returns)


VERSIONED_TABLES = ("vision", "project", "kpi", "kpi_target", "kpi_actual", "measure",
                    "measure_progress")


def row_versions(conn: Connection) -> None:
    """Optimistic locking (issue 13): a `version` on every row a form edits, counted up by
    each UPDATE, so that a save from an out-of-date form is refused, not written over
    someone else's change (`dxtracker.store.row_versions`). Existing rows start at 1."""
    from sqlalchemy import Column, Integer

    op = operations(conn)
    for table in VERSIONED_TABLES:
        op.add_column(table, Column("version", Integer(), nullable=False, server_default="1"))


PARTS.append(row_versions)


def department_roles(conn: Connection) -> None:
    """Row-level security on a server (issue 13): the server role of each department, which
    `dxtracker server setup` fills (`dxtracker.store.roles`). Empty on a SQLite file."""
    from sqlalchemy import (
        Column,
        ForeignKeyConstraint,
        Integer,
        PrimaryKeyConstraint,
        String,
        UniqueConstraint,
    )

    operations(conn).create_table(
        "department_role",
        Column("department_id", Integer(), nullable=False),
        Column("role_name", String(63), nullable=False),
        ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="CASCADE",
                             name="fk_department_role_department_id_department"),
        PrimaryKeyConstraint("department_id", name="pk_department_role"),
        UniqueConstraint("role_name", name="uq_department_role_role_name"),
    )


PARTS.append(department_roles)
