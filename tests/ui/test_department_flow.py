"""Department flow, as a person at 商工労働部 does it: choose the department, type an actual
("１，２３４"), see it understood, undo and redo it, export the return, and check the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from tests.helpers import stored_actual
from ui.models.kpi_entry_model import Column

DEPT = "商工労働部"
FY = 2022


@pytest.fixture
def window(ctx, make_window, qtbot):  # type: ignore[no-untyped-def]
    window = make_window(ctx)
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def test_enter_undo_redo_and_export(window, ctx, qtbot, tmp_path: Path, type_with_ime) -> None:  # type: ignore[no-untyped-def]
    # The person chooses their department (settings) and the year.
    ctx.set_department(DEPT)
    ctx.set_fiscal_year(FY)
    assert "kpi_entry" in window.available_keys()
    assert "merge" not in window.available_keys()
    page = window.show_page("kpi_entry")
    model, view = page.model, page.view
    assert page.department() == DEPT

    # 1. Through the model, as a paste or a delegate commit would do it.
    k3 = model.index(model.row_of("P03-K3"), Column.ACTUAL)
    assert model.setData(k3, "１，２３４")
    assert k3.data() == "1,234 件"
    assert stored_actual(ctx.db, "P03-K3", DEPT, FY) == "1,234"

    # 2. With the keyboard: F2 on the cell, type (through the input method), Enter.
    k1 = model.index(model.row_of("P01-K1"), Column.ACTUAL)
    view.setFocus()
    view.setCurrentIndex(k1)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert view.state() == QAbstractItemView.State.EditingState
    editor = view.findChild(QLineEdit, f"entry_editor_{int(Column.ACTUAL)}")
    type_with_ime(editor, "１，２３４件")
    assert "1,234 件" in page.preview.text()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stored_actual(ctx.db, "P01-K1", DEPT, FY) == "1,234")
    assert k1.data() == "1,234 件"
    assert "1,234" in window.statusBar().currentMessage()

    # 3. Ctrl+Z (the window's edit menu) undoes the last entry, the stack the one before.
    assert ctx.undo_stack.count() == 2
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_actual(ctx.db, "P01-K1", DEPT, FY) is None
    assert k1.data() == ""
    ctx.undo_stack.undo()
    assert stored_actual(ctx.db, "P03-K3", DEPT, FY) is None
    assert k3.data() == ""
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert stored_actual(ctx.db, "P03-K3", DEPT, FY) == "1,234"
    assert k3.data() == "1,234 件"

    # 4. Export the return through the dialog, into a folder of our own.
    from ui.dialogs.export_return import ExportReturnDialog

    page.open_export_dialog()
    dialog = page.findChild(ExportReturnDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.name_edit.text() == "令和4年度_DX推進計画_回答_商工労働部.xlsx"
    assert not dialog.department_combo.isEnabled()  # a department exports only its own
    dialog.folder_edit.setText(str(tmp_path))
    opened = []
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    path = tmp_path / "令和4年度_DX推進計画_回答_商工労働部.xlsx"
    assert dialog.written == path and path.exists()
    assert dialog.open_folder_button.isVisible()
    import ui.dialogs.file_dialog as dialog_module

    original = dialog_module.QDesktopServices.openUrl
    dialog_module.QDesktopServices.openUrl = staticmethod(lambda url: opened.append(url))
    try:
        dialog.open_folder_button.click()
    finally:
        dialog_module.QDesktopServices.openUrl = original
    assert opened and Path(opened[0].toLocalFile()) == tmp_path

    # 5. The file is a valid return carrying the figure.
    from dxtracker.returns.reader import read_return

    with ctx.db.read() as session:
        parsed = read_return(path, session)
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert parsed.meta.department_name == DEPT and parsed.meta.fiscal_year == FY
    values = {e.kpi_code: e.value for e in parsed.kpis}
    assert values["P03-K3"] == "1,234"
    assert values["P01-K1"] is None


def test_a_bad_value_is_never_saved(window, ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx.set_department(DEPT)
    ctx.set_fiscal_year(FY)
    page = window.show_page("kpi_entry")
    index = page.model.index(page.model.row_of("P03-K1"), Column.ACTUAL)
    assert not page.model.setData(index, "abc")
    assert "読めません" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "abc" in page.error_label.text()
    assert stored_actual(ctx.db, "P03-K1", DEPT, FY) is None
    assert ctx.undo_stack.count() == 0


def test_switching_language_keeps_entered_data(window, ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.set_department(DEPT)
    ctx.set_fiscal_year(FY)
    page = window.show_page("kpi_entry")
    model = page.model
    model.setData(model.index(model.row_of("P03-K1"), Column.ACTUAL), "41")
    bad = model.index(model.row_of("P03-K3"), Column.ACTUAL)
    model.setData(bad, "十二")
    progress = window.show_page("progress")
    progress.form.editors["record"].setPlainText("入力途中")
    ctx.set_language("en")
    assert model.headerData(Column.ACTUAL, Qt.Orientation.Horizontal) == "Actual"
    assert model.index(model.row_of("P03-K1"), Column.ACTUAL).data() == "41%"
    assert bad.data() == "十二"  # the refused text is still there to be corrected
    assert "cannot be read" in bad.data(Qt.ItemDataRole.ToolTipRole)
    assert progress.form.editors["record"].toPlainText() == "入力途中"
    assert progress.form.is_dirty()
    ctx.set_language("ja")
    assert model.headerData(Column.ACTUAL, Qt.Orientation.Horizontal) == "今年度実績"
    progress.form.discard()  # else closing the window would ask about the unsaved edits
