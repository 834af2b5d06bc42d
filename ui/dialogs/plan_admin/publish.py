"""版を公表 (publish the plan's next edition: what it carries is listed first) and 計画期間を延長
(add fiscal years to the plan period). Neither is on the undo stack: a published edition is
a public document, and a longer period is undone by nothing but a new plan."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from dxtracker.plan.admin_preview import publication_preview
from dxtracker.plan.periods import extend_plan
from dxtracker.plan.revisions import publish_edition
from ui.context import AppContext
from ui.dialogs.plan_admin.base import (
    ConfirmDialog,
    chosen_date,
    date_edit,
    html_list,
    para,
    year_combo,
)
from ui.i18n import tr
from ui.models import year_label


class PublishDialog(ConfirmDialog):
    name = "publish"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.label_edit = QLineEdit()
        self.label_edit.setObjectName("publish_label")
        self.date_edit = date_edit("publish_date")
        self.add_row("label", self.label_edit)
        self.add_row("date", self.date_edit)
        self.finish_setup()

    def title(self) -> str:
        return tr("版を公表")

    def ok_text(self) -> str:
        return tr("公表する(&P)")

    def label_texts(self) -> dict[str, str]:
        self.label_edit.setPlaceholderText(tr("例: 令和5年度改定"))
        return {"label": tr("版の名称(&L):"), "date": tr("公表日(&D):")}

    def preview_html(self) -> str:
        with self.ctx.db.read() as session:
            p = publication_preview(session)
        head = tr("第{number}版として公表します（作成中の第{number}版をそのまま公表）。", number=p.number) \
            if p.first else tr("第{current}版「{label}」の次の第{number}版として公表します。",
                               current=p.current.number, label=p.current.label, number=p.number)
        revisions = [tr("{code} {year}: {old} → {new}（{reason}）", code=r.kpi_code,
                        year=year_label(r.fiscal_year), old=r.old_value or "—",
                        new=r.new_value or "—", reason=r.reason) for r in p.revisions]
        none = tr("なし")
        return "".join((
            para(head, strong=True),
            para(tr("目標の修正（{count}件）:", count=len(revisions))),
            html_list(revisions, empty=none),
            para(tr("【新】の指標（{count}件）:", count=len(p.new_kpis))),
            html_list((f"{code} {name}" for code, name in p.new_kpis), empty=none),
            para(tr("【新規】の施策（{count}件）:", count=len(p.new_measures))),
            html_list((f"{code} {name}" for code, name in p.new_measures), empty=none),
            para(tr("廃止され、この版から載らない項目（{count}件）:", count=len(p.retired))),
            html_list((f"{code} {name}" for code, name in p.retired), empty=none),
            para(tr("公表した版は取り消せません。公表までの計画の変更は、公表後は「元に戻す」で戻せなくなります。")),
        ))

    def apply(self) -> str:
        edition = publish_edition(self.ctx.db, self.label_edit.text(),
                                  published_on=chosen_date(self.date_edit), source="form")
        return tr("第{number}版「{label}」を公表しました", number=edition.number,
                  label=edition.label)


class ExtendDialog(ConfirmDialog):
    name = "extend"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        last = ctx.fiscal_years[-1]
        self.last_combo = year_combo("extend_last", range(last + 1, last + 11))
        self.last_combo.currentIndexChanged.connect(lambda _: self.update_preview())
        self.add_row("last", self.last_combo)
        self.finish_setup()

    def title(self) -> str:
        return tr("計画期間を延長")

    def ok_text(self) -> str:
        return tr("延長する(&E)")

    def label_texts(self) -> dict[str, str]:
        return {"last": tr("最終年度(&L):")}

    def preview_html(self) -> str:
        years = self.ctx.fiscal_years
        last = self.last_combo.currentData()
        added = [year_label(fy) for fy in range(years[-1] + 1, last + 1)]
        return "".join((
            para(tr("計画期間: {first}〜{old} → {first}〜{new}", first=year_label(years[0]),
                    old=year_label(years[-1]), new=year_label(last)), strong=True),
            para(tr("追加される年度:")), html_list(added),
            para(tr("追加した年度の目標は空欄です（指標ごとに設定してください）。その年度の回答様式を出力できるようになります。"
                    "期間は短縮できません。")),
        ))

    def apply(self) -> str:
        old, new = extend_plan(self.ctx.db, self.last_combo.currentData(), source="form")
        return tr("計画期間を{old}まで → {new}まで に延長しました", old=year_label(old),
                  new=year_label(new))
