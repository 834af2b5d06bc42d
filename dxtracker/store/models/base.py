"""The declarative base shared by every model, the naming of constraints, and `Meta`: facts
about the file itself.

Figures (baselines, targets, actuals) are stored as the canonical text of a parsed value
(`dxtracker.figures.format.format_value`), so that words, ranges, bounds and composites keep
their meaning and blank stays distinguishable from zero. Only portable constructs are used: the
same models are meant to run on PostgreSQL for headquarters that outgrow one PC.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Date, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints, so that later upgrade steps (batch mode on SQLite) can reach them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The name that stands for every department where a KPI or measure lists its departments.
ALL_DEPARTMENTS = "全部局"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one Table (DeclarativeBase types it as any FromClause): the bulk writers
    # insert into it.
    __table__: ClassVar[Table]


class Retirable:
    """A plan item that can be retired (廃止): a vision, project, KPI or measure that had data
    is not deleted but retired, so that history and past reports keep it while new returns and
    entry forms leave it out (`dxtracker.plan.retirement`). Both None while it is current."""

    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)
    # The edition from which the plan no longer carries it (as `new_in_edition` for 【新】).
    retired_in_edition: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)

    @property
    def retired(self) -> bool:
        return self.retired_on is not None


class Versioned:
    """A row a form edits: its `version` goes up by one with every UPDATE (SQLAlchemy's
    `version_id_col`), so that a save made from what a person loaded earlier is refused when
    someone else changed the row since (`dxtracker.store.row_versions`). Writers that bypass
    the ORM bump it themselves (`dxtracker.returns.bulk.update_rows`). The server default
    gives rows inserted in bulk version 1, as the ORM does."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # A mixin of Base models: the class has its table by the time the mapper is set up.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Meta(Base):
    """Key/value facts about the file itself (schema version, created by which app version)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
