"""報告書を作成 (headquarters): fiscal year, the workbook's path, optionally a PDF and a comparison
sheet (前年度比較); the consolidated report is made by `dxtracker report` in a separate process
(`ui.report_process` says why), in the app's language, with its real progress meanwhile (step N
of M: charts, sheets, saving, PDF pages). 中止 stops it: the child removes what it has begun
and no file is written. A failure shows the command line's own message; on success the dialog
offers to open the folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QProcess, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.report.steps import ReportStep, parse_progress_line
from ui.context import AppContext
from ui.dialogs.file_dialog import FileWritingDialog, default_folder
from ui.i18n import tr
from ui.report_process import (
    CANCEL_LINE,
    CANCELLED_STATUS,
    ReportCommand,
    decode_output,
    prepare_process,
    report_command,
)

STOP_WAIT_MS = 15_000  # a cancelled child stops at its next step: well under a second


def default_report_name(fiscal_year: int) -> str:
    return f"{fiscal_year_label(fiscal_year)}_DX推進計画_報告書.xlsx"


class ReportDialog(FileWritingDialog):
    last_folder: Path | None = None  # remembered for the session

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("report_dialog")
        self.process: QProcess | None = None
        self.cancelled = False
        self.busy = False  # between Create and the child's end
        self.output = b""
        self.errors = b""
        self.step: ReportStep | None = None  # the last step the child reported
        self.killed = False
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setInterval(500)
        self.ticker.timeout.connect(self._show_running)
        self._build()
        self.retranslate()
        self._propose_names()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.year_combo = self._year_combo("report_fiscal_year")
        self.year_combo.currentIndexChanged.connect(lambda _: self._propose_names())
        self.xlsx_edit = QLineEdit()
        self.xlsx_edit.setObjectName("report_xlsx")
        self.xlsx_edit.textEdited.connect(lambda _: setattr(self, "_name_edited", True))
        self.xlsx_edit.textChanged.connect(lambda _: self._follow_pdf_name())
        self.xlsx_button = QPushButton()
        self.xlsx_button.clicked.connect(self.choose_xlsx)
        self.pdf_check = QCheckBox()
        self.pdf_check.setObjectName("report_with_pdf")
        self.pdf_edit = QLineEdit()
        self.pdf_edit.setObjectName("report_pdf")
        self.pdf_button = QPushButton()
        self.pdf_button.clicked.connect(self.choose_pdf)
        self.pdf_check.toggled.connect(self._enable_pdf)
        self.comparison_combo = QComboBox()
        self.comparison_combo.setObjectName("report_comparison")
        self.labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        form.addRow(self.labels[0], self.year_combo)
        form.addRow(self.labels[1], _row(self.xlsx_edit, self.xlsx_button))
        form.addRow(self.labels[2], _row(self.pdf_check, self.pdf_edit, self.pdf_button))
        form.addRow(self.labels[3], self.comparison_combo)
        for label, field in zip(self.labels, (self.year_combo, self.xlsx_edit, self.pdf_check,
                                              self.comparison_combo), strict=True):
            label.setBuddy(field)
        self.progress = QProgressBar()
        self.progress.setObjectName("report_progress")
        self.progress.setFormat("%v / %m")
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("report_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons())
        self._enable_pdf(False)
        self.setMinimumWidth(680)

    def _buttons(self) -> QHBoxLayout:
        self.create_button = QPushButton()
        self.create_button.setObjectName("report_create")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create)
        return self._button_row(self.create_button, open_folder_name="report_open_folder")

    def retranslate(self) -> None:
        self.setWindowTitle(tr("報告書を作成"))
        for label, text in zip(self.labels, (tr("年度(&Y):"), tr("報告書（Excel）(&X):"),
                                             tr("PDF(&P):"), tr("比較のシート(&M):")), strict=True):
            label.setText(text)
        chosen = self.comparison_combo.currentIndex()
        self.comparison_combo.clear()
        self.comparison_combo.addItem(tr("なし"), None)
        self.comparison_combo.addItem(tr("前年度比較（前年度と今年度の値を並べる）"), "year")
        self.comparison_combo.addItem(
            tr("前回の回答からの変更（部局ごとに承認済み、なければ統合済みの回答と比べる）"), "return")
        self.comparison_combo.setCurrentIndex(max(chosen, 0))
        self.xlsx_button.setText(tr("参照(&B)…"))
        self.pdf_check.setText(tr("PDFも作成する"))
        self.pdf_button.setText(tr("参照(&R)…"))
        self.create_button.setText(tr("作成(&C)"))
        self.open_folder_button.setText(tr("フォルダを開く(&O)"))
        self._update_close_text()

    def _update_close_text(self) -> None:
        if self.busy:
            self.close_button.setText(tr("中止"))
        else:
            self.close_button.setText(self._close_text())

    # ------------------------------------------------------------------ choices

    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    def xlsx_path(self) -> Path:
        text = self.xlsx_edit.text().strip()
        if text and not text.lower().endswith(".xlsx"):
            text += ".xlsx"
        return Path(text).expanduser()

    def pdf_path(self) -> Path | None:
        text = self.pdf_edit.text().strip()
        if not self.pdf_check.isChecked() or not text:
            return None
        return Path(text if text.lower().endswith(".pdf") else text + ".pdf").expanduser()

    def _propose_names(self) -> None:
        if not self._name_edited and self.year_combo.count():
            folder = self.last_folder or default_folder()
            self.xlsx_edit.setText(str(folder / default_report_name(self.fiscal_year())))

    def _follow_pdf_name(self) -> None:
        """The PDF beside the workbook, same name, unless the user typed another."""
        if not self.pdf_edit.isModified():
            self.pdf_edit.setText(str(self.xlsx_path().with_suffix(".pdf")))

    def _enable_pdf(self, enabled: bool) -> None:
        self.pdf_edit.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)

    def choose_xlsx(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("報告書の保存先"), self.xlsx_edit.text(),
                                              tr("Excel ブック (*.xlsx)"))
        if path:
            self._name_edited = True
            self.xlsx_edit.setText(path)

    def choose_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("PDFの保存先"), self.pdf_edit.text(),
                                              tr("PDF (*.pdf)"))
        if path:
            self.pdf_edit.setText(path)
            self.pdf_edit.setModified(True)

    def confirm_overwrite(self, paths: list[Path]) -> bool:
        """Asked when a file exists; replaced in tests."""
        names = "\n".join(str(p) for p in paths)
        return QMessageBox.question(
            self, tr("報告書を作成"), tr("次のファイルはすでにあります。上書きしますか？\n{paths}",
                                      paths=names),
        ) == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ running

    def command(self) -> ReportCommand:
        return report_command(self.ctx.db.location, self.xlsx_path(), self.fiscal_year(),
                              self.pdf_path(), language=self.ctx.language,
                              comparison=self.comparison_combo.currentData())

    def is_running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def create(self) -> None:
        if self.is_running():
            return
        problem = self._check_paths()
        if problem:
            self._show(problem, error=True)
            return
        targets = [p for p in (self.xlsx_path(), self.pdf_path()) if p is not None]
        existing = [p for p in targets if p.exists()]
        if existing and not self.confirm_overwrite(existing):
            return
        self._start(self.command())

    def _check_paths(self) -> str | None:
        if not self.xlsx_edit.text().strip():
            return tr("報告書のファイル名を入力してください。")
        if self.pdf_check.isChecked() and not self.pdf_edit.text().strip():
            return tr("PDFのファイル名を入力してください。")
        for path in (self.xlsx_path(), self.pdf_path()):
            if path is not None and not path.parent.is_dir():
                return tr("保存先フォルダ {folder} がありません。", folder=path.parent)
        return None

    def _start(self, command: ReportCommand) -> None:
        process = QProcess(self)
        prepare_process(process, command.password)
        process.setWorkingDirectory(command.working_directory)
        process.readyReadStandardOutput.connect(self._read_output)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error_occurred)
        self.process, self.output, self.errors = process, b"", b""
        self.written, self.cancelled, self.killed, self.step = None, False, False, None
        self.open_folder_button.setVisible(False)
        self._set_running(True)
        process.start(command.program, command.arguments)

    def _set_running(self, running: bool) -> None:
        self.busy = running
        for widget in (self.year_combo, self.xlsx_edit, self.xlsx_button, self.pdf_check,
                       self.comparison_combo, self.create_button):
            widget.setEnabled(not running)
        self._enable_pdf(self.pdf_check.isChecked() and not running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)  # busy until the child reports its first step
            self.clock.start()
            self.ticker.start()
            self._show_running()
        else:
            self.ticker.stop()
        self._update_close_text()

    def _show_running(self) -> None:
        seconds = self.clock.elapsed() // 1000
        step = self.step
        if step is None:
            stage = tr("報告書を作成する準備をしています…")
        else:
            stage = tr("手順 {done}/{total}: {what}", done=step.done, total=step.total,
                       what=step_text(step))
        self._show(tr("{stage}（{seconds}秒）", stage=stage, seconds=seconds))

    def _read_output(self) -> None:
        if self.process is None:
            return
        self.output += self.process.readAllStandardOutput().data()
        for line in decode_output(self.output).splitlines():
            step = parse_progress_line(line)
            if step is not None:
                self.step = step
        if self.step is not None:
            self.progress.setRange(0, self.step.total)
            self.progress.setValue(self.step.done)
        self._show_running()

    def _read_errors(self) -> None:
        if self.process is not None:
            self.errors += self.process.readAllStandardError().data()

    def _error_occurred(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._set_running(False)
            program = self.process.program() if self.process else ""
            self._show(tr("報告書を作成するプログラムを起動できませんでした: {program}",
                          program=program), error=True)

    def _finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._read_output()
        self._read_errors()
        self._set_running(False)
        # Temporary files exist only once the child has reported steps; a child that stopped
        # by itself (status 130) has removed its own.
        clean = self.step is None or (not self.killed and exit_code == CANCELLED_STATUS)
        if self.cancelled and not clean:
            self._show(tr("報告書の作成を中止しました（作成中のプログラムを強制終了しました）。保存先の"
                          "フォルダに「.」で始まる一時ファイルが残っていれば削除してください。"),
                       error=True)
        elif self.cancelled:
            self._show(tr("報告書の作成を中止しました。ファイルは作成も変更もしていません。"),
                       error=True)
        elif exit_status == QProcess.ExitStatus.NormalExit and exit_code == 0:
            self._succeeded()
        else:
            detail = decode_output(self.errors).strip() or tr("終了コード {code}", code=exit_code)
            self._show(tr("報告書を作成できませんでした。\n{detail}", detail=detail), error=True)

    def _succeeded(self) -> None:
        self.written = self.xlsx_path()
        ReportDialog.last_folder = self.written.parent
        self.progress.setValue(self.progress.maximum())
        lines = [tr("報告書を作成しました: {path}", path=self.written)]
        pdf = self.pdf_path()
        if pdf is not None:
            lines.append(tr("PDFを作成しました: {path}", path=pdf))
        self._show("\n".join(lines))
        self.message.setToolTip("\n".join(
            line for line in decode_output(self.output).splitlines()
            if parse_progress_line(line) is None).strip())
        self.open_folder_button.setVisible(True)
        self.open_folder_button.setFocus()
        self._update_close_text()
        self.ctx.saved.emit(lines[0])

    def reject(self) -> None:
        """キャンセル / 中止 / Esc: a running report is stopped (and the dialog stays, saying
        so); otherwise the dialog closes. The child hears "cancel" on its stdin (and SIGTERM
        where there is one), stops at its next step and removes its temporary files: nothing is
        written. Only a child that does not stop in time is killed."""
        if self.is_running():
            self.stop()
            return
        super().reject()

    def stop(self) -> None:
        process = self.process
        assert process is not None
        self.cancelled = True
        process.write(CANCEL_LINE)
        process.waitForBytesWritten(1000)
        process.terminate()
        if not process.waitForFinished(STOP_WAIT_MS):
            self.killed = True
            process.kill()
            process.waitForFinished(5000)


def step_text(step: ReportStep) -> str:
    """What the child is doing, in words."""
    if step.stage == "chart":
        return tr("グラフ {detail}", detail=step.detail)
    if step.stage == "sheet":
        return tr("シート「{detail}」", detail=step.detail)
    if step.stage == "save":
        return tr("報告書（Excel）を保存")
    return tr("PDF {page}ページ目", page=step.detail)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return row
