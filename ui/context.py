"""AppContext: what every page shares — the database, settings, department, fiscal year,
language, the background-task runner and the one app-wide undo stack — and the signals
pages listen to.

Rules for pages: read `ctx.db` at each use (File > Open replaces it); after a write call
`ctx.notify_saved(message, source=self)` (status bar + `data_changed`), so other pages refresh.

At startup the window is shown before the database is open (`db` is None, `is_loaded` False);
the plan is loaded on the worker and attached with `attach_database`. Pages are constructed
only after that, so a page always sees an open database. This module imports no SQLAlchemy
at import time, so that the window can appear before that library is loaded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from dxtracker.files.atomic import FileWriteError
from ui import i18n
from ui.settings import ROLE_DEPARTMENT, ROLE_HEADQUARTERS, Settings
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from dxtracker.store.db import Database
    from dxtracker.store.location import DatabaseLocation


class PlanFacts:
    """What the window needs of the plan besides the tree: read once per database.
    (A plain class: this module is imported before the window shows; dataclasses compile.)"""

    def __init__(self, title: str = "", fiscal_years: list[int] | None = None,
                 baseline_fiscal_year: int = 0, departments: list[str] | None = None) -> None:
        self.title = title
        self.fiscal_years = list(fiscal_years or [])
        self.baseline_fiscal_year = baseline_fiscal_year
        self.departments = list(departments or [])


def read_plan_facts(db: Database) -> PlanFacts:
    """Safe on any thread (its own session)."""
    from sqlalchemy import select

    from dxtracker.store.lookup import get_plan
    from dxtracker.store.models import Department

    with db.read() as session:
        plan = get_plan(session)
        departments = session.scalars(
            select(Department.name).where(Department.retired.is_(False))
            .order_by(Department.sort_order))
        return PlanFacts(plan.title, plan.fiscal_years, plan.baseline_fiscal_year,
                         list(departments))


class AppContext(QObject):
    fiscal_year_changed = Signal(int)
    department_changed = Signal()
    data_changed = Signal()
    language_changed = Signal()
    saved = Signal(str)
    item_selected = Signal(str)  # a project, KPI or measure code chosen in the navigation
    database_changed = Signal()  # a database was attached (startup, File > Open)

    def __init__(self, db: Database | None, settings: Settings, *,
                 tasks: TaskRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db: Database = db  # type: ignore[assignment]  # None only while starting up
        self.settings = settings
        self.tasks = tasks or TaskRunner(parent=self)
        self.undo_stack = QUndoStack(self)
        self.change_source: QObject | None = None  # set during notify_saved(source=...)
        self.language = settings.language
        i18n.set_language(self.language)
        self.department: str | None = None if settings.is_headquarters else settings.department
        self.is_headquarters = settings.is_headquarters
        self._set_facts(read_plan_facts(db) if db is not None else PlanFacts())

    @property
    def is_loaded(self) -> bool:
        return self.db is not None

    def _set_facts(self, facts: PlanFacts) -> None:
        self.plan_title = facts.title
        self.fiscal_years: list[int] = list(facts.fiscal_years)
        self.baseline_fiscal_year = facts.baseline_fiscal_year
        self.departments: list[str] = list(facts.departments)
        self.fiscal_year = self._initial_fiscal_year(self.settings.fiscal_year)

    def _initial_fiscal_year(self, remembered: int | None) -> int:
        if not self.fiscal_years:
            return remembered or 0
        if remembered in self.fiscal_years:
            return remembered
        from datetime import date  # here: the window shows before a plan (and a year) is in

        from dxtracker.figures.fiscal_year import fiscal_year_of

        # Returns report the year that has just ended: the latest plan year before today's.
        just_ended = fiscal_year_of(date.today()) - 1
        earlier = [fy for fy in self.fiscal_years if fy <= just_ended]
        return earlier[-1] if earlier else self.fiscal_years[0]

    # --- changes -------------------------------------------------------------------------
    def set_fiscal_year(self, fiscal_year: int) -> None:
        if fiscal_year == self.fiscal_year:
            return
        if fiscal_year not in self.fiscal_years:
            raise ValueError(f"fiscal year {fiscal_year} is not in the plan {self.fiscal_years}")
        self.fiscal_year = fiscal_year
        self.settings.fiscal_year = fiscal_year
        self.fiscal_year_changed.emit(fiscal_year)

    def set_department(self, department: str | None) -> None:
        """A department name, or None for headquarters mode (知事政策局・取りまとめ)."""
        if department is not None and department not in self.departments:
            raise ValueError(f"unknown department {department!r}; one of: "
                             + ", ".join([*self.departments, "headquarters"]))
        self.department = department
        self.is_headquarters = department is None
        self.settings.department = department
        self.settings.role = ROLE_HEADQUARTERS if department is None else ROLE_DEPARTMENT
        self.save_settings()
        self.department_changed.emit()

    def set_language(self, language: str) -> None:
        if language == self.language:
            return
        i18n.set_language(language)
        self.language = language
        self.settings.language = language
        self.save_settings()
        self.language_changed.emit()

    def notify_saved(self, message: str, *, source: QObject | None = None) -> None:
        """After a write: status-bar message, and every page refreshes — except `source`,
        the page that made the change and already shows it (its editor keeps its place)."""
        self.change_source = source
        try:
            self.saved.emit(message)
            self.data_changed.emit()
        finally:
            self.change_source = None

    def select_item(self, code: str) -> None:
        self.item_selected.emit(code)

    # --- the database ----------------------------------------------------------------------
    def attach_database(self, db: Database, facts: PlanFacts | None = None) -> None:
        """Use `db` from now on (startup, File > Open); `facts` if already read on a worker."""
        old, self.db = self.db, db
        if old is not None and old is not db:
            self.tasks.wait_for_done()
            old.close()
        self.undo_stack.clear()  # commands refer to rows of the previous file
        self._reread_plan(facts or read_plan_facts(db))
        self.data_changed.emit()

    def plan_changed(self, message: str, *, source: QObject | None = None) -> None:
        """The plan's outline changed in this database (names, items, departments, years):
        the window re-reads it and every page refreshes (but `source`, which does so itself),
        as after File > Open, but the undo stack is kept: its commands are for this file."""
        self._reread_plan(read_plan_facts(self.db))
        self.notify_saved(message, source=source)

    def _reread_plan(self, facts: PlanFacts) -> None:
        self._set_facts(facts)
        if self.department is not None and self.department not in self.departments:
            # The remembered department is not in this plan: ask again by falling back to
            # headquarters (all projects visible) rather than hiding everything.
            self.department, self.is_headquarters = None, True
        self.database_changed.emit()

    def open_database(self, path: Path | DatabaseLocation) -> None:
        """Switch to another database: a file (created with the default plan if missing) or a
        server's location.

        Raises DxTrackerError (the current database stays open) when it cannot be opened.
        """
        from dxtracker.plan.bootstrap import open_or_create

        new_db = open_or_create(path)
        self.settings.db_path = new_db.name  # a server's without its password
        self.attach_database(new_db)
        self.save_settings()

    def save_settings(self) -> None:
        # Settings are a convenience: never lose work (or crash) over them.
        with contextlib.suppress(OSError, FileWriteError):
            self.settings.save()
