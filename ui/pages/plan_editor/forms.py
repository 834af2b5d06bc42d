"""The forms of the item editor: what every form does (`ItemForm`), the project's and the
measure's forms, and the department checklist they share with the KPI form (kpi_form.py).

A form loads one item from the plan, gives its `values()` as typed (the editor compares
them with those loaded to know whether there are unsaved changes) and saves them through
`dxtracker.plan.edit_projects` or `edit_measures`, which returns the fields it changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.plan import edit_measures, edit_projects
from dxtracker.plan.item_state import find_item, vision_number
from dxtracker.store.lookup import all_departments, find_measure, get_plan
from dxtracker.store.models import ALL_DEPARTMENTS, Project
from ui.i18n import tr

if TYPE_CHECKING:
    from dxtracker.store.db import Database
    from dxtracker.store.row_versions import Versions


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


class ItemForm(QWidget):
    """One kind of item's form. Its labels are kept by key so `retranslate` can set them."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, QLabel] = {}

    def _name_widgets(self, prefix: str, names: Iterable[str]) -> None:
        """Object names `<prefix>_<attribute>`: the tests find the fields by them."""
        for name in names:
            getattr(self, name).setObjectName(f"{prefix}_{name}")

    def _label(self, key: str, buddy: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(buddy)
        self.labels[key] = label
        return label

    def _add_rows(self, form: QFormLayout, rows: Iterable[tuple[str, QWidget]]) -> None:
        for key, widget in rows:
            form.addRow(self._label(key, widget), widget)

    def _set_label_texts(self, texts: dict[str, str]) -> None:
        for key, label in self.labels.items():
            label.setText(texts[key])

    def retranslate(self) -> None:
        raise NotImplementedError

    def load(self, session: Session, code: str) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, db: Database, code: str, expected: Versions) -> dict:
        """Write the values; returns the fields that changed (empty when none did). Refused
        (`RowChanged`) when the item's rows are no longer at the `expected` versions."""
        raise NotImplementedError


class VisionForm(ItemForm):
    """A vision's title (its projects are moved in their own forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.title = QLineEdit()
        self._name_widgets("vision", ("title",))
        self._add_rows(QFormLayout(self), (("title", self.title),))

    def retranslate(self) -> None:
        self._set_label_texts({"title": tr("ビジョンの名称(&T):")})

    def load(self, session: Session, code: str) -> None:
        self.title.setText(find_item(session, "vision", code).title)  # type: ignore[union-attr]

    def values(self) -> dict[str, Any]:
        return {"title": self.title.text()}

    def save(self, db: Database, code: str, expected: Versions) -> dict:
        return edit_projects.edit_vision(db, vision_number(code), source="form",
                                         expected_versions=expected, **self.values())


class ProjectForm(ItemForm):
    def __init__(self) -> None:
        super().__init__()
        self.title, self.vision_title = QLineEdit(), QLineEdit()
        self.vision, self.lead = QComboBox(), QComboBox()
        self.picture = QPlainTextEdit()
        self._name_widgets("project", ("title", "vision_title", "vision", "lead", "picture"))
        self._add_rows(QFormLayout(self), (
            ("vision", self.vision), ("vision_title", self.vision_title),
            ("title", self.title), ("lead", self.lead), ("picture", self.picture)))

    def retranslate(self) -> None:
        self._set_label_texts({
            "vision": tr("ビジョン(&V):"), "vision_title": tr("ビジョンの名称:"),
            "title": tr("プロジェクト名(&T):"), "lead": tr("主管部局(&L):"),
            "picture": tr("概ね3年後の姿（1行に1項目）:")})

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

    def save(self, db: Database, code: str, expected: Versions) -> dict:
        return edit_projects.edit_project(db, code, source="form", expected_versions=expected,
                                          **self.values())


class MeasureForm(ItemForm):
    def __init__(self) -> None:
        super().__init__()
        self.title = QLineEdit()
        self.is_new = QCheckBox()
        self.items, self.schedule = QPlainTextEdit(), QPlainTextEdit()
        self.attention, self.policy = QPlainTextEdit(), QPlainTextEdit()
        self.departments = DepartmentChecklist("measure_departments")
        self._name_widgets("measure", ("title", "is_new", "items", "schedule", "attention",
                                       "policy"))
        form = QFormLayout(self)
        self._add_rows(form, (("title", self.title), ("items", self.items),
                              ("departments", self.departments), ("schedule", self.schedule),
                              ("attention", self.attention), ("policy", self.policy)))
        form.addRow(self.is_new)

    def retranslate(self) -> None:
        self._set_label_texts({
            "title": tr("施策名(&T):"), "items": tr("項目（○で始まる行が1項目）:"),
            "departments": tr("担当部局:"), "schedule": tr("工程（1行に「R4-R5: 内容」）:"),
            "attention": tr("留意点:"), "policy": tr("対応方針:")})
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

    def save(self, db: Database, code: str, expected: Versions) -> dict:
        values = self.values()
        values["items"] = split_items(values["items"])
        values["schedule"] = [edit_measures.parse_schedule_box(line)
                              for line in values["schedule"].splitlines() if line.strip()]
        return edit_measures.edit_measure(db, code, source="form", expected_versions=expected,
                                          **values)


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
