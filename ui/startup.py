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


def load_window_data(db: Database, *, first_only: str | None = None) -> Loaded:
    """Page classes and the outline of an open database: every page's classes, or with
    `first_only` (a page key) only the home page's and that page's."""
    from ui.pages import page_classes

    return Loaded(page_classes(first_pages(first_only) if first_only is not None else None),
                  load_tree_nodes(db))


def first_pages(start_page: str) -> list[tuple[str, str]]:
    """The registry entries of the home page and of the page the window opens on.

    The page's module is found by its key (`ui.pages.<key>` or `ui.pages.<key>_page`); where
    none is, every page is loaded at once, as the window must show the page it opens on."""
    from ui.pages import PAGES

    names = {f"ui.pages.{start_page}", f"ui.pages.{start_page}_page"}
    found = [entry for entry in PAGES[1:] if entry[0] in names]
    if start_page and start_page != "project" and not found:
        return list(PAGES)
    return [PAGES[0], *found]


def load_other_pages(loaded: list[type[Page]]) -> list[type[Page]]:
    """The page classes not yet `loaded` (the second stage of a normal start)."""
    from ui.pages import PAGES, page_classes

    modules = {cls.__module__ for cls in loaded}
    return page_classes([e for e in PAGES if e[0] not in modules
                         and not any(m.startswith(e[0] + ".") for m in modules)])


def open_for_window(path: Path, start_page: str = "") -> Loaded:
    """Open (or create) the database at `path` and read what the window shows first: the
    outline, the home page and the page it opens on (`start_page`, the page the user left
    off on). The other pages follow with `load_other_pages`."""
    from dxtracker.plan.bootstrap import open_or_create

    db = open_or_create(path)
    try:
        loaded = load_window_data(db, first_only=start_page)
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
