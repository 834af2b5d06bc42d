"""ファイル > 報告書を作成…: the consolidated report made by `dxtracker report` in a separate
process (QProcess), for real, while the window stays usable: its progress step by step, a
cancel that leaves no file, the app's language and the comparison sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtGui import QKeySequence

from ui.dialogs.report import ReportDialog
from ui.main_window import MainWindow
from ui.report_process import report_command

REPORT_TIMEOUT_MS = 180_000  # a real report in a child process, on a shared machine


@pytest.fixture(autouse=True)
def _stop_reports_on_close(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A window closed at teardown with a report running stops it without asking."""
    monkeypatch.setattr(MainWindow, "confirm_stop_report", lambda self: True)


def open_dialog(window, qtbot) -> ReportDialog:  # type: ignore[no-untyped-def]
    dialog = window.create_report()
    assert isinstance(dialog, ReportDialog)
    qtbot.addWidget(dialog)
    return dialog


def wait_until_finished(dialog: ReportDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=REPORT_TIMEOUT_MS)


def wait_for_stage(dialog: ReportDialog, qtbot, stage: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.step is not None and dialog.step.stage == stage,
                    timeout=REPORT_TIMEOUT_MS)


def test_the_file_menu_offers_the_report_to_headquarters_only(main_window, make_ctx,
                                                               make_window) -> None:
    action = main_window.report_action
    assert action in main_window.file_menu.actions()
    assert action.text() == "報告書を作成…"
    assert action.shortcut() == QKeySequence("Ctrl+R")
    assert action.isVisible() and action.isEnabled()
    department_window = make_window(make_ctx("商工労働部"))
    assert not department_window.report_action.isVisible()
    assert department_window.create_report() is None


def test_the_report_is_made_in_a_child_process(main_window, ctx, qtbot, tmp_path) -> None:
    ctx.set_fiscal_year(2021)
    dialog = open_dialog(main_window, qtbot)
    assert dialog.year_combo.currentData() == 2021
    assert dialog.xlsx_edit.text().endswith("令和3年度_DX推進計画_報告書.xlsx")
    xlsx = tmp_path / "報告書.xlsx"
    dialog.xlsx_edit.setText(str(xlsx))
    dialog.pdf_check.setChecked(True)
    assert dialog.pdf_edit.text() == str(tmp_path / "報告書.pdf")  # follows the workbook
    dialog.create_button.click()
    assert dialog.is_running()
    assert dialog.progress.isVisible() and not dialog.create_button.isEnabled()
    assert dialog.close_button.text() == "中止"
    assert "報告書を作成する準備をしています…" in dialog.message.text()
    wait_for_stage(dialog, qtbot, "chart")  # the child's own steps, as they happen
    assert dialog.step is not None
    total = dialog.step.total
    assert dialog.progress.maximum() == total and dialog.progress.value() == dialog.step.done
    assert "手順 " in dialog.message.text() and f"/{total}: グラフ P" in dialog.message.text()
    wait_for_stage(dialog, qtbot, "pdf")
    assert dialog.progress.value() > total // 2
    wait_until_finished(dialog, qtbot)
    assert dialog.written == xlsx, dialog.message.text()
    assert f"報告書を作成しました: {xlsx}" in dialog.message.text()
    assert "PDFを作成しました" in dialog.message.text()
    assert dialog.open_folder_button.isVisible() and not dialog.progress.isVisible()
    assert dialog.step is not None and dialog.step.done == dialog.step.total == total
    assert "PROGRESS" not in dialog.message.toolTip()
    assert (tmp_path / "報告書.pdf").stat().st_size > 10_000
    workbook = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        assert workbook.sheetnames[0] == "総括" and "データ" in workbook.sheetnames
    finally:
        workbook.close()
    assert "報告書を作成しました" in main_window.statusBar().currentMessage()


def test_a_failure_shows_the_command_lines_message(main_window, qtbot, tmp_path,
                                                   monkeypatch) -> None:
    dialog = open_dialog(main_window, qtbot)
    xlsx = tmp_path / "r.xlsx"
    dialog.xlsx_edit.setText(str(xlsx))
    missing = tmp_path / "missing.sqlite3"
    monkeypatch.setattr(dialog, "command",
                        lambda: report_command(missing, xlsx, dialog.fiscal_year()))
    dialog.create_button.click()
    wait_until_finished(dialog, qtbot)
    text = dialog.message.text()
    assert text.startswith("報告書を作成できませんでした。")
    assert str(missing) in text and "ファイルがありません" in text  # the CLI's own Japanese
    assert dialog.written is None and not xlsx.exists()
    assert not dialog.open_folder_button.isVisible() and dialog.create_button.isEnabled()


@pytest.mark.parametrize("stage", ["sheet", "pdf"])
def test_a_running_report_can_be_stopped_mid_way(main_window, qtbot, tmp_path, stage) -> None:
    dialog = open_dialog(main_window, qtbot)
    folder = tmp_path / "out"
    folder.mkdir()
    dialog.xlsx_edit.setText(str(folder / "stopped.xlsx"))
    dialog.pdf_check.setChecked(True)
    dialog.create_button.click()
    wait_for_stage(dialog, qtbot, stage)  # the charts are drawn; sheets or the PDF begun
    assert dialog.step is not None and dialog.step.done < dialog.step.total
    dialog.close_button.click()  # 中止
    assert not dialog.is_running()
    assert dialog.process is not None and dialog.process.exitCode() == 130  # stopped itself
    assert dialog.message.text() == "報告書の作成を中止しました。ファイルは作成も変更もしていません。"
    assert dialog.isVisible()  # stopping does not close the dialog; 閉じる does
    assert list(folder.iterdir()) == []  # no workbook, no PDF, no temporary file
    assert dialog.create_button.isEnabled() and dialog.close_button.text() == "キャンセル"


def test_a_report_stopped_at_once_writes_nothing(main_window, qtbot, tmp_path) -> None:
    dialog = open_dialog(main_window, qtbot)
    xlsx = tmp_path / "stopped.xlsx"
    dialog.xlsx_edit.setText(str(xlsx))
    dialog.create_button.click()
    dialog.close_button.click()  # before the child has even started its work
    assert not dialog.is_running()
    assert dialog.message.text() == "報告書の作成を中止しました。ファイルは作成も変更もしていません。"
    assert not xlsx.exists() and list(tmp_path.glob(".stopped*")) == []


def test_the_report_follows_the_apps_language_and_adds_the_comparison(
        make_ctx, make_window, qtbot, tmp_path) -> None:
    window = make_window(make_ctx(None, language="en"))
    dialog = open_dialog(window, qtbot)
    assert dialog.labels[3].text().replace("&", "") == "Comparison sheet:"
    dialog.comparison_combo.setCurrentIndex(dialog.comparison_combo.findData("year"))
    xlsx = tmp_path / "report.xlsx"
    dialog.xlsx_edit.setText(str(xlsx))
    arguments = dialog.command().arguments
    assert arguments[arguments.index("--lang") + 1] == "en"
    assert arguments[arguments.index("--comparison") + 1] == "year"
    dialog.create_button.click()
    wait_until_finished(dialog, qtbot)
    assert dialog.written == xlsx, dialog.message.text()
    assert dialog.message.text().startswith("Report created:")
    workbook = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        assert workbook.sheetnames[0] == "Summary"
        assert workbook.sheetnames[-2:] == ["Data", "Year on year"]
    finally:
        workbook.close()


def test_paths_are_checked_before_starting(main_window, qtbot, tmp_path) -> None:
    dialog = open_dialog(main_window, qtbot)
    dialog.xlsx_edit.setText(str(tmp_path / "no-such-folder" / "r.xlsx"))
    dialog.create_button.click()
    assert not dialog.is_running()
    assert "がありません" in dialog.message.text()
    existing = tmp_path / "r.xlsx"
    existing.write_bytes(b"old")
    dialog.xlsx_edit.setText(str(existing))
    asked: list[list[Path]] = []
    dialog.confirm_overwrite = lambda paths: asked.append(paths) or False  # type: ignore[method-assign]
    dialog.create_button.click()
    assert asked == [[existing]] and not dialog.is_running()
    assert existing.read_bytes() == b"old"


def test_the_frozen_build_runs_the_console_program_beside_it(monkeypatch, tmp_path) -> None:
    import sys

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "DXTracker" / "dxtracker-gui"))
    command = report_command(tmp_path / "db.sqlite3", tmp_path / "r.xlsx", 2022,
                             tmp_path / "r.pdf")
    expected = "dxtracker.exe" if sys.platform == "win32" else "dxtracker"
    assert command.program == str(tmp_path / "DXTracker" / expected)
    assert command.arguments == ["--db", str(tmp_path / "db.sqlite3"), "report",
                                 "-o", str(tmp_path / "r.xlsx"), "--fy", "2022",
                                 "--pdf", str(tmp_path / "r.pdf"), "--lang", "ja", "--progress"]


def test_closing_the_window_stops_a_running_report(main_window, qtbot, tmp_path) -> None:
    dialog = open_dialog(main_window, qtbot)
    dialog.xlsx_edit.setText(str(tmp_path / "r.xlsx"))
    dialog.create_button.click()
    assert dialog.is_running()
    main_window.close()  # the user agreed to stop (confirm_stop_report, patched above)
    assert not dialog.is_running()
    assert not main_window.isVisible()
