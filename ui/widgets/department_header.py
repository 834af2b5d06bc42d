"""The header of the department entry pages: heading, department chooser, export button.

Departments see their own data only, so the chooser shows in headquarters mode alone.
Ctrl+E exports the chosen department's return from anywhere on the page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.i18n import tr


class DepartmentHeader(QWidget):
    department_chosen = Signal()
    export_requested = Signal()

    def __init__(self, ctx, page: QWidget) -> None:  # type: ignore[no-untyped-def]
        super().__init__(page)
        self.ctx = ctx
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.department_label = QLabel()
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("department_combo")
        self.department_label.setBuddy(self.department_combo)
        self.department_combo.currentIndexChanged.connect(lambda _: self.department_chosen.emit())
        self.export_button = QPushButton()
        self.export_button.setObjectName("export_button")
        self.export_button.clicked.connect(self.export_requested)
        export_action = QAction(page)
        export_action.setShortcut(QKeySequence("Ctrl+E"))
        export_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        export_action.triggered.connect(self.export_requested)
        page.addAction(export_action)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading, 1)
        layout.addWidget(self.department_label)
        layout.addWidget(self.department_combo)
        layout.addWidget(self.export_button)

    def department(self) -> str | None:
        if not self.ctx.is_headquarters:
            return self.ctx.department
        return self.department_combo.currentText() or None

    def fill_departments(self) -> None:
        hq = self.ctx.is_headquarters
        self.department_label.setVisible(hq)
        self.department_combo.setVisible(hq)
        combo = self.department_combo
        if [combo.itemText(i) for i in range(combo.count())] != self.ctx.departments:
            blocked = combo.blockSignals(True)
            combo.clear()
            combo.addItems(self.ctx.departments)
            combo.blockSignals(blocked)

    def retranslate(self) -> None:
        self.department_label.setText(tr("部局(&D):"))
        self.export_button.setText(tr("回答を書き出す(&R)…"))
        self.export_button.setToolTip(tr("この部局の回答（Excel）を書き出します（Ctrl+E）"))

