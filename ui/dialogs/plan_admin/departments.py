"""部局の追加・名称変更・統合・廃止: the prefecture's reorganisation, one dialog for the four,
each showing what will change first (`dxtracker.plan.admin_preview`: what a department leads,
reports and is responsible for; how many rows a merge moves or combines). The core decides
(`dxtracker.plan.departments`); a merge and a retirement are not undone by 元に戻す."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from dxtracker.errors import DxTrackerError
from dxtracker.plan import departments as core
from dxtracker.plan.admin_preview import DepartmentUses, department_uses, merge_preview
from dxtracker.store.lookup import find_department
from ui.context import AppContext
from ui.dialogs.plan_admin.base import (
    ConfirmDialog,
    chosen_date,
    codes_text,
    date_edit,
    html_list,
    para,
)
from ui.i18n import tr

ACTIONS = ("add", "rename", "merge", "retire")


class DepartmentDialog(ConfirmDialog):
    name = "department"

    def __init__(self, ctx: AppContext, action: str, parent: QWidget | None = None, *,
                 department: str = "", new_name: str = "", target: str = "") -> None:
        super().__init__(ctx, parent)
        self.action = action
        self.department, self.target = QComboBox(), QComboBox()
        self.department.setObjectName("department_source")
        self.target.setObjectName("department_target")
        for combo, chosen in ((self.department, department), (self.target, target)):
            combo.addItems(ctx.departments)
            if chosen in ctx.departments:
                combo.setCurrentText(chosen)
            combo.currentIndexChanged.connect(lambda _: self.update_preview())
        self.name_edit, self.code_edit = QLineEdit(new_name), QLineEdit()
        self.name_edit.setObjectName("department_new_name")
        self.code_edit.setObjectName("department_code")
        self.name_edit.textChanged.connect(lambda _: self.update_preview())
        self.date = date_edit("department_date")
        self.date.dateChanged.connect(lambda _: self.update_preview())
        rows = {"add": (("name", self.name_edit), ("code", self.code_edit)),
                "rename": (("department", self.department), ("name", self.name_edit)),
                "merge": (("department", self.department), ("target", self.target)),
                "retire": (("department", self.department),)}[action]
        for key, widget in (*rows, ("date", self.date)):
            self.add_row(key, widget)
        self.finish_setup()

    def title(self) -> str:
        return {"add": tr("部局を追加"), "rename": tr("部局の名称を変更"),
                "merge": tr("部局を統合"), "retire": tr("部局を廃止")}[self.action]

    def ok_text(self) -> str:
        return {"add": tr("追加する(&A)"), "rename": tr("名称を変更する(&R)"),
                "merge": tr("統合する(&M)"), "retire": tr("廃止する(&T)")}[self.action]

    def label_texts(self) -> dict[str, str]:
        self.code_edit.setPlaceholderText(tr("省略時は自動（D14 など）"))
        return {"department": tr("統合元(&F):") if self.action == "merge" else tr("部局(&D):"),
                "target": tr("統合先(&G):"), "code": tr("部局コード(&C):"),
                "name": tr("新しい名称(&N):") if self.action == "rename" else tr("部局名(&N):"),
                "date": tr("実施日(&O):")}

    def preview_html(self) -> str:
        return getattr(self, f"_preview_{self.action}")()  # type: ignore[no-any-return]

    def _name(self) -> str:
        name = self.name_edit.text().strip()
        if not name:
            raise DxTrackerError("部局名を入力してください。", "Enter a department name.")
        if name in self.ctx.departments:
            raise DxTrackerError(f"部局「{name}」はすでにあります。",
                                 f"Department '{name}' already exists.")
        return name

    def _preview_add(self) -> str:
        return para(tr("部局「{name}」を{day}から追加します。", name=self._name(),
                       day=chosen_date(self.date))) + para(
            tr("追加した部局は、指標の報告部局、施策の担当部局、プロジェクトの主管部局に指定できます。"
               "回答様式もこの部局の分を出力できるようになります。"))

    def _preview_rename(self) -> str:
        return para(tr("「{old}」→「{new}」（{day}から）", old=self.department.currentText(),
                       new=self._name(), day=chosen_date(self.date)), strong=True) + para(
            tr("部局コードと、これまでの回答・実績・進捗はそのまま引き継がれます。旧名は名称の履歴に残り、"
               "旧名で出力された回答様式も取り込めます。"))

    def _preview_merge(self) -> str:
        old, new = self.department.currentText(), self.target.currentText()
        if old == new:
            raise DxTrackerError("統合先には統合元と異なる部局を選んでください。",
                                 "Merge into a different department.")
        with self.ctx.db.read() as session:
            p = merge_preview(session, old, new)
        uses = p.uses
        return "".join((
            para(tr("「{old}」を「{new}」に統合します（{day}）。", old=old, new=new,
                    day=chosen_date(self.date)), strong=True),
            para(tr("統合先へ移るもの:")), html_list(self._uses_lines(uses)),
            para(tr("実績・進捗のうち {moved}行を移し、{combined}行は統合先の同じ年度の行とまとめます"
                    "（合計する指標は合算し、ほかは統合先の値を優先して空欄を補います）。",
                    moved=p.rows_moved, combined=p.rows_combined)),
            para(tr("取り込み済みの回答 {count}件は統合元の記録として残ります。", count=uses.returns)),
            para(tr("統合元は廃止されます。この操作は「元に戻す」では戻せません。"), strong=True),
        ))

    @staticmethod
    def _uses_lines(uses: DepartmentUses) -> list[str]:
        return [tr("主管のプロジェクト: {codes}", codes=codes_text(uses.projects)),
                tr("報告する指標: {codes}", codes=codes_text(uses.kpis)),
                tr("担当する施策: {codes}", codes=codes_text(uses.measures))]

    def _preview_retire(self) -> str:
        name = self.department.currentText()
        with self.ctx.db.read() as session:
            uses = department_uses(session, find_department(session, name))
        if uses.links:
            self.refusal = tr("{name}はまだ担当があるため廃止できません。統合するか、担当を付け替えてください。",
                              name=name)
            return para(tr("「{name}」がまだ担当しているもの:", name=name), strong=True) + \
                html_list(self._uses_lines(uses))
        return para(tr("「{name}」を{day}付けで廃止します。", name=name,
                       day=chosen_date(self.date)), strong=True) + para(
            tr("これまでの実績 {actuals}行、進捗 {progress}行、回答 {returns}件はこの部局の記録として残ります。"
               "この操作は「元に戻す」では戻せません。", actuals=uses.actuals,
               progress=uses.progress, returns=uses.returns))

    def apply(self) -> str:
        db, day, source = self.ctx.db, chosen_date(self.date), "form"
        if self.action == "add":
            code = core.add_department(db, self.name_edit.text(), on=day, source=source,
                                       code=self.code_edit.text().strip() or None)
            return tr("部局「{name}」を追加しました（{code}）", name=self.name_edit.text().strip(),
                      code=code)
        name = self.department.currentText()
        if self.action == "rename":
            core.rename_department(db, name, self.name_edit.text(), on=day, source=source)
            return tr("部局名を「{name}」に変更しました", name=self.name_edit.text().strip())
        if self.action == "merge":
            result = core.merge_departments(db, name, self.target.currentText(), on=day,
                                            source=source)
            return tr("{retired}を{surviving}に統合しました", retired=result.retired,
                      surviving=result.surviving)
        core.retire_department(db, name, on=day, source=source)
        return tr("部局「{name}」を廃止しました", name=name)
