"""目標の修正履歴: every target revision (or one KPI's), and withdrawing one recorded by
mistake (`dxtracker.plan.revisions.withdraw_revision`: the latest of its KPI and year, not yet
published; a reason is required). The withdrawal is undoable like any plan edit."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from dxtracker.errors import DxTrackerError
from dxtracker.plan.item_state import capture
from dxtracker.plan.revisions import (
    RevisionRow,
    check_withdrawal,
    list_revisions,
    withdraw_revision,
)
from dxtracker.store.models import TargetRevision
from ui.context import AppContext
from ui.dialogs.plan_admin.base import ConfirmDialog, para
from ui.i18n import tr
from ui.models import year_label
from ui.models.rows_model import RowsModel, rows_table
from ui.plan_commands import PlanUndo


class RevisionsDialog(ConfirmDialog):
    name = "revisions"

    def __init__(self, ctx: AppContext, kpi_code: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = RowsModel(lambda: [tr("番号"), tr("指標"), tr("年度"), tr("修正前"),
                                        tr("修正後"), tr("版"), tr("修正日"), tr("理由")], self)
        self.view = rows_table(self.model, "revisions_table")
        with ctx.db.read() as session:
            self.rows: list[RevisionRow] = list_revisions(session, kpi_code)
        self.model.set_rows([(r.id, r.kpi_code, year_label(r.fiscal_year), r.old_value or "—",
                              r.new_value or "—", r.edition or "", r.revised_on or "", r.reason)
                             for r in self.rows], [r.id for r in self.rows])
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.update_preview())
        self.reason = QLineEdit()
        self.reason.setObjectName("withdraw_reason")
        self.reason.textChanged.connect(lambda _: self.update_preview())
        self.add_row("table", self.view)
        self.add_row("reason", self.reason)
        self.view.setMinimumHeight(220)
        if self.rows:
            self.view.selectRow(len(self.rows) - 1)  # the latest: the likeliest mistake
        self.resize(820, 600)
        self.finish_setup()

    def selected(self) -> RevisionRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def title(self) -> str:
        return tr("目標の修正履歴")

    def ok_text(self) -> str:
        return tr("選んだ修正を取り下げる(&W)")

    def label_texts(self) -> dict[str, str]:
        self.reason.setPlaceholderText(tr("例: 誤って記録したため"))
        return {"table": tr("修正(&V):"), "reason": tr("取り下げの理由(&R):")}

    def preview_html(self) -> str:
        row = self.selected()
        if row is None:
            raise DxTrackerError("取り下げる修正を表で選んでください（修正がない場合は閉じてください）。",
                                 "Choose the revision to withdraw in the table.")
        with self.ctx.db.read() as session:  # the core's checks, before the reason is typed
            check_withdrawal(session, session.get_one(TargetRevision, row.id))
        if not self.reason.text().strip():
            raise DxTrackerError("取り下げの理由を入力してください。",
                                 "Give a reason for withdrawing the revision.")
        return para(tr("{code} {year} の目標を {new} から修正前の {old} に戻し、この修正を取り下げます。",
                       code=row.kpi_code, year=year_label(row.fiscal_year),
                       new=row.new_value or "—", old=row.old_value or "—"), strong=True) + para(
            tr("取り下げられるのは、その指標・年度の最新の修正で、まだ公表していない版のものだけです。"
               "変更履歴には修正と取り下げの両方が残ります。「元に戻す」（Ctrl+Z）で取り消せます。"))

    def apply(self) -> str:
        row = self.selected()
        if row is None:
            return ""
        before = capture(self.ctx.db, "kpi", row.kpi_code)
        withdraw_revision(self.ctx.db, row.id, self.reason.text(), source="form")
        after = capture(self.ctx.db, "kpi", row.kpi_code)
        PlanUndo(self.ctx, self.parentWidget()).edited(
            "kpi", row.kpi_code, before, after,
            tr("{code} {year} の修正の取り下げ", code=row.kpi_code,
               year=year_label(row.fiscal_year)))
        return tr("{code} の修正を取り下げました", code=row.kpi_code)
