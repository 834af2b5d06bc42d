"""項目の削除・廃止: take a vision, project, KPI or measure out of the plan.

The dialog says first what refers to the item (`dxtracker.plan.references`): with nothing, it
can be deleted; else only retired (kept in the history and in the reports of the years it has
data for, gone from new returns, entry forms and the next plan). A retired item can be
reinstated here too. Each is one transaction, audited, and goes on the undo stack (Ctrl+Z).
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLineEdit, QRadioButton, QWidget

from dxtracker.plan.item_state import find_item, item_label
from dxtracker.plan.references import references_in
from dxtracker.plan.removal import delete_item
from dxtracker.plan.retirement import items_below, reinstate_item, retire_item
from ui.context import AppContext
from ui.dialogs.plan_admin.base import ConfirmDialog, chosen_date, date_edit, html_list, para
from ui.i18n import language, tr
from ui.models.plan_items import plan_items
from ui.plan_commands import PlanUndo

MODES = ("delete", "retire", "reinstate")


class RemoveItemDialog(ConfirmDialog):
    name = "remove_item"

    def __init__(self, ctx: AppContext, code: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.item = QComboBox()
        self.item.setObjectName("remove_item_chooser")
        with ctx.db.read() as session:
            for entry in plan_items(session):
                self.item.addItem(entry.text, (entry.kind, entry.code))
        index = next((i for i in range(self.item.count()) if self.item.itemData(i)[1] == code),
                     0)
        self.item.setCurrentIndex(index)
        self.modes = {mode: QRadioButton() for mode in MODES}
        group = QButtonGroup(self)
        row = QHBoxLayout()
        for mode, button in self.modes.items():
            button.setObjectName(f"remove_mode_{mode}")
            group.addButton(button)
            row.addWidget(button)
            button.toggled.connect(lambda on: on and self.update_preview())
        holder = QWidget()
        holder.setLayout(row)
        self.date = date_edit("remove_date")
        self.reason = QLineEdit()
        self.reason.setObjectName("remove_reason")
        for key, widget in (("item", self.item), ("mode", holder), ("date", self.date),
                            ("reason", self.reason)):
            self.add_row(key, widget)
        self.labels["mode"].setBuddy(self.modes["delete"])
        self.item.currentIndexChanged.connect(lambda _: self._item_chosen())
        self._item_chosen(preview=False)
        self.finish_setup()

    def kind_code(self) -> tuple[str, str]:
        return self.item.currentData()  # type: ignore[no-any-return]

    def mode(self) -> str:
        return next(m for m, button in self.modes.items() if button.isChecked())

    def _item_chosen(self, *, preview: bool = True) -> None:
        """The way that fits the item: delete when nothing refers to it, else retire."""
        kind, code = self.kind_code()
        with self.ctx.db.read() as session:
            row = find_item(session, kind, code)
            retired, referred = row.retired, bool(references_in(session, row))
        self.modes["delete"].setEnabled(not referred)
        self.modes["retire"].setEnabled(not retired)
        self.modes["reinstate"].setEnabled(retired)
        mode = "reinstate" if retired else "retire" if referred else "delete"
        self.modes[mode].setChecked(True)
        if preview:
            self.update_preview()

    def title(self) -> str:
        return tr("項目を削除・廃止")

    def ok_text(self) -> str:
        return {"delete": tr("削除する(&D)"), "retire": tr("廃止する(&T)"),
                "reinstate": tr("廃止を取り消す(&U)")}[self.mode()]

    def label_texts(self) -> dict[str, str]:
        for mode, text in (("delete", tr("削除（計画から消す）")),
                           ("retire", tr("廃止（履歴に残す）")),
                           ("reinstate", tr("廃止の取り消し"))):
            self.modes[mode].setText(text)
        self.reason.setPlaceholderText(tr("変更履歴に残ります（任意）"))
        return {"item": tr("項目(&I):"), "mode": tr("方法:"), "date": tr("廃止日(&O):"),
                "reason": tr("理由(&R):")}

    def preview_html(self) -> str:
        self.ok_button.setText(self.ok_text())
        self.date.setEnabled(self.mode() == "retire")
        kind, code = self.kind_code()
        with self.ctx.db.read() as session:
            row = find_item(session, kind, code)
            label, refs = item_label(kind, row), references_in(session, row)
            below = [item_label(k, child) for k, child in items_below(row) if not child.retired]
            retired_on = row.retired_on
        html = [para(label, strong=True), para(tr("この項目を参照しているもの:")),
                html_list((r.text(language()) for r in refs), empty=tr("なし（削除できます）"))]
        mode = self.mode()
        if mode == "delete" and refs:
            self.refusal = tr("{label} は参照されているため削除できません。「廃止」を選んでください。",
                              label=label)
        elif mode == "delete":
            html.append(para(tr("計画から削除します。後ろの項目の番号は一つずつ繰り上がります。")))
        elif mode == "retire":
            html.append(para(tr("廃止すると、新しい回答様式・入力画面・次期計画から外れます。これまでの実績・進捗・"
                                "変更履歴は残り、データのある年度の報告書には載ります。")))
            if below:
                html += [para(tr("一緒に廃止されるもの:")), html_list(below)]
        else:
            html.append(para(tr("{day}の廃止を取り消し、計画に戻します。", day=retired_on)))
        html.append(para(tr("「元に戻す」（Ctrl+Z）で取り消せます。")))
        return "".join(html)

    def apply(self) -> str:
        kind, code = self.kind_code()
        db, reason = self.ctx.db, self.reason.text().strip()
        undo = PlanUndo(self.ctx, self.parentWidget())
        with db.read() as session:
            row = find_item(session, kind, code)
            label, retired_on = item_label(kind, row), row.retired_on
        mode = self.mode()
        if mode == "delete":
            removed = delete_item(db, kind, code, reason=reason, source="form")
            undo.deleted(removed, tr("{label} の削除", label=removed.label))
            return tr("{label} を削除しました", label=removed.label)
        if mode == "retire":
            day = chosen_date(self.date)
            items = retire_item(db, kind, code, on=day, reason=reason, source="form")
            undo.retired(items, day, reason, tr("{code} の廃止", code=code))
            return tr("{label} を廃止しました", label=label)
        items = reinstate_item(db, kind, code, source="form", reason=reason)
        undo.retired(items, retired_on, reason, tr("{code} の廃止の取り消し", code=code), reinstated=True)
        return tr("{code} の廃止を取り消しました", code=code)
