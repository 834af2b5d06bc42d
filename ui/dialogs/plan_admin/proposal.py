"""修正提案の承認・却下: a target revision a department proposed in its return. The dialog shows
the KPI, the current target and the proposed one, and whether accepting records a revision
(published plan: the old value is kept and shown "(…からの修正)") or overwrites a target not
yet published; rejecting needs a reason, which the department is told."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from dxtracker.errors import DxTrackerError
from dxtracker.plan import proposals
from dxtracker.plan.revisions import edition_for_changes, revises
from dxtracker.store.models import RevisionProposal
from ui.context import AppContext
from ui.dialogs.plan_admin.base import ConfirmDialog, html_list, para
from ui.i18n import tr
from ui.models import year_label


class ProposalDialog(ConfirmDialog):
    name = "proposal"

    def __init__(self, ctx: AppContext, proposal_id: int, *, accept: bool, note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.proposal_id, self.accepting = proposal_id, accept
        self.note = QLineEdit(note)
        self.note.setObjectName("proposal_decision_note")
        self.note.textChanged.connect(lambda _: self.update_preview())
        self.add_row("note", self.note)
        self.finish_setup()

    def title(self) -> str:
        return tr("修正提案を承認") if self.accepting else tr("修正提案を却下")

    def ok_text(self) -> str:
        return tr("承認して目標を修正(&A)") if self.accepting else tr("却下する(&J)")

    def label_texts(self) -> dict[str, str]:
        self.note.setPlaceholderText(tr("承認のメモ（任意）") if self.accepting
                                     else tr("却下の理由（部局へ伝えます）"))
        return {"note": tr("メモ(&N):") if self.accepting else tr("却下の理由(&R):")}

    def preview_html(self) -> str:
        with self.ctx.db.read() as session:
            p = session.get(RevisionProposal, self.proposal_id)
            if p is None:
                raise DxTrackerError(f"修正提案 {self.proposal_id} はありません。",
                                     f"No proposal {self.proposal_id}.")
            current = next((t.value for t in p.kpi.targets if t.fiscal_year == p.fiscal_year),
                           None)
            revision = revises(session, p.kpi, current)
            pending = edition_for_changes(session)
            facts = [tr("指標: {code} {name}", code=p.kpi.code, name=p.kpi.name),
                     tr("年度: {year}", year=year_label(p.fiscal_year)),
                     tr("提案した部局: {department}", department=p.department.name),
                     tr("目標: {old} → {new}", old=current or "—", new=p.value),
                     tr("提案の理由: {reason}", reason=p.reason or "—")]
        if not self.accepting:
            if not self.note.text().strip():  # the proposal stays in view meanwhile
                self.refusal = tr("却下の理由を入力してください（部局へ伝えます）。")
            how = tr("目標は変わりません。却下の理由が記録され、部局へ伝えられます。")
        elif revision:
            how = tr("公表済みの目標のため、第{edition}版の修正として元の値（{old}）とともに記録されます。"
                     "誤りだったときは「目標の修正履歴」から取り下げられます。", edition=pending,
                     old=current)
        else:
            how = tr("まだ公表されていない目標のため、そのまま設定されます。")
        return html_list(facts) + para(how, strong=True)

    def apply(self) -> str:
        if self.accepting:
            proposals.accept_proposal(self.ctx.db, self.proposal_id, note=self.note.text(),
                                      source="form")
            return tr("修正提案 {id} を承認しました", id=self.proposal_id)
        proposals.reject_proposal(self.ctx.db, self.proposal_id, self.note.text(),
                                  source="form")
        return tr("修正提案 {id} を却下しました", id=self.proposal_id)
