"""Plan management at headquarters (計画の管理): edit a project, KPI or measure, revise targets
with a reason and see the revisions, decide the departments' proposals, manage departments.

Every save goes through the core (`dxtracker.plan.edit`, `revisions`, `proposals`,
`departments`): one transaction, audited with source "form", figures checked by the value
parser. A changed outline (names, departments, new items) is re-read app-wide through
`ctx.attach_database`, as after File > Open, so that the navigation and every page follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import FiscalYearError, fiscal_year_label
from dxtracker.figures.values import ValueParseError, parse_value
from dxtracker.plan import departments as dept_core
from dxtracker.plan import edit as plan_edit
from dxtracker.plan import proposals
from dxtracker.plan.revisions import current_edition, edition_for_changes, list_revisions
from dxtracker.store.lookup import all_departments, find_kpi, find_measure, get_plan
from dxtracker.store.models import ALL_DEPARTMENTS, Kpi, Measure, Project, Vision
from ui.context import AppContext
from ui.i18n import language, tr
from ui.pages import Page

Button = QMessageBox.StandardButton
# Changes the navigation tree shows (names, new marks, departments): re-read the outline.
OUTLINE_FIELDS = {"name", "title", "is_new", "reporting_departments", "departments",
                  "lead_department_id", "vision_id", "vision_title"}
Index = QModelIndex | QPersistentModelIndex


def _error(exc: Exception) -> str:
    return exc.message(language()) if isinstance(exc, DxTrackerError) else str(exc)


class RowsModel(QAbstractTableModel):
    """A read-only table of plain rows; `headers` is a function so it follows the language."""

    def __init__(self, headers: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers, self.rows, self.keys = headers, [], []

    def set_rows(self, rows: list[tuple], keys: list[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows, self.keys = rows, keys or [None] * len(rows)
        self.endResetModel()

    def retranslate(self) -> None:
        # A reset, not headerDataChanged.emit(): in PySide6 6.12 on Python 3.11 every emit()
        # from Python takes a reference from True, and the app aborts once it runs out.
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.rows[index.row()][index.column()]
            return "" if value is None else str(value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None


def _table(model: RowsModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    return view


class DepartmentChecklist(QListWidget):
    """Departments to tick, with 全部局 (every department) first."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setMaximumHeight(140)

    def load(self, names: list[str], checked: list[str]) -> None:
        self.clear()
        for name in [ALL_DEPARTMENTS, *names]:
            item = QListWidgetItem(tr("全部局") if name == ALL_DEPARTMENTS else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in checked
                               else Qt.CheckState.Unchecked)
            self.addItem(item)

    def checked(self) -> list[str]:
        items = (self.item(i) for i in range(self.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items
                if i.checkState() == Qt.CheckState.Checked]


def _label(text_holder: dict[str, QLabel], key: str, buddy: QWidget) -> QLabel:
    label = QLabel()
    label.setBuddy(buddy)
    text_holder[key] = label
    return label


# --------------------------------------------------------------------------- the three forms


class ProjectForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, QLabel] = {}
        self.title, self.vision_title = QLineEdit(), QLineEdit()
        self.vision, self.lead = QComboBox(), QComboBox()
        self.picture = QPlainTextEdit()
        for name in ("title", "vision_title", "vision", "lead", "picture"):
            getattr(self, name).setObjectName(f"project_{name}")
        form = QFormLayout(self)
        for key, widget in (("vision", self.vision), ("vision_title", self.vision_title),
                            ("title", self.title), ("lead", self.lead),
                            ("picture", self.picture)):
            form.addRow(_label(self.labels, key, widget), widget)

    def retranslate(self) -> None:
        texts = {"vision": tr("ビジョン(&V):"), "vision_title": tr("ビジョンの名称:"),
                 "title": tr("プロジェクト名(&T):"), "lead": tr("主管部局(&L):"),
                 "picture": tr("概ね3年後の姿（1行に1項目）:")}
        for key, label in self.labels.items():
            label.setText(texts[key])

    def load(self, session: Session, code: str) -> None:
        project = session.scalar(select(Project).where(Project.code == code))
        self.vision.clear()
        for v in get_plan(session).visions:
            self.vision.addItem(f"{v.number} {v.title}", v.number)
        self.vision.setCurrentIndex(self.vision.findData(project.vision.number))
        self.vision_title.setText(project.vision.title)
        self.title.setText(project.title)
        self.lead.clear()
        self.lead.addItems([d.name for d in all_departments(session)])
        self.lead.setCurrentText(project.lead_department.name)
        self.picture.setPlainText("\n".join(f.text for f in project.future_picture))

    def values(self) -> dict[str, Any]:
        return {"title": self.title.text(), "vision_number": self.vision.currentData(),
                "vision_title": self.vision_title.text(), "lead_department":
                self.lead.currentText(), "future_picture": self.picture.toPlainText()
                .splitlines()}

    def save(self, db: Any, code: str) -> dict:
        return plan_edit.edit_project(db, code, source="form", **self.values())


class KpiForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, QLabel] = {}
        self.unit_of_kpi = ""
        self.name, self.unit, self.note, self.baseline = (QLineEdit() for _ in range(4))
        self.cumulative, self.is_new = QCheckBox(), QCheckBox()
        self.direction, self.aggregation = QComboBox(), QComboBox()
        self.departments = DepartmentChecklist("kpi_departments")
        self.reason = QLineEdit()
        for name in ("name", "unit", "note", "baseline", "cumulative", "is_new", "direction",
                     "aggregation", "reason"):
            getattr(self, name).setObjectName(f"kpi_{name}")
        self.targets: dict[int, QLineEdit] = {}
        self.target_grid = QGridLayout()
        self.edition_note = QLabel()
        self.edition_note.setWordWrap(True)
        self.revisions = RowsModel(lambda: [tr("年度"), tr("修正前"), tr("修正後"), tr("修正日"),
                                            tr("版"), tr("理由")], self)
        form = QFormLayout(self)
        for key, widget in (("name", self.name), ("unit", self.unit),
                            ("direction", self.direction), ("aggregation", self.aggregation),
                            ("departments", self.departments), ("note", self.note),
                            ("baseline", self.baseline)):
            form.addRow(_label(self.labels, key, widget), widget)
        flags = QHBoxLayout()
        flags.addWidget(self.cumulative)
        flags.addWidget(self.is_new)
        form.addRow(flags)
        form.addRow(self.edition_note)
        form.addRow(self.target_grid)
        form.addRow(_label(self.labels, "reason", self.reason), self.reason)
        form.addRow(_table(self.revisions, "revision_table"))

    def retranslate(self) -> None:
        texts = {"name": tr("指標名(&N):"), "unit": tr("単位(&U):"), "direction": tr("方向:"),
                 "aggregation": tr("集計:"), "departments": tr("報告する部局:"),
                 "note": tr("備考:"), "baseline": tr("現状値(&B):"),
                 "reason": tr("修正の理由(&R):")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        self.cumulative.setText(tr("累計"))
        self.is_new.setText(tr("【新】の印"))
        self.reason.setPlaceholderText(tr("公表済みの目標を変えるときに必要です"))
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
        self.revisions.set_rows([
            (fiscal_year_label(r.fiscal_year), r.old_value or "—", r.new_value or "—",
             r.revised_on or "", r.edition or "", r.reason) for r in list_revisions(session, code)])
        edition = current_edition(session)
        self.edition_note.setText(
            tr("第{edition}版は公表済みです。目標の変更は第{next}版の修正として、元の値とともに記録されます。",
               edition=edition.number, next=edition_for_changes(session))
            if edition.published else
            tr("第{edition}版は作成中です。目標は上書きされます。", edition=edition.number))
        self.retranslate()

    def _load_targets(self, session: Session, kpi: Kpi) -> None:
        while self.target_grid.count():
            self.target_grid.takeAt(0).widget().deleteLater()
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
                return widget, f"{name}: {_error(exc)}"
        return None

    def save(self, db: Any, code: str) -> dict:
        # Unchanged targets are left alone by the core; changed published ones need the reason.
        return plan_edit.edit_kpi(db, code, source="form", **self.values())


class MeasureForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, QLabel] = {}
        self.title = QLineEdit()
        self.is_new = QCheckBox()
        self.items, self.schedule = QPlainTextEdit(), QPlainTextEdit()
        self.attention, self.policy = QPlainTextEdit(), QPlainTextEdit()
        self.departments = DepartmentChecklist("measure_departments")
        for name in ("title", "is_new", "items", "schedule", "attention", "policy"):
            getattr(self, name).setObjectName(f"measure_{name}")
        form = QFormLayout(self)
        for key, widget in (("title", self.title), ("items", self.items),
                            ("departments", self.departments), ("schedule", self.schedule),
                            ("attention", self.attention), ("policy", self.policy)):
            form.addRow(_label(self.labels, key, widget), widget)
        form.addRow(self.is_new)

    def retranslate(self) -> None:
        texts = {"title": tr("施策名(&T):"), "items": tr("項目（○で始まる行が1項目）:"),
                 "departments": tr("担当部局:"), "schedule": tr("工程（1行に「R4-R5: 内容」）:"),
                 "attention": tr("留意点:"), "policy": tr("対応方針:")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        self.is_new.setText(tr("【新規】の印"))

    def load(self, session: Session, code: str) -> None:
        measure = find_measure(session, code)
        self.title.setText(measure.title)
        self.is_new.setChecked(measure.is_new)
        self.items.setPlainText("\n".join(f"○{item}" for item in json.loads(measure.items)))
        everyone = [ALL_DEPARTMENTS] if measure.all_departments else []
        self.departments.load([d.name for d in all_departments(session)],
                              everyone + [d.name for d in measure.departments])
        self.schedule.setPlainText("\n".join(
            f"{_short(s.first_fiscal_year)}-{_short(s.last_fiscal_year)}: {s.text}"
            for s in measure.schedule))
        self.attention.setPlainText(measure.attention_points)
        self.policy.setPlainText(measure.response_policy)

    def values(self) -> dict[str, Any]:
        return {"title": self.title.text(), "is_new": self.is_new.isChecked(),
                "items": self.items.toPlainText(), "departments": self.departments.checked(),
                "schedule": self.schedule.toPlainText(),
                "attention_points": self.attention.toPlainText(),
                "response_policy": self.policy.toPlainText()}

    def save(self, db: Any, code: str) -> dict:
        values = self.values()
        values["items"] = split_items(values["items"])
        values["schedule"] = [plan_edit.parse_schedule_box(line)
                              for line in values["schedule"].splitlines() if line.strip()]
        return plan_edit.edit_measure(db, code, source="form", **values)


def _short(fiscal_year: int) -> str:
    return f"R{fiscal_year - 2018}" if fiscal_year >= 2019 else str(fiscal_year)


def split_items(text: str) -> list[str]:
    """○ starts an item; other lines continue it (the seed's items hold ・ sub-lines)."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith(("○", "〇")) or not items:
            items.append(line.lstrip("○〇").strip())
        else:
            items[-1] += "\n" + line
    return [item for item in items if item.strip()]


# --------------------------------------------------------------------------- the item editor


class ItemEditor(QWidget):
    """Choose a project, KPI or measure; edit it in its form; save with Ctrl+S."""

    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.code: str | None = None
        self.loaded: dict[str, Any] = {}
        self.chooser = QComboBox()
        self.chooser.setObjectName("item_chooser")
        self.chooser.activated.connect(lambda _: self._chosen())
        self.chooser_label = QLabel()
        self.chooser_label.setBuddy(self.chooser)
        self.forms = {"project": ProjectForm(), "kpi": KpiForm(), "measure": MeasureForm()}
        self.stack = QStackedWidget()
        for form in self.forms.values():
            self.stack.addWidget(form)
        self.message = QLabel()
        self.message.setObjectName("editor_message")
        self.message.setWordWrap(True)
        self.save_button, self.add_kpi, self.add_measure = (QPushButton() for _ in range(3))
        self.save_button.setObjectName("save_item")
        self.save_button.clicked.connect(self.save)
        self.add_kpi.clicked.connect(lambda: self.add("kpi"))
        self.add_measure.clicked.connect(lambda: self.add("measure"))
        top = QHBoxLayout()
        top.addWidget(self.chooser_label)
        top.addWidget(self.chooser, 1)
        buttons = QHBoxLayout()
        for widget in (self.add_kpi, self.add_measure):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        save = QAction(self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.triggered.connect(self.save)
        self.addAction(save)

    def retranslate(self) -> None:
        self.chooser_label.setText(tr("編集する項目(&I):"))
        self.save_button.setText(tr("保存(&S)"))
        self.add_kpi.setText(tr("指標を追加(&K)"))
        self.add_measure.setText(tr("施策を追加(&M)"))
        for form in self.forms.values():
            form.retranslate()

    def refresh(self) -> None:
        with self.ctx.db.read() as session:
            entries = _outline(session)
        self.chooser.clear()
        for kind, code, text in entries:
            self.chooser.addItem(text, (kind, code))
        if self.is_dirty():  # data changed elsewhere: keep what is being typed
            self._select(self.code)
            return
        codes = [code for _, code, _ in entries]
        wanted = self.code if self.code in codes else (codes[0] if codes else None)
        if wanted is not None:
            self.show_item(wanted, ask=False)

    def kind(self) -> str:
        return next(k for k, f in self.forms.items() if f is self.stack.currentWidget())

    def _select(self, code: str | None) -> int:
        index = next((i for i in range(self.chooser.count())
                      if self.chooser.itemData(i)[1] == code), -1)
        if index >= 0:
            self.chooser.setCurrentIndex(index)
        return index

    def show_item(self, code: str, *, ask: bool = True) -> None:
        """Load a project, KPI or measure into its form (codes not in the plan are ignored)."""
        if ask and not self.settle_unsaved():
            return
        index = self._select(code)
        if index < 0:
            return
        form = self.forms[self.chooser.itemData(index)[0]]
        with self.ctx.db.read() as session:
            form.load(session, code)
        form.retranslate()
        self.stack.setCurrentWidget(form)
        self.code, self.loaded = code, form.values()
        self.message.clear()

    def _chosen(self) -> None:
        data = self.chooser.currentData()
        if not data or data[1] == self.code:
            return
        if self.settle_unsaved():
            self.show_item(data[1], ask=False)
        else:
            self._select(self.code)  # stay on the item being edited

    def is_dirty(self) -> bool:
        return self.code is not None and self.forms[self.kind()].values() != self.loaded

    def settle_unsaved(self) -> bool:
        if not self.is_dirty():
            return True
        answer = self.page.ask_unsaved()
        if answer == Button.Save:
            return self.save()
        if answer == Button.Discard:
            self.loaded = self.forms[self.kind()].values()
            return True
        return False

    def save(self) -> bool:
        if self.code is None:
            return True
        form = self.forms[self.kind()]
        problem = form.check() if isinstance(form, KpiForm) else None
        if problem:
            problem[0].setFocus()
            self.show_message(problem[1], error=True)
            return False
        try:
            done = form.save(self.ctx.db, self.code)
        except (DxTrackerError, ValueParseError, FiscalYearError) as exc:
            self.show_message(_error(exc), error=True)
            return False
        text = tr("{code} を保存しました（{count}項目を変更）", code=self.code, count=len(done))
        self.loaded = form.values()
        if set(done) & OUTLINE_FIELDS:
            self.page.outline_changed(text)
        else:
            self.ctx.notify_saved(text, source=self.page)
            self.show_item(self.code, ask=False)  # canonical figures, new revisions
        self.show_message(text)
        return True

    def add(self, kind: str) -> None:
        if not self.settle_unsaved() or self.code is None:
            return
        with self.ctx.db.read() as session:
            project = _project_of(session, self.code)
        try:
            if kind == "kpi":
                code = plan_edit.add_kpi(self.ctx.db, project, tr("新しい指標"), source="form",
                                         reporting_departments=[ALL_DEPARTMENTS])
            else:
                code = plan_edit.add_measure(self.ctx.db, project, tr("新しい施策"),
                                             source="form", departments=[ALL_DEPARTMENTS])
        except DxTrackerError as exc:
            self.show_message(_error(exc), error=True)
            return
        self.code = code
        self.page.outline_changed(tr("{code} を追加しました", code=code))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)


def _outline(session: Session) -> list[tuple[str, str, str]]:
    entries = []
    projects = session.scalars(select(Project).join(Vision)
                               .order_by(Vision.number, Project.number)).all()
    for p in projects:
        entries.append(("project", p.code, f"({p.number}) {p.title}"))
        entries += [("kpi", k.code, f"    {k.code} {k.name}") for k in p.kpis]
        entries += [("measure", m.code, f"    {m.code} {m.title}") for m in p.measures]
    return entries


def _project_of(session: Session, code: str) -> str:
    for model in (Kpi, Measure):
        row = session.scalar(select(model).where(model.code == code))
        if row is not None:
            return row.project.code
    return code


# --------------------------------------------------------------------------- proposals


class ProposalPanel(QWidget):
    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.model = RowsModel(lambda: [tr("番号"), tr("指標"), tr("年度"), tr("部局"),
                                        tr("現在の目標"), tr("提案"), tr("理由"), tr("状態"),
                                        tr("決定の理由")], self)
        self.view = _table(self.model, "proposal_table")
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
        self.message = QLabel()
        self.message.setObjectName("proposal_message")
        row = QHBoxLayout()
        for widget in (self.note_label, self.note, self.accept_button, self.reject_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pending_only)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
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

    def selected(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.keys[rows[0].row()] if rows else None

    def decide(self, *, accept: bool) -> None:
        proposal_id = self.selected()
        if proposal_id is None:
            return
        try:
            if accept:
                proposals.accept_proposal(self.ctx.db, proposal_id, note=self.note.text(),
                                          source="form")
            else:
                proposals.reject_proposal(self.ctx.db, proposal_id, self.note.text(),
                                          source="form")
        except (DxTrackerError, ValueParseError) as exc:
            self.message.setText(_error(exc))
            return
        self.note.clear()
        text = tr("修正提案 {id} を承認しました", id=proposal_id) if accept else \
            tr("修正提案 {id} を却下しました", id=proposal_id)
        self.ctx.notify_saved(text, source=self.page)
        self.page.refresh()
        self.message.setText(text)


# --------------------------------------------------------------------------- departments


class DepartmentPanel(QWidget):
    def __init__(self, page: PlanEditorPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.model = RowsModel(lambda: [tr("コード"), tr("部局名"), tr("状態"), tr("旧名"),
                                        tr("統合先")], self)
        self.view = _table(self.model, "department_table")
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
        self.message = QLabel()
        self.message.setObjectName("department_message")
        self.message.setWordWrap(True)
        names = QHBoxLayout()
        for widget in (self.name_label, self.name, self.buttons["add"], self.buttons["rename"]):
            names.addWidget(widget)
        merge = QHBoxLayout()
        for widget in (self.target_label, self.target, self.buttons["merge"],
                       self.buttons["retire"]):
            merge.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(names)
        layout.addLayout(merge)
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

    def selected(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.keys[rows[0].row()] if rows else None

    def act(self, key: str) -> None:
        code, name, db = self.selected(), self.name.text(), self.ctx.db
        try:
            if key == "add":
                dept_core.add_department(db, name, source="form")
                text = tr("部局「{name}」を追加しました", name=name.strip())
            elif code is None:
                self.message.setText(tr("表で部局を選んでください。"))
                return
            elif key == "rename":
                dept_core.rename_department(db, code, name, source="form")
                text = tr("部局名を「{name}」に変更しました", name=name.strip())
            elif key == "retire":
                dept_core.retire_department(db, code, source="form")
                text = tr("部局を廃止しました")
            else:
                result = dept_core.merge_departments(db, code, self.target.currentText(),
                                                     source="form")
                text = tr("{retired}を{surviving}に統合しました", retired=result.retired,
                          surviving=result.surviving)
        except DxTrackerError as exc:
            self.message.setText(_error(exc))
            return
        self.name.clear()
        self.message.setText(text)
        self.page.outline_changed(text)


# --------------------------------------------------------------------------- the page


class PlanEditorPage(Page):
    page_key = "plan_editor"
    title_ja = "計画の管理"
    headquarters_only = True

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
        plan (as after File > Open), then the status bar says what was saved."""
        self.ctx.change_source = self  # refreshed below, once
        try:
            self.ctx.attach_database(self.ctx.db)
            self.ctx.notify_saved(message, source=self)
        finally:
            self.ctx.change_source = None
        self.refresh()
