"""The page registry: every view of the main window is a `Page` listed in `PAGES`.

To add a page, write `ui/pages/<name>.py` (or a package, as `plan_editor/`) with a `Page`
subclass and append ONE line to `PAGES` (module path, class name). At startup the first entry
(the project view, the home page) and the page the window opens on (the one the user left off
on, found by its key: `ui.pages.<key>` or `ui.pages.<key>_page`) are imported with the plan;
the other modules are imported once that page shows its data, on the worker thread, and their
buttons appear when they are ready. A page is constructed only when first shown. Keep a page
module cheap to import all the same (import heavy libraries such as matplotlib, openpyxl or
pandas inside methods): every page's import delays the moment all buttons show.

A page:
- takes `ctx: AppContext` and reads `ctx.db`, `ctx.department`, `ctx.fiscal_year` at each use;
- implements `refresh()` (reload from the database; called after construction unless the
  constructor does it itself (`refreshes_on_init = True`), and when it becomes visible after a
  change: `data_changed`, `fiscal_year_changed`, `department_changed`, `database_changed`)
  and `retranslate()` (set every visible text again through `tr`, keeping what was typed);
- after a write calls `ctx.notify_saved(tr("…"))` so the status bar and other pages update;
- may define `add_files(paths)` (the merge page: files dropped on the window),
  `show_item(code)` (the project view: a code chosen in the navigation tree) and
  `confirm_close() -> bool` (False keeps the window open).
"""

from __future__ import annotations

import logging
from importlib import import_module

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.i18n import tr

log = logging.getLogger(__name__)

# (module path, class name), in menu order. Others: append one line each.
PAGES: list[tuple[str, str]] = [
    ("ui.pages.project", "ProjectPage"),
    ("ui.pages.settings_page", "SettingsPage"),
    ("ui.pages.kpi_entry", "KpiEntryPage"),
    ("ui.pages.progress", "ProgressPage"),
    ("ui.pages.merge", "MergePage"),
    ("ui.pages.tracker", "TrackerPage"),
    ("ui.pages.plan_editor", "PlanEditorPage"),
    ("ui.pages.audit", "AuditPage"),
    ("ui.pages.dashboard", "DashboardPage"),
    ("ui.pages.comparison", "ComparisonPage"),
]


class Page(QWidget):
    page_key: str = ""
    title_ja: str = ""  # a literal: the translation test checks it is in en.json
    headquarters_only: bool = False
    department_only: bool = False
    # True for a page whose constructor already reads its data (calls `refresh()`): the window
    # then does not refresh it again when it first shows it (that read every page twice).
    refreshes_on_init: bool = False

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"page_{self.page_key}")

    @classmethod
    def available_to(cls, ctx: AppContext) -> bool:
        if cls.headquarters_only and not ctx.is_headquarters:
            return False
        return not (cls.department_only and ctx.is_headquarters)

    def refresh(self) -> None:
        """Reload from the database."""

    def retranslate(self) -> None:
        """Set every visible text again (the language changed)."""

    def confirm_close(self) -> bool:
        return True

    def remember_splitter(self, splitter: QSplitter, key: str) -> None:
        """Restore `splitter` from the settings and save it whenever it moves."""
        full_key = f"{self.page_key}.{key}"
        stored = self.ctx.settings.splitters.get(full_key)
        if stored:
            splitter.restoreState(QByteArray.fromBase64(stored.encode("ascii")))

        def store(*_: object) -> None:
            state = splitter.saveState().toBase64().data().decode("ascii")
            self.ctx.settings.splitters[full_key] = state

        splitter.splitterMoved.connect(store)


class BrokenPage(Page):
    """Stands in for a page that failed to open: says so, and keeps the window usable."""

    def __init__(self, ctx: AppContext, key: str, error: BaseException) -> None:
        super().__init__(ctx)
        self.page_key = key
        self.error = error
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(tr("この画面を開けませんでした。\n{error}",
                              error=f"{type(self.error).__name__}: {self.error}"))


def page_classes(entries: list[tuple[str, str]] | None = None, *,
                 strict: bool = False) -> list[type[Page]]:
    """Import the registered page modules (`entries`, default all of `PAGES`).

    A page whose module fails to import is left out and logged, so that one broken page
    cannot keep the whole app from starting; `strict=True` raises instead (the test
    `test_every_registered_page_imports` uses it).
    """
    classes = []
    for module_name, class_name in PAGES if entries is None else entries:
        try:
            cls = getattr(import_module(module_name), class_name)
            if not (isinstance(cls, type) and issubclass(cls, Page)):
                raise TypeError(f"{module_name}.{class_name} is not a Page")
        except Exception:
            if strict:
                raise
            log.exception("page %s.%s left out: it cannot be loaded", module_name, class_name)
            continue
        classes.append(cls)
    return classes
