"""Headquarters flow: two departments' returns are dropped on the merge page, one with a bad
cell; the preview lists the change and the error with its cell; the good one is merged; the
tracker shows one merged and one refused; the merge can be undone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns.export import export_return
from dxtracker.store.connect import open_database
from tests.helpers import stored_actual

FY = 2022
GOOD, BAD = "商工労働部", "土木部"


def corrupt_actual(path: Path, kpi_code: str, text: str) -> str:
    """Type `text` into the actual of `kpi_code` as a person in Excel would; returns the cell."""
    book = load_workbook(path)
    sheet = book["KPI実績"]
    header = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(header, start=1) if str(h).startswith("実績値"))
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == kpi_code)
    cell = sheet.cell(row, column)
    cell.value = text
    book.save(path)
    return cell.coordinate


@pytest.fixture
def returns(template_db: Path, tmp_path: Path) -> dict[str, Path]:
    """A department database with entries, and the two returns exported from it."""
    source = tmp_path / "department.sqlite3"
    shutil.copyfile(template_db, source)
    folder = tmp_path / "mail"
    folder.mkdir()
    with open_database(source) as db:
        set_actual(db, "P03-K3", FY, "１，２３４件", department=GOOD, note="見込み")
        set_progress(db, "P03-M1", FY, GOOD, status="順調", record="支援を実施")
        set_actual(db, "P03-K2", FY, "24", department=BAD)
        with db.read() as session:
            paths = {dept: export_return(session, dept, FY, directory=folder)
                     for dept in (GOOD, BAD)}
    paths["bad_cell"] = corrupt_actual(paths[BAD], "P03-K2", "十二")  # type: ignore[assignment]
    return paths


def drop(window, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """A real drop event on the main window (it hands the files to the merge page)."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_drop_preview_apply_track_and_undo(ctx, make_window, returns, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx.set_fiscal_year(FY)
    window = make_window(ctx)
    assert ctx.is_headquarters and "merge" in window.available_keys()

    drop(window, [returns[GOOD], returns[BAD]])
    page = window.pages["merge"]
    assert window.current_page_key() == "merge"
    files = page.files.entries
    assert [f.path for f in files] == [returns[GOOD], returns[BAD]]
    assert [f.state for f in files] == ["ready", "refused"]
    assert [f.checked for f in files] == [True, False]
    assert stored_actual(ctx.db, "P03-K3", GOOD, FY) is None  # the dry run wrote nothing

    # The good file: its changes, old → new.
    page.file_view.setCurrentIndex(page.files.index(0))
    changes = page.details.changes
    rows = [[changes.index(r, c).data() for c in range(changes.columnCount())]
            for r in range(changes.rowCount())]
    first = [rows[0][0], rows[0][2], rows[0][3], rows[0][5]]  # item, field, old, new
    assert first == ["P03-K3", "実績値", "（空欄）", "1,234"]
    assert any(r[0] == "P03-M1" and r[2] == "進捗状況" and r[5] == "順調" for r in rows)
    assert page.details.tabs.currentIndex() == 0

    # The bad file: the error names file, sheet and cell.
    page.file_view.setCurrentIndex(page.files.index(1))
    problems = page.details.problems
    assert page.details.tabs.currentIndex() == 2
    errors = [[problems.index(r, c).data() for c in range(problems.columnCount())]
              for r in range(problems.rowCount())]
    assert any(e[1] == returns[BAD].name and e[2] == "KPI実績" and e[3] == returns["bad_cell"]
               and "十二" in e[4] for e in errors), errors
    assert returns["bad_cell"] in page.details.summary.text()
    # A refused file cannot be ticked.
    assert not page.files.setData(page.files.index(1), Qt.CheckState.Checked,
                                  Qt.ItemDataRole.CheckStateRole)

    with qtbot.waitSignal(ctx.data_changed):
        page.apply_button.click()
    assert [f.state for f in page.files.entries] == ["merged", "refused"]
    assert "1件のファイルを取り込みました" in page.result_label.text()
    assert stored_actual(ctx.db, "P03-K3", GOOD, FY) == "1,234"
    assert stored_actual(ctx.db, "P03-K2", BAD, FY) is None

    tracker = window.show_page("tracker")
    lines = {line.status.department_name: line for line in tracker.model.lines}
    assert lines[GOOD].state == "merged"
    assert lines[BAD].state == "refused"
    assert lines["教育委員会"].state == "missing"
    model = tracker.model
    row_of = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    assert model.index(row_of[GOOD], 2).data() == "提出済み"
    assert model.index(row_of[GOOD], model.MERGE).data().startswith("取込済み")
    assert model.index(row_of[GOOD], model.REVIEW).data() == "受付"  # its review: received
    assert "不受理" in model.index(row_of[BAD], 2).data()
    assert "十二" in model.index(row_of[BAD], 2).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row_of["教育委員会"], 2).data() == "未提出"
    assert "取込済み 1" in tracker.summary.text() and "不受理 1" in tracker.summary.text()

    # Undo the last merge: the figure goes, the department is missing again.
    page = window.show_page("merge")
    page.confirm_undo = lambda: True
    page.undo_button.click()
    assert stored_actual(ctx.db, "P03-K3", GOOD, FY) is None
    assert "元に戻しました" in page.result_label.text()
    assert [f.state for f in page.files.entries] == ["ready", "refused"]  # checked again
    tracker = window.show_page("tracker")
    lines = {line.status.department_name: line for line in tracker.model.lines}
    assert lines[GOOD].state == "missing"


def test_conflicts_are_decided_per_field(ctx, make_window, returns, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Headquarters changed the figure after the export: a conflict with three values; taking
    the return's value merges it."""
    ctx.set_fiscal_year(FY)
    set_actual(ctx.db, "P03-K3", FY, "1,000", department=GOOD)
    window = make_window(ctx)
    window.show_page("merge").add_files([returns[GOOD]])
    page = window.pages["merge"]
    assert page.files.entries[0].state == "conflicts"
    conflicts = page.details.conflicts
    assert page.details.tabs.currentIndex() == 1
    row = [conflicts.index(0, c).data() for c in range(conflicts.columnCount())]
    assert row[0] == "P03-K3" and row[3:6] == ["（空欄）", "1,234", "1,000"]
    assert row[6] == "未選択（今回は保留）"
    assert conflicts.setData(conflicts.index(0, conflicts.CHOICE), "theirs")
    assert conflicts.index(0, conflicts.CHOICE).data() == "回答の値を採用"
    page.apply_button.click()
    assert stored_actual(ctx.db, "P03-K3", GOOD, FY) == "1,234"


def test_a_folder_can_be_added(ctx, make_window, returns) -> None:  # type: ignore[no-untyped-def]
    window = make_window(ctx)
    page = window.show_page("merge")
    page.add_files([returns[GOOD].parent])
    assert sorted(e.path.name for e in page.files.entries) == sorted(
        [returns[GOOD].name, returns[BAD].name])
