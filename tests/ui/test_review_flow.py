"""Headquarters reviews a return in the app, end to end: the return is merged; on the tracker
the department is 受付; headquarters sends it back with a reason for one item (chosen with the
keyboard in the list of the return's items), which writes the workbook; the department fixes it
in the workbook and headquarters merges the fix (受付 again); headquarters accepts it; then a
form entry and a later return that would change the accepted figures are refused with who and
when; reopening (with a reason) opens them again. Screenshots in Japanese and English go to
the temporary folder's dxtracker-screens (outside the repository), to be looked at."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from dxtracker.returns.export import export_return
from dxtracker.returns.review import ACTIONS
from tests.core.test_merge_support import fill
from tests.helpers import stored_actual
from ui.models.kpi_entry_model import Column
from ui.models.tracker_model import TrackerModel
from ui.pages.tracker import ALLOWED

FY, DEPT = 2022, "商工労働部"
SCREENS = Path(tempfile.gettempdir()) / "dxtracker-screens"  # outside the repository


def shoot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENS.mkdir(exist_ok=True)
    assert widget.grab().save(str(SCREENS / f"{name}.png"))


def merge_in_app(window, path: Path, qtbot) -> object:  # type: ignore[no-untyped-def]
    page = window.show_page("merge")
    page.clear()
    page.add_files([path])
    if page.files.entries[0].can_apply:
        with qtbot.waitSignal(window.ctx.data_changed):
            page.apply_button.click()
    return page.files.entries[0]


def tracker_cell(tracker, department: str, column: int) -> str:  # type: ignore[no-untyped-def]
    model = tracker.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == department)
    return model.index(row, column).data()


@pytest.fixture
def returned(ctx, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """商工労働部's return, exported by headquarters and filled in by the department."""
    with ctx.db.read() as session:
        path = export_return(session, DEPT, FY, tmp_path / "return.xlsx")
    return fill(path, kpis={"P03-K3": {"actual": 120}}, measures={"P03-M1": {"status": "順調"}})


def test_the_buttons_follow_the_core_transitions() -> None:
    assert {key: set(states) for key, states in ALLOWED.items() if key in ACTIONS} == \
        {key: set(states) for key, (states, _) in ACTIONS.items()}


def test_send_back_fix_accept_and_a_later_change_refused(
        ctx, make_ctx, make_window, returned, tmp_path, qtbot, type_with_ime, show_widget):
    ctx.set_fiscal_year(FY)
    window = make_window(ctx)
    window.resize(1500, 800)
    assert merge_in_app(window, returned, qtbot).state == "merged"
    tracker = window.show_page("tracker")
    received_on_the_tracker(tracker)
    shoot(window, "tracker_received_ja")

    written = send_back_with_the_keyboard(tracker, qtbot, type_with_ime, tmp_path)
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW).startswith("差戻し")
    assert "単位が件ではありません" in tracker.detail.text()

    # The department fixes the item in the workbook; headquarters merges it: 受付 again.
    fixed = fill(written, kpis={"P03-K3": {"actual": "12件"}}, target=tmp_path / "fixed.xlsx")
    assert merge_in_app(window, fixed, qtbot).state == "merged"
    assert stored_actual(ctx.db, "P03-K3", DEPT, FY) == "12"
    tracker = window.show_page("tracker")
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "受付"

    accept(tracker)
    shoot(window, "tracker_accepted_ja")
    entry, cell = later_changes_refused(window, make_ctx, show_widget, tmp_path, qtbot)

    tracker = window.show_page("tracker")
    tracker.set_filter("all")
    assert "不受理" in tracker_cell(tracker, DEPT, TrackerModel.SUBMISSION)  # the late file
    reopen(tracker, type_with_ime)
    assert entry.model.setData(cell, "13")  # open again
    assert stored_actual(ctx.db, "P03-K3", DEPT, FY) == "13"


def received_on_the_tracker(tracker) -> None:  # type: ignore[no-untyped-def]
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "受付"
    assert "承認 0" in tracker.summary.text()
    tracker.set_filter("accepted")
    assert tracker.model.rowCount() == 0
    tracker.set_filter("outstanding")
    assert DEPT in [line.status.department_name for line in tracker.model.lines]
    tracker.view.setFocus()
    tracker.select_department(DEPT)
    assert tracker.buttons["send_back"].isEnabled() and not tracker.buttons["reopen"].isEnabled()


def send_back_with_the_keyboard(tracker, qtbot, type_with_ime, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """F2 on P03-K3's reason, type it, Enter; Space on an item without a reason is refused
    until undone; the overall reason; send. The workbook written."""
    tracker.buttons["send_back"].click()
    dialog = tracker.dialog
    assert dialog.objectName() == "send_back_dialog" and dialog.isVisible()
    model = dialog.model
    codes = [item.code for item in model.items]
    assert "P03-K3" in codes and "P03-M1" in codes and "P03-K2" not in codes  # its own items
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.view.setFocus()
    dialog.view.setCurrentIndex(model.index(codes.index("P03-K3"), model.REASON))
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    editor = dialog.view.findChild(QLineEdit)
    assert editor is not None
    type_with_ime(editor, "単位が件ではありません")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(model.chosen()))  # the delegate commits on a queued call
    assert [(i.code, i.reason) for i in model.chosen()] == [("P03-K3", "単位が件ではありません")]
    measure = codes.index("P03-M1")
    dialog.view.setCurrentIndex(model.index(measure, model.CHOSEN))
    qtbot.keyClick(dialog.view, Qt.Key.Key_Space)  # ticked without a reason:
    assert model.items[measure].chosen
    dialog.folder_edit.setText(str(folder))
    type_with_ime(dialog.reason, "実績値を確認してください")
    dialog.ok_button.click()
    assert "P03-M1" in dialog.message.text()  # …the dialog asks for it, nothing is written
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "受付"
    qtbot.keyClick(dialog.view, Qt.Key.Key_Space)
    assert not model.items[measure].chosen
    shoot(dialog, "send_back_dialog_ja")
    dialog.ok_button.click()
    written = dialog.written
    assert written is not None and written.exists() and str(written) in dialog.message.text()
    assert dialog.open_folder_button.isVisible() and not dialog.ok_button.isVisible()
    dialog.close()
    return written


def accept(tracker) -> None:  # type: ignore[no-untyped-def]
    """The dialog says what accepting locks; accepted, the department leaves the outstanding."""
    tracker.select_department(DEPT)
    tracker.buttons["accept"].click()
    dialog = tracker.dialog
    assert "変更できなくなります" in dialog.explanation.text()
    shoot(dialog, "accept_dialog_ja")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert tracker.filter_key() == "outstanding"
    assert DEPT not in [line.status.department_name for line in tracker.model.lines]
    tracker.set_filter("all")
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "承認"
    assert "承認 1" in tracker.summary.text()
    tracker.set_filter("accepted")
    assert [line.status.department_name for line in tracker.model.lines] == [DEPT]


def later_changes_refused(window, make_ctx, show_widget, folder: Path, qtbot):  # type: ignore[no-untyped-def]
    """A form entry and a later return, each refused saying when and by whom; the entry page
    and the cell, for after the reopening."""
    from ui.pages.kpi_entry import KpiEntryPage

    department_ctx = make_ctx(DEPT)
    department_ctx.set_fiscal_year(FY)
    entry = show_widget(KpiEntryPage(department_ctx))
    cell = entry.model.index(entry.model.row_of("P03-K3"), Column.ACTUAL)
    assert not entry.model.setData(cell, "13")
    refusal = entry.error_label.text()
    assert "承認済み" in refusal and "再開" in refusal
    assert stored_actual(window.ctx.db, "P03-K3", DEPT, FY) == "12"
    with window.ctx.db.read() as session:
        late = fill(export_return(session, DEPT, FY, folder / "late.xlsx"),
                    kpis={"P03-K3": {"actual": 14}})
    assert merge_in_app(window, late, qtbot).state == "refused"
    problems = window.pages["merge"].details.problems
    assert any("承認済み" in problems.index(r, 4).data() and problems.index(r, 3).data() == "J5"
               for r in range(problems.rowCount()))
    return entry, cell


def reopen(tracker, type_with_ime) -> None:  # type: ignore[no-untyped-def]
    """A reason is required before the button works."""
    tracker.select_department(DEPT)
    tracker.buttons["reopen"].click()
    dialog = tracker.dialog
    assert not dialog.ok_button.isEnabled()
    type_with_ime(dialog.reason, "部局から訂正の申し出があったため")
    assert dialog.ok_button.isEnabled()
    shoot(dialog, "reopen_dialog_ja")
    dialog.ok_button.click()
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "確認中"


def test_the_review_pages_in_english(ctx, make_window, returned, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    ctx.set_fiscal_year(FY)
    window = make_window(ctx)
    window.resize(1500, 800)
    merge_in_app(window, returned, qtbot)
    ctx.set_language("en")
    tracker = window.show_page("tracker")
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "Received"
    assert "accepted" in tracker.summary.text()
    tracker.select_department(DEPT)
    tracker.buttons["send_back"].click()
    dialog = tracker.dialog
    assert "Send" in dialog.windowTitle() and "Item" in dialog.model.headers()
    shoot(dialog, "send_back_dialog_en")
    dialog.close()
    tracker.buttons["accept"].click()
    shoot(tracker.dialog, "accept_dialog_en")
    tracker.dialog.ok_button.click()
    assert tracker_cell(tracker, DEPT, TrackerModel.REVIEW) == "Accepted"
    shoot(window, "tracker_accepted_en")
    tracker.buttons["reopen"].click()
    shoot(tracker.dialog, "reopen_dialog_en")
    tracker.dialog.close()
    dashboard = window.show_page("dashboard")
    assert ctx.tasks.wait_until_idle()
    assert "1 of" in dashboard.reviews.text() and "accepted" in dashboard.reviews.text()
    QApplication.processEvents()
