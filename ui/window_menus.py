"""The main window's actions, menus and toolbar (a mixin of `MainWindow`, kept apart so that
each module does one job): ファイル, 編集, 表示, 設定, ヘルプ; the fiscal-year selector and the
page buttons. Page actions are added once the page classes are known (after loading)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QMenu, QToolBar

from ui.i18n import tr
from ui.plan_menu import PlanMenu

# Shown in their own language, untranslated, so a user who switched by mistake finds the way
# back.
LANGUAGE_NAMES = (("ja", "日本語"), ("en", "English"))


class WindowMenus(QMainWindow):
    """Expects `self.ctx`, `self.nav_dock`, `show_page`, `choose_database`, `create_report`,
    `show_about`, `focus_search` and `_on_fiscal_year_chosen` from the main window."""

    file_menu: QMenu
    page_actions: dict[str, QAction]

    def _build_actions(self) -> None:
        self.open_action = self._action(QKeySequence.StandardKey.Open, self.choose_database)
        self.report_action = self._action(QKeySequence("Ctrl+R"), self.create_report)
        self.report_action.setObjectName("report_action")
        self.quit_action = self._action(QKeySequence("Ctrl+Q"), self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        # Own actions rather than QUndoStack.createUndoAction: its text prefix is fixed at
        # creation and would not follow a language switch.
        stack = self.ctx.undo_stack
        self.undo_action = self._action(QKeySequence("Ctrl+Z"), stack.undo)
        self.redo_action = self._action(QKeySequence("Ctrl+Y"), stack.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        # These slots use the signals' values, never the stack: QUndoStack emits while it is
        # being destroyed (its destructor clears it).
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(self._set_undo_text)
        stack.redoTextChanged.connect(self._set_redo_text)
        self.about_action = self._action(None, self.show_about)
        self.focus_search_action = self._action(QKeySequence("Ctrl+F"), self.focus_search)
        self.settings_action = self._action(QKeySequence("Ctrl+,"),
                                            lambda: self.show_page("settings"))
        self.page_group = QActionGroup(self)
        self.page_actions = {}
        self.language_actions: dict[str, QAction] = {}
        language_group = QActionGroup(self)
        for language, label in LANGUAGE_NAMES:
            action = QAction(label, self)
            action.setCheckable(True)
            action.setChecked(language == self.ctx.language)
            action.triggered.connect(lambda _=False, lang=language: self.ctx.set_language(lang))
            language_group.addAction(action)
            self.language_actions[language] = action

    def _action(self, shortcut, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addAction(self.open_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.report_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("")
        self.edit_menu.addActions([self.undo_action, self.redo_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.focus_search_action)
        self.plan_menu = PlanMenu(self)  # type: ignore[arg-type]  # self is the MainWindow
        bar.addMenu(self.plan_menu)
        self.view_menu = bar.addMenu("")
        self.view_pages_end = self.view_menu.addSeparator()
        self.nav_toggle_action = self.nav_dock.toggleViewAction()
        self.view_menu.addAction(self.nav_toggle_action)
        self.settings_menu = bar.addMenu("")
        self.settings_menu.addAction(self.settings_action)
        self.language_menu = self.settings_menu.addMenu("")
        self.language_menu.addActions(list(self.language_actions.values()))
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.fiscal_year_label = QLabel(self)
        self.fiscal_year_combo = QComboBox(self)
        self.fiscal_year_combo.setObjectName("fiscal_year_combo")
        self.fiscal_year_combo.setMinimumContentsLength(8)
        self.fiscal_year_label.setBuddy(self.fiscal_year_combo)
        self.fiscal_year_combo.currentIndexChanged.connect(self._on_fiscal_year_chosen)
        self.toolbar.addWidget(self.fiscal_year_label)
        self.toolbar.addWidget(self.fiscal_year_combo)
        self.toolbar.addSeparator()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _build_page_actions(self, keys: list[str]) -> None:
        """One checkable action per page: toolbar button, View menu entry, Ctrl+1…9."""
        for number, key in enumerate(keys, start=len(self.page_actions) + 1):
            action = QAction(self)
            action.setObjectName(f"page_action_{key}")
            action.setCheckable(True)
            action.setData(key)
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, k=key: self._page_chosen(k))
            self.page_group.addAction(action)
            self.page_actions[key] = action
            self.toolbar.addAction(action)
            self.view_menu.insertAction(self.view_pages_end, action)

    def _page_chosen(self, key: str) -> None:
        self.navigated = True
        self.show_page(key)

    def retranslate_menus(self) -> None:
        self.file_menu.setTitle(tr("ファイル(&F)"))
        self.edit_menu.setTitle(tr("編集(&E)"))
        self.view_menu.setTitle(tr("表示(&V)"))
        self.settings_menu.setTitle(tr("設定(&S)"))
        self.help_menu.setTitle(tr("ヘルプ(&H)"))
        self.plan_menu.retranslate()
        self.language_menu.setTitle(tr("表示言語"))
        self.open_action.setText(tr("データベースを開く…"))
        self.report_action.setText(tr("報告書を作成…"))
        self.report_action.setStatusTip(tr("全プロジェクトの統合報告書（Excel、任意でPDF）を作成します"))
        self.quit_action.setText(tr("終了"))
        self._update_undo_texts()
        self.focus_search_action.setText(tr("ナビゲーションを検索"))
        self.settings_action.setText(tr("設定…"))
        self.about_action.setText(tr("バージョン情報"))
        self.nav_toggle_action.setText(tr("計画の構成を表示"))
        self.toolbar.setWindowTitle(tr("ツールバー"))
        self.fiscal_year_label.setText(tr("年度(&Y):") + " ")
        for key, action in self.page_actions.items():
            action.setText(tr(self.classes[key].title_ja))
        self._fill_fiscal_years()

    def _update_undo_texts(self) -> None:
        stack = self.ctx.undo_stack
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self._set_undo_text(stack.undoText())
        self._set_redo_text(stack.redoText())

    def _set_undo_text(self, what: str) -> None:
        self.undo_action.setText(tr("元に戻す: {what}", what=what) if what else tr("元に戻す"))

    def _set_redo_text(self, what: str) -> None:
        self.redo_action.setText(tr("やり直し: {what}", what=what) if what else tr("やり直し"))

    def _fill_fiscal_years(self) -> None:
        # Imported here: before the plan is in there are no years, and the window shows first.
        from ui.models import full_year_label

        combo = self.fiscal_year_combo
        blocked = combo.blockSignals(True)
        combo.clear()
        for fiscal_year in self.ctx.fiscal_years:
            combo.addItem(full_year_label(fiscal_year), fiscal_year)
        combo.setCurrentIndex(max(combo.findData(self.ctx.fiscal_year), 0))
        combo.setEnabled(combo.count() > 0)
        combo.blockSignals(blocked)
