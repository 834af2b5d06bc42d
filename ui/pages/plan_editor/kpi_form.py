"""The KPI form, where targets are revised: one box per fiscal year, the reason a revision of
a published target needs (asked here, in the form, not in a dialog of its own), and the
table of the KPI's revisions so far.

Whether a changed target is a revision is the core's decision (`dxtracker.plan.edit_kpis`,
`dxtracker.plan.revisions`): a target of a published edition keeps its old value and the
reason; one of an edition in the making is overwritten. The note above the targets says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.plan import edit_kpis
from dxtracker.plan.revisions import current_edition, edition_for_changes, list_revisions
from dxtracker.store.lookup import all_departments, find_kpi, get_plan
from dxtracker.store.models import ALL_DEPARTMENTS, Kpi
from ui.i18n import language, tr
from ui.models.rows_model import RowsModel, rows_table
from ui.pages.plan_editor.forms import DepartmentChecklist, ItemForm

if TYPE_CHECKING:
    from dxtracker.store.db import Database
    from dxtracker.store.row_versions import Versions


class KpiForm(ItemForm):
    def __init__(self) -> None:
        super().__init__()
        self.unit_of_kpi = ""
        self.name, self.unit, self.note, self.baseline = (QLineEdit() for _ in range(4))
        self.cumulative, self.is_new = QCheckBox(), QCheckBox()
        self.direction, self.aggregation = QComboBox(), QComboBox()
        self.departments = DepartmentChecklist("kpi_departments")
        self.reason = QLineEdit()
        self._name_widgets("kpi", ("name", "unit", "note", "baseline", "cumulative", "is_new",
                                   "direction", "aggregation", "reason"))
        self.targets: dict[int, QLineEdit] = {}
        self.target_grid = QGridLayout()
        self.edition_note = QLabel()
        self.edition_note.setWordWrap(True)
        self.revisions = RowsModel(lambda: [tr("年度"), tr("修正前"), tr("修正後"), tr("修正日"),
                                            tr("版"), tr("理由")], self)
        form = QFormLayout(self)
        self._add_rows(form, (("name", self.name), ("unit", self.unit),
                              ("direction", self.direction), ("aggregation", self.aggregation),
                              ("departments", self.departments), ("note", self.note),
                              ("baseline", self.baseline)))
        flags = QHBoxLayout()
        flags.addWidget(self.cumulative)
        flags.addWidget(self.is_new)
        form.addRow(flags)
        form.addRow(self.edition_note)
        form.addRow(self.target_grid)
        self._add_rows(form, (("reason", self.reason),))
        form.addRow(rows_table(self.revisions, "revision_table"))
        self.withdraw_button = QPushButton()  # the editor opens the revisions dialog
        self.withdraw_button.setObjectName("withdraw_revision")
        form.addRow(self.withdraw_button)

    def retranslate(self) -> None:
        self._set_label_texts({
            "name": tr("指標名(&N):"), "unit": tr("単位(&U):"), "direction": tr("方向:"),
            "aggregation": tr("集計:"), "departments": tr("報告する部局:"),
            "note": tr("備考:"), "baseline": tr("現状値(&B):"),
            "reason": tr("修正の理由(&R):")})
        self.cumulative.setText(tr("累計"))
        self.is_new.setText(tr("【新】の印"))
        self.reason.setPlaceholderText(tr("公表済みの目標を変えるときに必要です"))
        self.withdraw_button.setText(tr("誤って記録した修正を取り下げ(&W)…"))
        for combo, items in ((self.direction, (tr("大きいほど良い"), tr("小さいほど良い"))),
                             (self.aggregation, (tr("1つの値"), tr("部局の値の合計")))):
            for i, text in enumerate(items):
                if i < combo.count():
                    combo.setItemText(i, text)
        self.revisions.retranslate()

    def load(self, session: Session, code: str) -> None:
        kpi = find_kpi(session, code)
        self.unit_of_kpi = kpi.unit
        self.name.setText(kpi.name)
        self.unit.setText(kpi.unit)
        self.note.setText(kpi.note)
        self.baseline.setText(kpi.baseline or "")
        self.cumulative.setChecked(kpi.cumulative)
        self.is_new.setChecked(kpi.is_new)
        for combo, data in ((self.direction, ("higher", "lower")),
                            (self.aggregation, ("single", "sum"))):
            if combo.count() == 0:
                for value in data:
                    combo.addItem(value, value)
            combo.setCurrentIndex(combo.findData(getattr(kpi, "direction" if combo is
                                                         self.direction else "aggregation")))
        checked = [ALL_DEPARTMENTS] if kpi.all_departments_report else \
            [d.name for d in kpi.reporting_departments]
        self.departments.load([d.name for d in all_departments(session)], checked)
        self._load_targets(session, kpi)
        self.reason.clear()
        self._load_revisions(session, code)
        self.retranslate()

    def _load_targets(self, session: Session, kpi: Kpi) -> None:
        while self.target_grid.count():
            # Hidden at once: deleteLater leaves the old fields painted over the new ones
            # until the event loop comes round.
            old = self.target_grid.takeAt(0).widget()
            old.hide()
            old.deleteLater()
        self.targets = {}
        values = {t.fiscal_year: t.value for t in kpi.targets}
        for column, fy in enumerate(get_plan(session).fiscal_years):
            edit = QLineEdit(values.get(fy) or "")
            edit.setObjectName(f"target_{fy}")
            label = QLabel(tr("{year}の目標", year=fiscal_year_label(fy)))
            label.setBuddy(edit)
            self.target_grid.addWidget(label, 0, column)
            self.target_grid.addWidget(edit, 1, column)
            self.targets[fy] = edit

    def _load_revisions(self, session: Session, code: str) -> None:
        """The revisions made so far, and whether a changed target will be one."""
        self.revisions.set_rows([
            (fiscal_year_label(r.fiscal_year), r.old_value or "—", r.new_value or "—",
             r.revised_on or "", r.edition or "", r.reason) for r in list_revisions(session, code)])
        edition = current_edition(session)
        self.edition_note.setText(
            tr("第{edition}版は公表済みです。目標の変更は第{next}版の修正として、元の値とともに記録されます。",
               edition=edition.number, next=edition_for_changes(session))
            if edition.published else
            tr("第{edition}版は作成中です。目標は上書きされます。", edition=edition.number))

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(), "unit": self.unit.text(), "note": self.note.text(),
            "baseline": self.baseline.text(), "cumulative": self.cumulative.isChecked(),
            "is_new": self.is_new.isChecked(), "direction": self.direction.currentData(),
            "aggregation": self.aggregation.currentData(),
            "reporting_departments": self.departments.checked(),
            "targets": {fy: edit.text() for fy, edit in self.targets.items()},
            "reason": self.reason.text(),
        }

    def check(self) -> tuple[QWidget, str] | None:
        """The first figure the value parser refuses, with its field, before any write."""
        unit = self.unit.text().strip()
        fields = [(self.baseline, tr("現状値"), False)] + [
            (edit, tr("{year}の目標", year=fiscal_year_label(fy)), True)
            for fy, edit in self.targets.items()]
        for widget, name, words in fields:
            try:
                parse_value(widget.text(), unit=unit, allow_words=words)
            except ValueParseError as exc:
                return widget, f"{name}: {exc.message(language())}"
        return None

    def save(self, db: Database, code: str, expected: Versions) -> dict:
        # Unchanged targets are left alone by the core; changed published ones need the reason.
        return edit_kpis.edit_kpi(db, code, source="form", expected_versions=expected,
                                  **self.values())
