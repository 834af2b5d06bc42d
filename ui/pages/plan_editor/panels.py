"""The two table tabs of plan management. 修正提案: the target revisions departments proposed
in their returns, to accept (the target is revised, with the proposal's reason) or reject
(a note is required; the department is told). 部局: the prefecture's departments, to add,
rename, retire or merge into another (a reorganisation); names show in the navigation, so
every change re-reads the outline app-wide. Each decision opens its dialog
(`ui.dialogs.plan_admin`), which shows what will change before it is made; the decisions are
the core's (`dxtracker.plan.proposals`, `dxtracker.plan.departments`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.plan import departments as dept_core
from dxtracker.plan import proposals
from ui.dialogs.plan_admin.base import ConfirmDialog
from ui.i18n import tr
from ui.models.rows_model import RowsModel, rows_table

if TYPE_CHECKING:
    from ui.pages.plan_editor.page import PlanEditorPage


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


class TablePanel(QWidget):
    """A table to act on (`selected` is the chosen row's key) and a line saying what was done;
    changes are told to the page."""

    def __init__(self, page: PlanEditorPage, headers: Callable[[], list[str]], table: str,
                 message: str) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.model = RowsModel(headers, self)
        self.view = rows_table(self.model, table)
        self.message = QLabel()
        self.message.setObjectName(message)

        self.dialog: QDialog | None = None  # the decision being confirmed

    def selected(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        return self.model.keys[rows[0].row()] if rows else None

    def confirm(self, dialog: ConfirmDialog, on_done: Callable[[str], None]) -> QDialog:
        """Open the dialog that shows the change and makes it; `on_done(text)` once made."""
        self.dialog = dialog
        dialog.source = self.page  # refreshed here, after on_done
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._done(on_done, dialog.done_text))
        dialog.open()
        return dialog

    def _done(self, on_done: Callable[[str], None], text: str) -> None:
        self.page.refresh()
        on_done(text)


class ProposalPanel(TablePanel):
    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__(page, lambda: [tr("番号"), tr("指標"), tr("年度"), tr("部局"),
                                        tr("現在の目標"), tr("提案"), tr("理由"), tr("状態"),
                                        tr("決定の理由")], "proposal_table", "proposal_message")
        self.pending_only = QCheckBox()
        self.pending_only.setObjectName("pending_only")
        self.pending_only.setChecked(True)
        self.pending_only.toggled.connect(lambda _: self.refresh())
        self.note = QLineEdit()
        self.note.setObjectName("proposal_note")
        self.note_label = QLabel()
        self.note_label.setBuddy(self.note)
        self.accept_button, self.reject_button = QPushButton(), QPushButton()
        self.accept_button.setObjectName("accept_proposal")
        self.reject_button.setObjectName("reject_proposal")
        self.accept_button.clicked.connect(lambda: self.decide(accept=True))
        self.reject_button.clicked.connect(lambda: self.decide(accept=False))
        layout = QVBoxLayout(self)
        layout.addWidget(self.pending_only)
        layout.addWidget(self.view, 1)
        layout.addLayout(_row(self.note_label, self.note, self.accept_button,
                              self.reject_button))
        layout.addWidget(self.message)

    def retranslate(self) -> None:
        self.pending_only.setText(tr("未決定の提案だけを表示(&P)"))
        self.note_label.setText(tr("理由・メモ(&N):"))
        self.note.setPlaceholderText(tr("却下するときは理由が必要です（部局へ伝えます）"))
        self.accept_button.setText(tr("承認して目標を修正(&A)"))
        self.reject_button.setText(tr("却下(&J)"))

    def refresh(self) -> None:
        status = "pending" if self.pending_only.isChecked() else None
        with self.ctx.db.read() as session:
            rows = proposals.list_proposals(session, status)
        status_text = {"pending": tr("未決定"), "accepted": tr("承認"), "rejected": tr("却下")}
        self.model.set_rows([(p.id, p.kpi_code, fiscal_year_label(p.fiscal_year), p.department,
                              p.current_target or "—", p.value, p.reason,
                              status_text[p.status], p.decision_note) for p in rows],
                            [p.id for p in rows])
        if rows:
            self.view.selectRow(0)

    def decide(self, *, accept: bool) -> QDialog | None:
        proposal_id = self.selected()
        if proposal_id is None:
            self.message.setText(tr("表で修正提案を選んでください。"))
            return None
        from ui.dialogs.plan_admin.proposal import ProposalDialog

        def done(text: str) -> None:
            self.note.clear()
            self.message.setText(text)

        return self.confirm(ProposalDialog(self.ctx, proposal_id, accept=accept,
                                           note=self.note.text(), parent=self.page), done)


class DepartmentPanel(TablePanel):
    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__(page, lambda: [tr("コード"), tr("部局名"), tr("状態"), tr("旧名"),
                                        tr("統合先")], "department_table", "department_message")
        self.name = QLineEdit()
        self.name.setObjectName("department_name")
        self.name_label = QLabel()
        self.name_label.setBuddy(self.name)
        self.target = QComboBox()
        self.target.setObjectName("merge_target")
        self.target_label = QLabel()
        self.target_label.setBuddy(self.target)
        self.buttons = {key: QPushButton() for key in ("add", "rename", "retire", "merge")}
        for key, button in self.buttons.items():
            button.setObjectName(f"department_{key}")
            button.clicked.connect(lambda _=False, k=key: self.act(k))
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(_row(self.name_label, self.name, self.buttons["add"],
                              self.buttons["rename"]))
        layout.addLayout(_row(self.target_label, self.target, self.buttons["merge"],
                              self.buttons["retire"]))
        layout.addWidget(self.message)

    def retranslate(self) -> None:
        self.name_label.setText(tr("部局名(&D):"))
        self.target_label.setText(tr("統合先(&G):"))
        texts = {"add": tr("追加"), "rename": tr("選んだ部局の名称を変更"),
                 "retire": tr("選んだ部局を廃止"), "merge": tr("選んだ部局を統合")}
        for key, button in self.buttons.items():
            button.setText(texts[key])

    def refresh(self) -> None:
        with self.ctx.db.read() as session:
            rows = dept_core.list_departments(session)
        self.model.set_rows([(d.code, d.name, tr("廃止") if d.retired else tr("現行"),
                              "、".join(n.name for n in d.names if n.name != d.name),
                              d.merged_into or "") for d in rows], [d.code for d in rows])
        self.target.clear()
        self.target.addItems([d.name for d in rows if not d.retired])

    def act(self, key: str) -> QDialog | None:
        """Open the dialog of `key` (add, rename, retire, merge) for the chosen department."""
        code = self.selected()
        if key != "add" and code is None:
            self.message.setText(tr("表で部局を選んでください。"))
            return None
        from ui.dialogs.plan_admin.departments import DepartmentDialog

        name = self.model.rows[self.model.keys.index(code)][1] if code is not None else ""
        dialog = DepartmentDialog(self.ctx, key, self.page, department=name,
                                  new_name=self.name.text().strip(),
                                  target=self.target.currentText())

        def done(text: str) -> None:
            self.name.clear()
            self.message.setText(text)

        return self.confirm(dialog, done)
