"""The main window: navigation dock, fiscal-year selector, page stack, menus, status bar.

Two ways in: with an open database in `ctx` (tests, screenshots, first start) the window is
complete when constructed; without one (a normal start) it shows at once with a "loading"
note and is completed by `finish_loading` when the worker has opened the plan. Pages are
constructed lazily, on first show.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QStackedWidget, QWidget

from dxtracker import __version__
from ui.context import AppContext
from ui.i18n import tr
from ui.navigation import NavigationPanel
from ui.pages import BrokenPage, Page
from ui.window_menus import WindowMenus

if TYPE_CHECKING:  # (this module is imported before the window shows: only what it needs)
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QDialog

    from ui.startup import Loaded

log = logging.getLogger(__name__)
HOME_PAGE = "project"
# .xls and .ods are taken too: the merge page refuses them with the advice to save as .xlsx.
RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class MainWindow(WindowMenus):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("main_window")
        self.classes: dict[str, type[Page]] = {}
        self.pages: dict[str, Page] = {}
        self.stale: set[str] = set()
        self.start_page: str | None = None  # restore_state() before loading finished
        self.navigated = False  # the user chose a page or an item (startup must not jump)
        self.stack = QStackedWidget(self)
        self.loading_label = QLabel(self.stack)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading_label)
        self.setCentralWidget(self.stack)
        self.setAcceptDrops(True)
        self._build_navigation()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_context()
        from ui.change_watch import ChangeWatcher  # changes made by others (issue 13)

        self.change_watch = ChangeWatcher(ctx, self.statusBar().showMessage, self)
        self.retranslate()
        self.open_action.setEnabled(False)  # until the plan is in (finish_loading)
        self.report_action.setEnabled(False)
        self.report_dialog: QDialog | None = None
        if ctx.is_loaded:
            from ui.startup import load_window_data

            self.finish_loading(load_window_data(ctx.db))

    # --- construction ----------------------------------------------------------------
    def _build_navigation(self) -> None:
        self.navigation = NavigationPanel(self)
        self.navigation.code_chosen.connect(self.ctx.select_item)
        self.nav_dock = QDockWidget(self)
        self.nav_dock.setObjectName("navigation_dock")
        self.nav_dock.setWidget(self.navigation)
        self.nav_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                  | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.nav_dock)
        self.resizeDocks([self.nav_dock], [300], Qt.Orientation.Horizontal)

    def _build_status_bar(self) -> None:
        self.role_label = QLabel(self)
        self.db_label = QLabel(self)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_label = QLabel(self)
        status = self.statusBar()
        status.addPermanentWidget(self.role_label)
        status.addPermanentWidget(self.db_label, 1)
        status.addPermanentWidget(self.save_label)

    def _connect_context(self) -> None:
        ctx = self.ctx
        ctx.fiscal_year_changed.connect(self._on_fiscal_year_changed)
        ctx.department_changed.connect(self._on_department_changed)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.language_changed.connect(self.retranslate)
        ctx.saved.connect(self._on_saved)
        ctx.item_selected.connect(self._on_item_selected)
        ctx.database_changed.connect(self._on_database_changed)
        ctx.tasks.busy_changed.connect(self._on_busy_changed)

    def finish_loading(self, loaded: Loaded) -> None:
        """Complete the window with what the loader read (page classes, outline)."""
        self.navigation.load(loaded.tree)
        self.open_action.setEnabled(True)
        self.report_action.setEnabled(True)
        self.add_page_classes(loaded.page_classes)
        self.show_page(self.start_page if self.start_page in self.available_keys()
                       else HOME_PAGE)
        shown_project = getattr(self.pages.get(HOME_PAGE), "project_code", None)
        if shown_project:
            self.navigation.select_code(shown_project, emit=False)

    def add_page_classes(self, classes: list[type[Page]]) -> None:
        """Add pages (their buttons, menu entries and shortcuts) once their modules are in."""
        new = [c for c in classes if c.page_key not in self.classes]
        # Settings goes last in the toolbar and the View menu, whatever the registry order.
        new.sort(key=lambda c: c.page_key == "settings")
        self.classes.update((c.page_key, c) for c in new)
        self._build_page_actions([c.page_key for c in new])
        self.retranslate_menus()
        self._apply_role()
        if not self.navigated and self.start_page in [c.page_key for c in new]:
            self.show_page(self.start_page)  # the page the user left off on, if still idle

    # --- pages -------------------------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page for `key`, constructed on first use."""
        if key not in self.pages:
            try:
                page = self.classes[key](self.ctx)
                if not page.refreshes_on_init:
                    page.refresh()
            except Exception as exc:  # a broken page must not take the window down
                log.exception("page %s could not be opened", key)
                page = BrokenPage(self.ctx, key, exc)
            self.pages[key] = page
            self.stack.addWidget(page)
        return self.pages[key]

    def current_page_key(self) -> str | None:
        widget = self.stack.currentWidget()
        return widget.page_key if isinstance(widget, Page) else None

    def show_page(self, key: str) -> Page | None:
        if key not in self.classes or not self.classes[key].available_to(self.ctx):
            return None
        page = self.page(key)
        if key in self.stale:
            self.stale.discard(key)
            page.refresh()
        self.stack.setCurrentWidget(page)
        self.page_actions[key].setChecked(True)
        self._update_title()
        return page

    def available_keys(self) -> list[str]:
        return [k for k, c in self.classes.items() if c.available_to(self.ctx)]

    def _mark_stale(self, *, except_page: object = None) -> None:
        """Refresh the visible page now; the others when they are next shown."""
        current = self.current_page_key()
        for key, page in self.pages.items():
            if page is except_page:
                continue
            if key == current:
                page.refresh()
            else:
                self.stale.add(key)

    # --- context signals -----------------------------------------------------------------
    def _on_data_changed(self) -> None:
        self._mark_stale(except_page=self.ctx.change_source)

    def _on_fiscal_year_changed(self, fiscal_year: int) -> None:
        index = self.fiscal_year_combo.findData(fiscal_year)
        if index >= 0 and index != self.fiscal_year_combo.currentIndex():
            self.fiscal_year_combo.setCurrentIndex(index)
        self._mark_stale()

    def _on_department_changed(self) -> None:
        self._apply_role()
        self._mark_stale()

    def _on_database_changed(self) -> None:
        if not self.classes:
            return  # startup: finish_loading follows with the outline already read
        from ui.startup import load_tree_nodes

        self._fill_fiscal_years()
        self.navigation.load(load_tree_nodes(self.ctx.db))
        self._apply_role()

    def _on_saved(self, message: str) -> None:
        from datetime import datetime

        self.statusBar().showMessage(message, 8000)
        self.last_saved = datetime.now().strftime("%H:%M")
        self._update_save_label()

    def _on_busy_changed(self, _busy: bool) -> None:
        self._update_save_label()

    def _on_item_selected(self, code: str) -> None:
        self.navigated = True
        page = self.show_page(HOME_PAGE)
        if page is not None and hasattr(page, "show_item"):
            page.show_item(code)
        self.navigation.select_code(code, emit=False)

    def _on_fiscal_year_chosen(self, index: int) -> None:
        fiscal_year = self.fiscal_year_combo.itemData(index)
        if fiscal_year is not None:
            self.ctx.set_fiscal_year(int(fiscal_year))

    def _apply_role(self) -> None:
        for key, action in self.page_actions.items():
            action.setVisible(self.classes[key].available_to(self.ctx))
        self.report_action.setVisible(self.ctx.is_headquarters)  # the council's document
        self.plan_menu.update_visibility()
        self.navigation.set_department(self.ctx.department)
        current = self.current_page_key()
        if current is not None and not self.classes[current].available_to(self.ctx):
            self.show_page(HOME_PAGE)
        self._update_status()

    # --- texts ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.retranslate_menus()
        self.nav_dock.setWindowTitle(tr("計画の構成"))
        self.loading_label.setText(tr("計画を読み込んでいます…"))
        self.navigation.retranslate()
        for page in self.pages.values():
            page.retranslate()
        self._update_status()
        self._update_title()

    def _update_title(self) -> None:
        key = self.current_page_key()
        page_title = tr(self.classes[key].title_ja) if key else ""
        parts = [page_title, tr("DX Tracker（DX推進計画 進捗管理）")]
        self.setWindowTitle(" — ".join(p for p in parts if p))

    def _update_status(self) -> None:
        if self.ctx.is_headquarters:
            self.role_label.setText(tr("本部（取りまとめ）"))
        else:
            self.role_label.setText(tr("部局: {department}", department=self.ctx.department))
        path = self.ctx.db.name if self.ctx.is_loaded else ""  # a server's: no password
        self.db_label.setText(tr("データベース: {path}", path=path))
        self.db_label.setToolTip(str(path))
        self._update_save_label()

    def _update_save_label(self) -> None:
        # Every change is saved in its own transaction at once: the label says when.
        if self.ctx.tasks.running:
            self.save_label.setText(tr("処理中…"))
        elif getattr(self, "last_saved", None):
            self.save_label.setText(tr("保存済み（{time}）", time=self.last_saved))
        else:
            self.save_label.setText(tr("保存済み"))

    # --- commands --------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.nav_dock.show()
        self.navigation.search.setFocus()
        self.navigation.search.selectAll()

    def choose_database(self) -> None:
        from ui.database_actions import choose_database

        choose_database(self, self.ctx)

    def create_report(self) -> QDialog | None:
        """ファイル > 報告書を作成… (headquarters): the dialog, one at a time."""
        if not (self.ctx.is_loaded and self.ctx.is_headquarters):
            return None
        if self.report_dialog is None:
            from ui.dialogs.report import ReportDialog

            self.report_dialog = ReportDialog(self.ctx, self)
            self.report_dialog.finished.connect(self._report_dialog_closed)
        self.report_dialog.show()
        self.report_dialog.raise_()
        self.report_dialog.activateWindow()
        return self.report_dialog

    def _stop_report(self) -> bool:
        """Closing while a report is being made: stop it, if the user agrees."""
        dialog = self.report_dialog
        if dialog is None or not dialog.is_running():
            return True
        if not self.confirm_stop_report():
            return False
        dialog.reject()
        return True

    def confirm_stop_report(self) -> bool:
        """Asked when the window closes during a report; replaced in tests."""
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox.question(self, tr("報告書を作成"),
                                    tr("報告書を作成中です。中止して終了しますか？")) \
            == QMessageBox.StandardButton.Yes

    def _report_dialog_closed(self) -> None:
        if self.report_dialog is not None:
            self.report_dialog.deleteLater()
            self.report_dialog = None

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, tr("バージョン情報"), tr(
            "DX Tracker {version}\nDX推進計画の進捗管理\n\nデータベース: {path}",
            version=__version__, path=self.ctx.db.name if self.ctx.is_loaded else ""))

    # --- drag and drop of returns ----------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_returns(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_returns(event)
        if paths and self.drop_files(paths):
            event.acceptProposedAction()
        else:
            event.ignore()

    @staticmethod
    def _dropped_returns(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        return [p for p in paths if p.suffix.lower() in RETURN_SUFFIXES or p.is_dir()]

    def drop_files(self, paths: list[Path]) -> bool:
        """Hand dropped returns to the merge page (headquarters), if it is registered."""
        page = self.show_page("merge") if "merge" in self.classes else None
        if page is None or not hasattr(page, "add_files"):
            self.statusBar().showMessage(
                tr("回答ファイルの取込は本部（取りまとめ）モードで行えます。"), 8000)
            return False
        page.add_files(paths)
        return True

    # --- window state ----------------------------------------------------------------------
    def restore_state(self) -> None:
        settings = self.ctx.settings
        if settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(settings.window_geometry.encode()))
        else:
            self.resize(1280, 800)
        if settings.window_state:
            self.restoreState(QByteArray.fromBase64(settings.window_state.encode()))
        self.start_page = settings.last_page
        if self.classes:
            self.show_page(self.start_page if self.start_page in self.available_keys()
                           else HOME_PAGE)

    def save_state(self) -> None:
        settings = self.ctx.settings
        settings.window_geometry = self.saveGeometry().toBase64().data().decode("ascii")
        settings.window_state = self.saveState().toBase64().data().decode("ascii")
        key = self.current_page_key()
        if key:
            settings.last_page = key
        self.ctx.save_settings()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not all(page.confirm_close() for page in self.pages.values()):
            event.ignore()
            return
        if not self._stop_report():
            event.ignore()
            return
        self.save_state()
        self.ctx.tasks.wait_for_done(10_000)
        event.accept()



