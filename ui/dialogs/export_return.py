"""Export return (回答の書き出し): department, fiscal year, file name and folder, then the core
writes the workbook in the background; on success the dialog offers to open the folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxtracker.returns.export import ExportResult, default_return_file_name, write_return
from ui.context import AppContext
from ui.dialogs.file_dialog import FileWritingDialog
from ui.i18n import language, tr
from ui.tasks import error_text


class ExportReturnDialog(FileWritingDialog):
    last_folder: Path | None = None  # remembered for the session

    def __init__(self, ctx: AppContext, department: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("export_return_dialog")
        self._build(department)
        self.retranslate()
        self._propose_name()

    def _build(self, department: str | None) -> None:
        self.department_combo = QComboBox()
        self.department_combo.setObjectName("export_department")
        self.department_combo.addItems(self.ctx.departments)
        if department:
            self.department_combo.setCurrentText(department)
        # A department exports only its own return; headquarters may export any.
        self.department_combo.setEnabled(self.ctx.is_headquarters)
        self.year_combo = self._year_combo("export_fiscal_year")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("export_file_name")
        self.name_edit.textEdited.connect(lambda _: setattr(self, "_name_edited", True))
        folder_row = self._folder_row("export_folder", self.last_folder)
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(4)]
        for label, field in zip(self.labels, (self.department_combo, self.year_combo,
                                              self.name_edit, self.folder_edit), strict=True):
            label.setBuddy(field)
        self.form.addRow(self.labels[0], self.department_combo)
        self.form.addRow(self.labels[1], self.year_combo)
        self.form.addRow(self.labels[2], self.name_edit)
        self.form.addRow(self.labels[3], folder_row)
        self.department_combo.currentIndexChanged.connect(lambda _: self._propose_name())
        self.year_combo.currentIndexChanged.connect(lambda _: self._propose_name())
        self.message = QLabel()
        self.message.setObjectName("export_message")
        self.message.setWordWrap(True)
        self.export_button = QPushButton()
        self.export_button.setObjectName("export_ok")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        buttons = self._button_row(self.export_button, open_folder_name="open_folder")
        # What the department is about to send, against last year or its last accepted return.
        self.compare_button = QPushButton()
        self.compare_button.setObjectName("export_compare")
        self.compare_button.clicked.connect(self.show_comparison)
        buttons.insertWidget(0, self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("回答の書き出し"))
        for label, text in zip(self.labels, (tr("部局(&D):"), tr("年度(&Y):"),
                                             tr("ファイル名(&N):"), tr("保存先フォルダ(&F):")),
                               strict=True):
            label.setText(text)
        self.browse_button.setText(tr("参照(&B)…"))
        self.export_button.setText(tr("書き出す(&E)"))
        self.compare_button.setText(tr("変更点を確認(&K)…"))
        self.open_folder_button.setText(tr("フォルダを開く(&O)"))
        self.close_button.setText(self._close_text())

    # ------------------------------------------------------------------ choices

    def department(self) -> str:
        return self.department_combo.currentText()

    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    def _propose_name(self) -> None:
        if not self._name_edited and self.department():
            self.name_edit.setText(default_return_file_name(self.fiscal_year(), self.department()))

    def show_comparison(self) -> QDialog:
        from ui.dialogs.comparison import ComparisonDialog

        dialog = ComparisonDialog(self.ctx, self.department(), self.fiscal_year(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def confirm_overwrite(self, path: Path) -> bool:
        """Asked when the file exists; replaced in tests."""
        return QMessageBox.question(
            self, tr("回答の書き出し"),
            tr("{path} はすでにあります。上書きしますか？", path=path),
        ) == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        path = self.target_path()
        if not self.name_edit.text().strip():
            self._show(tr("ファイル名を入力してください。"), error=True)
            return
        if not path.parent.is_dir():
            self._show(tr("保存先フォルダ {folder} がありません。", folder=path.parent), error=True)
            return
        if path.exists() and not self.confirm_overwrite(path):
            return
        db, department, fiscal_year = self.ctx.db, self.department(), self.fiscal_year()

        def work(_progress) -> ExportResult:  # type: ignore[no-untyped-def]
            with db.read() as session:
                return write_return(session, department, fiscal_year, path)

        self.export_button.setEnabled(False)
        self._show(tr("書き出しています…"))
        self.ctx.tasks.run(work, on_success=self._exported, on_failure=self._failed,
                           progress_label=tr("回答を書き出しています…"), parent=self)

    def _exported(self, result: ExportResult) -> None:
        self.written = result.path
        ExportReturnDialog.last_folder = result.path.parent
        lines = [tr("回答を書き出しました: {path}", path=result.path),
                 tr("このファイルを本部（知事政策局）へ送ってください。")]
        lines += [w.text(language()) for w in result.warnings]
        self._show("\n".join(lines))
        self.export_button.setEnabled(True)
        self.open_folder_button.setVisible(True)
        self.open_folder_button.setFocus()
        self.retranslate()
        self.ctx.saved.emit(tr("回答を書き出しました: {path}", path=result.path))

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self._show(error_text(exc), error=True)
