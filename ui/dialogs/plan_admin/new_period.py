"""次期計画を作成: the next plan period as a new database file, built from the current plan
with what the user chooses to carry (`dxtracker.plan.periods.start_new_plan`). The preview says
how many projects, KPIs and measures go over, which baselines are found and what stays behind;
the file is written on the worker thread with progress, and can be opened when done. The
current database is not changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from dxtracker.errors import DxTrackerError
from dxtracker.plan.admin_preview import new_plan_preview
from dxtracker.plan.periods import NewPlanOptions, start_new_plan
from ui.context import AppContext
from ui.dialogs.plan_admin.base import (
    USER_ERRORS,
    ConfirmDialog,
    codes_text,
    html_list,
    para,
    year_combo,
)
from ui.i18n import language, tr
from ui.models import full_year_label, year_label
from ui.tasks import Progress, error_text

CARRY = ("baselines", "future_picture", "targets", "schedule", "progress")


class NewPeriodDialog(ConfirmDialog):
    name = "new_period"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        years = ctx.fiscal_years
        self.written: Path | None = None
        self.first_combo = year_combo("new_period_first", range(years[0] + 1, years[-1] + 6))
        self.first_combo.setCurrentIndex(self.first_combo.findData(years[-1] + 1))
        self.last_combo = year_combo("new_period_last", [])
        self.code_edit, self.title_edit, self.label_edit, self.path_edit = (
            QLineEdit() for _ in range(4))
        for key, edit in (("code", self.code_edit), ("title", self.title_edit),
                          ("label", self.label_edit), ("path", self.path_edit)):
            edit.setObjectName(f"new_period_{key}")
            edit.textChanged.connect(lambda _: self.update_preview())
        self.carry = {key: QCheckBox() for key in CARRY}
        for key, box in self.carry.items():
            box.setObjectName(f"new_period_carry_{key}")
            box.setChecked(key in ("baselines", "future_picture"))
            box.toggled.connect(lambda _: self.update_preview())
        self.browse = QPushButton()
        self.browse.clicked.connect(self.choose_path)
        self.open_button = QPushButton()
        self.open_button.setObjectName("new_period_open")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self.open_new)
        self._lay_out()
        self._fill_last_years()
        self.first_combo.currentIndexChanged.connect(lambda _: self._first_changed())
        self.last_combo.currentIndexChanged.connect(lambda _: self.update_preview())
        self.path_edit.setText(str(self._proposed_path()))
        self.finish_setup()

    def _lay_out(self) -> None:
        self.add_row("first", self.first_combo)
        self.add_row("last", self.last_combo)
        for key, edit in (("code", self.code_edit), ("title", self.title_edit),
                          ("label", self.label_edit)):
            self.add_row(key, edit)
        carry = QGridLayout()
        for i, box in enumerate(self.carry.values()):
            carry.addWidget(box, i // 3, i % 3)
        holder = QWidget()
        holder.setLayout(carry)
        self.add_row("carry", holder)
        path = QHBoxLayout()
        path.addWidget(self.path_edit, 1)
        path.addWidget(self.browse)
        path_holder = QWidget()
        path_holder.setLayout(path)
        self.add_row("path", path_holder)
        self.labels["path"].setBuddy(self.path_edit)
        self.button_row.insertWidget(1, self.open_button)

    def _fill_last_years(self) -> None:
        first = self.first_combo.currentData()
        self.last_combo.blockSignals(True)
        self.last_combo.clear()
        for fiscal_year in range(first, first + 10):
            self.last_combo.addItem(full_year_label(fiscal_year), fiscal_year)
        length = len(self.ctx.fiscal_years)  # as long as the current plan, by default
        self.last_combo.setCurrentIndex(min(length, 10) - 1)
        self.last_combo.blockSignals(False)

    def _first_changed(self) -> None:
        self._fill_last_years()
        self.path_edit.setText(str(self._proposed_path()))
        self.update_preview()

    def _proposed_path(self) -> Path:
        current = Path(self.ctx.db.path)
        return current.with_name(f"{current.stem}-{self.first_combo.currentData()}.sqlite3")

    def title(self) -> str:
        return tr("次期計画を作成")

    def ok_text(self) -> str:
        return tr("作成する(&N)")

    def label_texts(self) -> dict[str, str]:
        texts = {"baselines": tr("現状値（前年度の実績）"), "future_picture": tr("概ね3年後の姿"),
                 "targets": tr("期間内の目標"), "schedule": tr("工程"),
                 "progress": tr("期間内の実績・進捗")}
        for key, box in self.carry.items():
            box.setText(texts[key])
        self.browse.setText(tr("参照(&B)…"))
        self.open_button.setText(tr("新しい計画を開く(&O)"))
        self.code_edit.setPlaceholderText(tr("省略時: 現在のコード-開始年度"))
        self.title_edit.setPlaceholderText(tr("省略時: 現在の計画名"))
        return {"first": tr("開始年度(&F):"), "last": tr("終了年度(&L):"),
                "code": tr("計画コード:"), "title": tr("計画名:"), "label": tr("版の名称:"),
                "carry": tr("引き継ぐもの:"), "path": tr("作成するファイル(&P):")}

    def options(self) -> NewPlanOptions:
        chosen = {key: box.isChecked() for key, box in self.carry.items()}
        return NewPlanOptions(
            self.first_combo.currentData(), self.last_combo.currentData(),
            code=self.code_edit.text().strip(), title=self.title_edit.text().strip(),
            edition_label=self.label_edit.text().strip(),
            **{f"carry_{key}": value for key, value in chosen.items()})

    def preview_html(self) -> str:
        options = self.options()
        with self.ctx.db.read() as session:
            p = new_plan_preview(session, options)
        lines = [
            tr("プロジェクト {projects}、指標 {kpis}、施策 {measures}", projects=p.projects,
               kpis=p.kpis, measures=p.measures),
            tr("部局 {count}（廃止された部局は引き継ぎません）", count=p.departments),
            tr("廃止した指標・施策 {count}件は引き継ぎません", count=p.left_behind),
            tr("現状値: {found}件（{year}の実績）", found=p.baselines,
               year=year_label(options.first_fiscal_year - 1)),
            tr("目標 {targets}件、工程 {boxes}件、概ね3年後の姿 {items}件", targets=p.targets,
               boxes=p.schedule_boxes, items=p.picture_items),
            tr("実績 {actuals}件、進捗 {progress}件", actuals=p.actuals, progress=p.progress),
        ]
        html = [para(tr("「{title}」（{code}）を{first}〜{last}の計画として、作成中の第1版で作ります。",
                        title=p.title, code=p.code,
                        first=year_label(options.first_fiscal_year),
                        last=year_label(options.last_fiscal_year)), strong=True),
                html_list(lines)]
        if p.without_baseline:
            html.append(para(tr("実績がなく現状値が空欄になる指標: {codes}",
                                codes=codes_text(p.without_baseline))))
        path = Path(self.path_edit.text().strip())
        if path.exists():  # (the command line's --force is not offered here)
            raise DxTrackerError(f"{path} はすでにあります。別のファイル名を指定してください。",
                                 f"{path} already exists; choose another file name.")
        html.append(para(tr("現在のデータベースは変更しません。")))
        return "".join(html)

    def choose_path(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, tr("次期計画のデータベース"),
                                              self.path_edit.text(),
                                              tr("データベース (*.sqlite3)"))
        if name:
            self.path_edit.setText(name)

    def apply(self) -> None:
        path, options, db = Path(self.path_edit.text().strip()), self.options(), self.ctx.db
        steps = {"read": tr("計画を読んでいます"), "check": tr("確かめています"),
                 "write": tr("新しいデータベースを書いています"), "done": tr("完了")}

        def work(progress: Progress) -> Path:
            return start_new_plan(db, path, options, progress=lambda done, total, step:
                                  progress(done, total, steps[step]))

        self.ok_button.setEnabled(False)
        self.show_message(tr("作成しています…"))
        self.ctx.tasks.run(work, on_success=self._written, on_failure=self._failed,
                           progress_label=tr("次期計画を作成しています…"), parent=self)

    def _written(self, path: Path) -> None:
        self.written = path
        self.show_message(tr("次期計画のデータベースを作成しました: {path}", path=path))
        self.ok_button.setVisible(False)
        self.open_button.setVisible(True)
        self.cancel_button.setText(tr("閉じる"))
        self.ctx.saved.emit(self.message.text())

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        text = exc.message(language()) if isinstance(exc, USER_ERRORS) else error_text(exc)
        self.show_message(text, error=True)

    def open_new(self) -> None:
        """Switch the app to the new plan (File > Open, in effect)."""
        if self.written is None:
            return
        try:
            self.ctx.open_database(self.written)
        except USER_ERRORS as exc:
            self.show_message(exc.message(language()), error=True)
            return
        self.accept()

