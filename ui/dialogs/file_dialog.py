"""What the dialogs that write a file share (回答の書き出し, 報告書を作成): the folder proposed
first, the fiscal-year choice, the message line, and the button row
[フォルダを開く] [primary] [閉じる] whose open-folder button shows once a file is written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import tr
from ui.models import full_year_label


def default_folder() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class FileWritingDialog(QDialog):
    """A dialog that writes one file (`written` once done). Subclasses make `message`."""

    message: QLabel
    name_edit: QLineEdit  # made by the subclass, read by `target_path`

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.written: Path | None = None
        self._name_edited = False  # a name typed by the user is no longer proposed

    def _year_combo(self, name: str) -> QComboBox:
        """The plan's fiscal years, the one the app shows chosen."""
        combo = QComboBox()
        combo.setObjectName(name)
        for fiscal_year in self.ctx.fiscal_years:
            combo.addItem(full_year_label(fiscal_year), fiscal_year)
        combo.setCurrentIndex(max(combo.findData(self.ctx.fiscal_year), 0))
        return combo

    def _folder_row(self, name: str, folder: Path | None = None) -> QHBoxLayout:
        """Makes `folder_edit` (the folder proposed first) and `browse_button`; their row."""
        self.folder_edit = QLineEdit(str(folder or default_folder()))
        self.folder_edit.setObjectName(name)
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)
        return row

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("保存先フォルダを選ぶ"),
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def target_path(self) -> Path:
        """The folder and the file name typed (`name_edit`), made an .xlsx."""
        name = self.name_edit.text().strip()
        if not name.lower().endswith(".xlsx"):
            name += ".xlsx"
        return Path(self.folder_edit.text().strip()).expanduser() / name

    def _button_row(self, primary: QPushButton, open_folder_name: str) -> QHBoxLayout:
        """Makes `open_folder_button` (hidden until a file is written) and `close_button`."""
        self.open_folder_button = QPushButton()
        self.open_folder_button.setObjectName(open_folder_name)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.open_folder_button.setVisible(False)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.open_folder_button, primary, self.close_button):
            row.addWidget(button)
        return row

    def _close_text(self) -> str:
        return tr("閉じる") if self.written else tr("キャンセル")

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00000;" if error else "")
        self.message.setText(text)

    def open_folder(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written.parent)))
