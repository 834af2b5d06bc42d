"""The 計画の管理 page itself: three tabs (the item editor, the proposals, the departments),
the question about unsaved changes, and the app-wide re-read after the outline changed."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.i18n import tr
from ui.pages import Page
from ui.pages.plan_editor.item_editor import Button, ItemEditor
from ui.pages.plan_editor.panels import DepartmentPanel, ProposalPanel


class PlanEditorPage(Page):
    page_key = "plan_editor"
    title_ja = "計画の管理"
    headquarters_only = True
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.editor = ItemEditor(self)
        self.proposals = ProposalPanel(self)
        self.departments = DepartmentPanel(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("plan_editor_tabs")
        for panel in (self.editor, self.proposals, self.departments):
            self.tabs.addTab(panel, "")
        QVBoxLayout(self).addWidget(self.tabs)
        ctx.item_selected.connect(self._remember_item)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        for i, text in enumerate((tr("項目の編集"), tr("修正提案"), tr("部局"))):
            self.tabs.setTabText(i, text)
        for panel in (self.editor, self.proposals, self.departments):
            panel.retranslate()

    def refresh(self) -> None:
        for panel in (self.editor, self.proposals, self.departments):
            panel.refresh()

    def show_item(self, code: str) -> None:
        self.tabs.setCurrentWidget(self.editor)
        self.editor.show_item(code)

    def _remember_item(self, code: str) -> None:
        # The navigation opens the project view; follow the choice for when we are shown.
        if not self.editor.is_dirty():
            self.editor.show_item(code, ask=False)

    def confirm_close(self) -> bool:
        return self.editor.settle_unsaved()

    def ask_unsaved(self) -> Button:
        """Save, Discard or Cancel; replaced in tests."""
        return QMessageBox.question(self, tr("未保存の変更"),
                                    tr("編集中の項目が保存されていません。保存しますか？"),
                                    Button.Save | Button.Discard | Button.Cancel, Button.Save)

    def outline_changed(self, message: str) -> None:
        """Names, departments or items changed: every page and the navigation re-read the
        plan (the undo stack is kept), then the status bar says what was saved."""
        self.ctx.plan_changed(message, source=self)
        self.refresh()  # once, here: the other pages refresh through the context
