"""Who may write a department's rows on a PostgreSQL server (issue 13): the role of each
department. `dxtracker server setup` (store/roles.py) fills it and creates the roles; the
row-level security policies (store/policies.py) read it through `dxt_my_departments()`.

On a SQLite file the table stays empty: a file has no roles, and its safety is the file's.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxtracker.store.models.base import Base
from dxtracker.store.models.plan import Department

# PostgreSQL's identifiers hold at most 63 bytes (NAMEDATALEN - 1).
ROLE_NAME_LENGTH = 63


class DepartmentRole(Base):
    """The server role whose members write one department's rows (one role a department).
    Only the database's owner writes this table; every DX Tracker role reads it."""

    __tablename__ = "department_role"
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    role_name: Mapped[str] = mapped_column(String(ROLE_NAME_LENGTH), unique=True)

    department: Mapped[Department] = relationship()
