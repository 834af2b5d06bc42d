"""The first-start question: which department does the user belong to (or headquarters)?"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr


class DepartmentDialog(QDialog):
    """A list of the plan's departments plus headquarters mode; Enter or double-click chooses."""

    def __init__(self, departments: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("department_dialog")
        self.setWindowTitle(tr("DX Tracker の初期設定"))
        self.intro = QLabel(tr(
            "所属する部局を選んでください。\n"
            "選んだ部局のKPIと施策を入力し、回答を作成できます。\n"
            "政策担当（本部）として全体を取りまとめる場合は、最後の項目を選んでください。\n"
            "あとから［設定］で変更できます。"), self)
        self.intro.setWordWrap(True)
        self.list = QListWidget(self)
        for name in departments:
            item = QListWidgetItem(name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, name)
        headquarters = QListWidgetItem(tr("知事政策局（本部・取りまとめ）"), self.list)
        headquarters.setData(Qt.ItemDataRole.UserRole, None)
        font = headquarters.font()
        font.setBold(True)  # a different kind of choice from the departments above
        headquarters.setFont(font)
        self.list.setCurrentRow(0)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("開始"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("キャンセル"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.resize(460, 480)

    def choice(self) -> str | None:
        """The chosen department name; None means headquarters."""
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


def ask_department(departments: list[str]) -> str | bool | None:
    """The chosen department, None for headquarters, or False when the dialog was closed."""
    dialog = DepartmentDialog(departments)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return dialog.choice()
