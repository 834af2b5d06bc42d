"""計画(&P), the headquarters menu of plan administration: publish an edition, extend the plan
period, start the next plan, reorganise departments, decide proposals, withdraw a revision,
delete or retire an item — what the command line's `plan` and `department` commands do, each
in a dialog that shows what will change first (`ui.dialogs.plan_admin`). The dialogs are
imported when first opened (this module is imported before the window shows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu

from ui.i18n import tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

ACTIONS = ("editor", "publish", "extend", "new_period", "department_add", "department_rename",
           "department_merge", "department_retire", "proposals", "revisions", "remove_item")


class PlanMenu(QMenu):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window, self.ctx = window, window.ctx
        self.setObjectName("plan_menu")
        self.dialog: QDialog | None = None  # the one open now (tests reach it here)
        self.actions_by_key: dict[str, QAction] = {}
        self.departments = QMenu(self)
        for key in ACTIONS:
            action = QAction(self)
            action.setObjectName(f"plan_{key}_action")
            action.triggered.connect(lambda _=False, k=key: self.trigger(k))
            self.actions_by_key[key] = action
            (self.departments if key.startswith("department_") else self).addAction(action)
            if key in ("editor", "new_period"):
                self.addSeparator()
            if key == "new_period":
                self.addMenu(self.departments)
        self.menuAction().setVisible(False)  # until the plan is in, at headquarters

    def retranslate(self) -> None:
        self.setTitle(tr("計画(&P)"))
        self.departments.setTitle(tr("部局の再編(&D)"))
        texts = {"editor": tr("計画の管理を開く"), "publish": tr("版を公表(&P)…"),
                 "extend": tr("計画期間を延長(&E)…"), "new_period": tr("次期計画を作成(&N)…"),
                 "department_add": tr("部局を追加(&A)…"),
                 "department_rename": tr("部局の名称を変更(&R)…"),
                 "department_merge": tr("部局を統合(&M)…"),
                 "department_retire": tr("部局を廃止(&T)…"),
                 "proposals": tr("部局からの修正提案(&O)…"),
                 "revisions": tr("目標の修正履歴・取り下げ(&V)…"),
                 "remove_item": tr("項目を削除・廃止(&X)…")}
        for key, action in self.actions_by_key.items():
            action.setText(texts[key])

    def update_visibility(self) -> None:
        self.menuAction().setVisible(self.ctx.is_loaded and self.ctx.is_headquarters)

    def trigger(self, key: str) -> QDialog | None:
        if not (self.ctx.is_loaded and self.ctx.is_headquarters):
            return None
        if key in ("editor", "proposals"):
            page = self.window.show_page("plan_editor")
            if page is not None and key == "proposals":
                page.tabs.setCurrentWidget(page.proposals)  # type: ignore[attr-defined]
            return None
        return self._open(self._factory(key))

    def _factory(self, key: str) -> Callable[[], QDialog]:
        from ui.dialogs.plan_admin import departments, new_period, publish, remove_item, revisions

        window, ctx = self.window, self.ctx
        if key.startswith("department_"):
            return lambda: departments.DepartmentDialog(ctx, key.removeprefix("department_"),
                                                        window)
        if key == "remove_item":
            return lambda: remove_item.RemoveItemDialog(ctx, self._current_item(), window)
        return {"publish": lambda: publish.PublishDialog(ctx, window),
                "extend": lambda: publish.ExtendDialog(ctx, window),
                "new_period": lambda: new_period.NewPeriodDialog(ctx, window),
                "revisions": lambda: revisions.RevisionsDialog(ctx, None, window)}[key]

    def _current_item(self) -> str | None:
        """The item open in 計画の管理, if that page was opened."""
        page = self.window.pages.get("plan_editor")
        return getattr(getattr(page, "editor", None), "code", None)

    def _open(self, factory: Callable[[], QDialog]) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = factory()
        dialog = self.dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _=0: self._forget(dialog))
        dialog.open()  # window-modal, and never blocks (tests drive it)
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
