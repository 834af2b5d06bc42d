"""Headquarters — merging returns (回答の取込): choose or drop files, see what each would change,
decide conflicts, merge the selected files, undo the last merge.

Reading and the dry run run in the background (`ctx.tasks`), with the page's own progress bar;
the merge itself too. Each file is merged by the core in its own transaction; a refused file
changes nothing. The page keeps the conflict decisions across dry runs (keyed by the core's
`Conflict.key`) and hands them to `merge_returns(..., decisions=...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import tr
from ui.models import year_label
from ui.pages import Page
from ui.tasks import error_text

if TYPE_CHECKING:
    from dxtracker.returns.apply import MergeReport
    from dxtracker.returns.threeway import Side
    from dxtracker.returns.undo import UndoResult

RETURN_SUFFIXES = (".xlsx", ".xlsm")
# A folder's workbooks in the formats people save returns in by mistake are listed too: they
# are refused with the advice to save them as .xlsx, rather than left out without a word.
FOLDER_SUFFIXES = (*RETURN_SUFFIXES, ".xls", ".ods")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the workbooks directly inside it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in FOLDER_SUFFIXES and not p.name.startswith("~$"))
        else:
            found.append(path)
    return found


class MergePage(Page):
    page_key = "merge"
    title_ja = "回答の取込"
    headquarters_only = True

    progressed = Signal(int, int, str)  # from the worker thread, queued to the page

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        # The returns core loads openpyxl: imported when the page is first shown, not at start.
        from ui.models.merge_preview_model import FileEntry, FileListModel

        self._file_entry = FileEntry
        self.files = FileListModel(self)
        self.decisions: dict[str, Side] = {}
        self.busy = False
        # The result line and the note shown before the next dry run's summary (after an
        # undo) are kept as functions of the language, so that a switch re-translates them.
        self._result: Callable[[], str] | None = None
        self._note: Callable[[], str] | None = None
        self._recheck = False  # files were added while a task ran
        self._checked_year: int | None = None  # the year the files were last checked for
        self._build()
        self.progressed.connect(self._show_progress)
        self.retranslate()
        self._update_buttons()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.year_label = QLabel()
        self.year_label.setObjectName("merge_year")
        self.choose_files_button = QPushButton()
        self.choose_files_button.clicked.connect(self.choose_files)
        self.choose_folder_button = QPushButton()
        self.choose_folder_button.clicked.connect(self.choose_folder)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("merge_progress")
        self.progress_bar.setVisible(False)
        self.progress_label = QLabel()
        choose = QHBoxLayout()
        for widget in (self.choose_files_button, self.choose_folder_button, self.clear_button):
            choose.addWidget(widget)
        choose.addStretch(1)
        choose.addWidget(self.progress_label)
        choose.addWidget(self.progress_bar)
        self.file_view = QListView()
        self.file_view.setObjectName("merge_files")
        self.file_view.setModel(self.files)
        self.file_view.setWordWrap(True)
        self.file_view.setSpacing(3)
        self.file_view.selectionModel().currentChanged.connect(
            lambda current, _previous: self._show_file(current.row()))
        from ui.pages.merge_details import MergeDetails

        self.details = MergeDetails(self.decisions, self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.file_view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([330, 900])
        self.remember_splitter(splitter, "main")
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("apply_button")
        self.apply_button.clicked.connect(self.apply)
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("undo_merge_button")
        self.undo_button.clicked.connect(self.undo_last)
        self.result_label = QLabel()
        self.result_label.setObjectName("result_label")
        self.result_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result_label, 1)
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.year_label)
        layout.addLayout(choose)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    # ------------------------------------------------------------------ Page API

    def refresh(self) -> None:
        self._show_year()
        self.details.refresh_texts()
        if self.files.entries and self._checked_year not in (None, self.ctx.fiscal_year) \
                and not self.busy:
            self.check_files()  # the year to import changed: check the files for it again

    def _show_year(self) -> None:
        self.year_label.setText(tr(
            "取り込む年度: {year}（ほかの年度の回答は取り込みません。ツールバーで切り替えます）",
            year=year_label(self.ctx.fiscal_year)))

    def retranslate(self) -> None:
        self.heading.setText(tr("回答の取込（本部）"))
        self.intro.setText(tr(
            "各部局から届いた回答ファイル（.xlsx）を選ぶか、この画面にドラッグ＆ドロップして"
            "ください。まず内容を確認し（まだ保存しません）、変更・競合・エラーを表示します。"
            "チェックしたファイルだけを取り込みます。"))
        self.choose_files_button.setText(tr("ファイルを選ぶ(&O)…"))
        self.choose_folder_button.setText(tr("フォルダを選ぶ(&L)…"))
        self.clear_button.setText(tr("一覧を空にする"))
        self.apply_button.setText(tr("選択したファイルを取り込む(&M)"))
        self.undo_button.setText(tr("直前の取込を元に戻す(&U)"))
        self._show_year()
        self._show_result(self._result)
        self.files.refresh_all()
        self.details.retranslate()

    # ------------------------------------------------------------------ choosing files

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, tr("回答ファイルを選ぶ"), "", tr("Excel ブック (*.xlsx *.xlsm)"))
        if names:
            self.add_files([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("回答ファイルのフォルダを選ぶ"))
        if folder:
            self.add_files([Path(folder)])

    def add_files(self, paths: list[Path]) -> None:
        """Add files (or folders of files) and check them all again in the background."""
        known = {e.path.resolve() for e in self.files.entries}
        entries = list(self.files.entries)
        for path in expand_paths([Path(p) for p in paths]):
            if path.resolve() not in known:
                known.add(path.resolve())
                entries.append(self._file_entry(path))
        if not entries:
            self._show_result(lambda: tr("回答ファイル（.xlsx）が見つかりませんでした。"))
            return
        self.files.set_entries(entries)
        if self.busy:
            self._recheck = True  # checked once the running task is done
            return
        self.check_files()

    def clear(self) -> None:
        self.files.set_entries([])
        self.decisions.clear()
        self.details.show_entry(None)
        self._show_result(None)
        self._update_buttons()

    # ------------------------------------------------------------------ dry run and merge

    def check_files(self) -> None:
        """The dry run of every listed file (nothing is written)."""
        from dxtracker.returns.apply import merge_returns

        paths = [e.path for e in self.files.entries]
        db, year = self.ctx.db, self.ctx.fiscal_year
        self._checked_year = year
        self._start(tr("回答を確認しています…"))
        self.ctx.tasks.run(
            # Refused files are remembered (the tracker shows them in later sessions too): a
            # refused file is never ticked, so the check is when headquarters sees it refused.
            lambda progress: merge_returns(db, paths, dry_run=True, fiscal_year=year,
                                           record_refused=True,
                                           progress=self._reporter(progress)),
            on_success=self._checked, on_failure=self._failed,
            progress_label=tr("回答を確認しています…"), parent=self)

    def apply(self) -> None:
        from dxtracker.returns.apply import merge_returns

        paths = self.files.checked_paths()
        if not paths:
            self._show_result(lambda: tr("取り込むファイルにチェックを付けてください。"))
            return
        db, decisions, year = self.ctx.db, dict(self.decisions), self.ctx.fiscal_year
        backup_dir = Path(self.ctx.settings.backup_dir) if self.ctx.settings.backup_dir else None
        self._start(tr("回答を取り込んでいます…"))
        self.ctx.tasks.run(
            lambda progress: merge_returns(db, paths, decisions=decisions, backup_dir=backup_dir,
                                           fiscal_year=year, progress=self._reporter(progress)),
            on_success=self._merged, on_failure=self._failed,
            progress_label=tr("回答を取り込んでいます…"), parent=self)

    def _reporter(self, progress):  # type: ignore[no-untyped-def]
        """Progress for both the task runner (its dialog, cancel) and this page's bar."""
        def report(done: int, total: int, text: str) -> None:
            progress(done, total, text)
            self.progressed.emit(done, total, text)
        return report

    def _checked(self, report: MergeReport) -> None:
        by_path = {r.path: r for r in report.files}
        for entry in self.files.entries:
            result = by_path.get(entry.path)
            if result is not None:
                entry.result, entry.applied = result, False
                entry.checked = entry.can_apply
        self._finish(report)
        note, self._note = self._note, None
        ready = sum(1 for e in self.files.entries if e.can_apply)
        self._show_result(lambda: " ".join(
            t for t in (note() if note else "", self._summary(report, ready)) if t))
        if report.refused:  # remembered by the check: the tracker shows them (refusals.py)
            self.ctx.notify_saved(tr("取り込めないファイル {count}件を提出状況に記録しました",
                                     count=len(report.refused)), source=self)

    def _merged(self, report: MergeReport) -> None:
        by_path = {r.path: r for r in report.files}
        for entry in self.files.entries:
            result = by_path.get(entry.path)
            if result is not None:
                entry.result, entry.applied, entry.checked = result, True, False
        self._finish(report)
        merged = sum(1 for f in report.files if f.outcome == "merged")
        self._show_result(lambda: self._merged_text(report, merged))
        if merged:
            self.ctx.notify_saved(tr("{merged}件の回答を取り込みました", merged=merged),
                                  source=self)

    @staticmethod
    def _merged_text(report: MergeReport, merged: int) -> str:
        text = tr("{merged}件のファイルを取り込みました。", merged=merged)
        if report.refused:
            text += " " + tr("{refused}件は取り込めませんでした（変更は保存していません）。",
                             refused=len(report.refused))
        if report.backup_path:
            text += " " + tr("取込前のバックアップ: {path}", path=report.backup_path)
        return text

    @staticmethod
    def _summary(report: MergeReport, ready: int) -> str:
        return tr("{total}件を確認しました: 取込可 {ready}件、取り込めない {refused}件。"
                  "まだ何も保存していません。", total=len(report.files), ready=ready,
                  refused=len(report.refused))

    def _finish(self, report: MergeReport) -> None:
        self.busy = False
        self.progress_bar.setVisible(False)
        self.progress_label.clear()
        self.files.refresh_all()
        current = self.file_view.currentIndex()
        if not current.isValid() and self.files.entries:
            self.file_view.setCurrentIndex(self.files.index(0))
        else:
            self._show_file(current.row())
        self._update_buttons()
        if self._recheck:
            self._recheck = False
            self.check_files()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.progress_bar.setVisible(False)
        self.progress_label.clear()
        self._show_result(lambda: error_text(exc))
        self._update_buttons()

    def _start(self, label: str) -> None:
        self.busy = True
        self.progress_label.setText(label)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self._update_buttons()

    def _show_result(self, make: Callable[[], str] | None) -> None:
        """The result line: `make` gives its text in the current language (kept for a switch)."""
        self._result = make
        self.result_label.setText(make() if make else "")

    def _show_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if text:
            self.progress_bar.setFormat(f"%v / %m  {text}")

    def _show_file(self, row: int) -> None:
        entries = self.files.entries
        self.details.show_entry(entries[row] if 0 <= row < len(entries) else None)

    def _update_buttons(self) -> None:
        idle = not self.busy
        self.apply_button.setEnabled(idle and any(e.can_apply for e in self.files.entries))
        for button in (self.choose_files_button, self.choose_folder_button, self.clear_button,
                       self.undo_button):
            button.setEnabled(idle)

    # ------------------------------------------------------------------ undo

    def confirm_undo(self) -> bool:
        """Asked before undoing; replaced in tests."""
        return QMessageBox.question(
            self, tr("直前の取込を元に戻す"),
            tr("直前に取り込んだ回答による変更をすべて元に戻します。よろしいですか？"),
        ) == QMessageBox.StandardButton.Yes

    def undo_last(self) -> None:
        if not self.confirm_undo():
            return
        from dxtracker.returns.undo import undo_last_merge

        db = self.ctx.db
        self._start(tr("取込を元に戻しています…"))
        self.ctx.tasks.run(lambda _progress: undo_last_merge(db), on_success=self._undone,
                           on_failure=self._failed, parent=self)

    def _undone(self, result: UndoResult) -> None:
        self.busy = False
        self.progress_bar.setVisible(False)
        self.progress_label.clear()
        files = "、".join(result.files)
        self._note = lambda: tr("取込を元に戻しました（{count}件の値、ファイル: {files}）。",
                                count=result.restored, files=files)
        self._show_result(self._note)
        for entry in self.files.entries:
            if entry.applied and entry.path.name in result.files:
                entry.result, entry.applied = None, False
        self._update_buttons()
        self.ctx.notify_saved(tr("取込を元に戻しました"), source=self)
        if self.files.entries:
            self.check_files()
        else:
            self._note = None
