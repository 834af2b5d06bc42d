"""What the window needs before it can be used, read in one go — on the worker at a normal
start (so the window appears before SQLAlchemy is even imported), or at once in tests.

Worker-thread rules (see ui/tasks.py): open the database and use sessions made here; return
plain data; create no widgets. Importing the page modules here is fine (classes, no widgets).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ui.context import PlanFacts, read_plan_facts
from ui.navigation import TreeNode

if TYPE_CHECKING:
    from dxtracker.store.db import Database
    from ui.pages import Page


@dataclass
class Loaded:
    page_classes: list[type[Page]]
    tree: list[TreeNode]
    db: Database | None = None
    facts: PlanFacts | None = None


def load_tree_nodes(db: Database) -> list[TreeNode]:
    from ui.navigation_data import load_tree

    with db.read() as session:
        return load_tree(session)


def load_window_data(db: Database, *, home_only: bool = False) -> Loaded:
    """Page classes (all, or only the home page's) and the outline of an open database."""
    from ui.pages import PAGES, page_classes

    return Loaded(page_classes(PAGES[:1] if home_only else None), load_tree_nodes(db))


def load_other_pages() -> list[type[Page]]:
    """The page classes after the home page's (the second stage of a normal start)."""
    from ui.pages import PAGES, page_classes

    return page_classes(PAGES[1:])


def open_for_window(path: Path) -> Loaded:
    """Open (or create) the database at `path` and read what the window shows first: the
    outline and the home page. The other pages follow with `load_other_pages`."""
    from dxtracker.plan.bootstrap import open_or_create

    db = open_or_create(path)
    try:
        loaded = load_window_data(db, home_only=True)
        loaded.db, loaded.facts = db, read_plan_facts(db)
    except BaseException:
        db.close()
        raise
    return loaded


def preload_charts() -> None:
    """Import matplotlib and resolve the chart fonts (the last stage of a normal start, on the
    worker): the first KPI chart or dashboard then opens without a pause of half a second."""
    from dxtracker.report.charts import font_families

    font_families()
