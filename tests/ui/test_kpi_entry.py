"""KPI entry: typed figures are parsed, shown back, saved one transaction each, and undoable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from sqlalchemy import func, select

from dxtracker.store.db import Database
from dxtracker.store.models import AuditEntry, KpiActual
from tests.helpers import stored_actual
from ui.models.kpi_entry_model import Column, KpiEntryModel

DEPT = "商工労働部"
FY = 2022


@pytest.fixture
def model(db: Database, qapp) -> KpiEntryModel:
    stack = QUndoStack()
    model = KpiEntryModel(db, stack)
    model.undo_stack_owner = stack  # keep the stack alive as long as the model
    model.load(DEPT, FY)
    return model


def audit_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def cell(model: KpiEntryModel, kpi_code: str, column: Column, role=Qt.ItemDataRole.DisplayRole):
    return model.index(model.row_of(kpi_code), column).data(role)


def test_rows_are_the_departments_kpis_and_contributions(model: KpiEntryModel) -> None:
    codes = [row.kpi_code for row in model.rows]
    # its own KPIs (P03-K1, P03-K3) and its contributions to the 全部局 KPIs (P01-K1, P01-K3)
    assert codes == ["P01-K1", "P01-K3", "P03-K1", "P03-K3"]
    assert cell(model, "P01-K1", Column.KPI).endswith("（商工労働部分）")
    assert cell(model, "P03-K1", Column.TARGET) == "40%"
    assert cell(model, "P03-K1", Column.LAST_ACTUAL) == "36%"
    assert cell(model, "P01-K1", Column.LAST_ACTUAL) == "全体 1,792 件"
    assert cell(model, "P03-K1", Column.STATUS) == "未入力"


def test_revised_target_is_red_and_says_so_in_words(db: Database, qapp) -> None:
    stack = QUndoStack()
    model = KpiEntryModel(db, stack)
    model.load(DEPT, 2022)
    text = cell(model, "P01-K3", Column.TARGET)
    assert "からの修正" in text
    assert cell(model, "P01-K3", Column.TARGET, Qt.ItemDataRole.ForegroundRole).color().red() > 150
    assert "→" in cell(model, "P01-K3", Column.TARGET, Qt.ItemDataRole.ToolTipRole)


def test_full_width_figure_is_understood_saved_and_undone(model: KpiEntryModel,
                                                         db: Database) -> None:
    index = model.index(model.row_of("P01-K1"), Column.ACTUAL)
    assert model.setData(index, "１，２３４件")
    assert index.data() == "1,234 件"
    assert stored_actual(db, "P01-K1", DEPT, FY) == "1,234"
    assert cell(model, "P01-K1", Column.STATUS) == "保存しました"
    assert model.undo_stack.count() == 1
    model.undo_stack.undo()
    assert stored_actual(db, "P01-K1", DEPT, FY) is None
    assert index.data() == ""
    model.undo_stack.redo()
    assert stored_actual(db, "P01-K1", DEPT, FY) == "1,234"
    assert index.data() == "1,234 件"


def test_bad_value_is_marked_and_never_saved(model: KpiEntryModel, db: Database) -> None:
    errors: list[str] = []
    model.entry_failed.connect(errors.append)
    before = audit_count(db)
    index = model.index(model.row_of("P03-K3"), Column.ACTUAL)
    assert not model.setData(index, "abc")
    assert index.data() == "abc"  # what was typed stays, to be corrected
    assert "数値として読めません" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f6c7c7"
    assert "保存していません" in cell(model, "P03-K3", Column.STATUS)
    assert errors and "abc" in errors[-1]
    assert stored_actual(db, "P03-K3", DEPT, FY) is None
    assert audit_count(db) == before
    assert model.undo_stack.count() == 0
    # A good value clears the mark.
    assert model.setData(index, "5")
    assert index.data() == "5 件"
    assert index.data(Qt.ItemDataRole.BackgroundRole).color().name() != "#f6c7c7"
    assert errors[-1] == ""


def test_wrong_unit_is_refused_with_the_reason(model: KpiEntryModel, db: Database) -> None:
    index = model.index(model.row_of("P01-K1"), Column.ACTUAL)
    assert not model.setData(index, "12時間")
    assert "単位" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert stored_actual(db, "P01-K1", DEPT, FY) is None


def test_note_is_saved_with_the_actual_and_undone(model: KpiEntryModel, db: Database) -> None:
    actual = model.index(model.row_of("P03-K1"), Column.ACTUAL)
    note = model.index(model.row_of("P03-K1"), Column.NOTE)
    model.setData(actual, "41")
    assert model.setData(note, "=SUM(A1) 見込み値")
    assert note.data() == "=SUM(A1) 見込み値"
    with db.read() as session:
        row = session.scalar(select(KpiActual).where(KpiActual.fiscal_year == FY,
                                                     KpiActual.kpi.has(code="P03-K1"),
                                                     KpiActual.department_id.is_not(None)))
        assert (row.value, row.note) == ("41", "=SUM(A1) 見込み値")
    model.undo_stack.undo()
    assert note.data() == ""
    assert actual.data() == "41%"


def test_unchanged_text_writes_nothing(model: KpiEntryModel, db: Database) -> None:
    index = model.index(model.row_of("P03-K1"), Column.ACTUAL)
    model.setData(index, "41")
    count = audit_count(db)
    assert model.setData(index, "41%")
    assert audit_count(db) == count
    assert model.undo_stack.count() == 1


def test_reload_in_place_keeps_the_error_mark(model: KpiEntryModel) -> None:
    index = model.index(model.row_of("P03-K3"), Column.ACTUAL)
    model.setData(index, "十二")
    model.load(DEPT, FY)
    assert index.data() == "十二"
    model.load(DEPT, 2023)
    assert model.errors == {}


def test_only_actual_and_note_are_editable(model: KpiEntryModel) -> None:
    editable = [c for c in Column
                if model.flags(model.index(0, c)) & Qt.ItemFlag.ItemIsEditable]
    assert editable == [Column.ACTUAL, Column.NOTE]


# ---------------------------------------------------------------------------- the page, by keyboard


@pytest.fixture
def page(department_ctx, show_widget):  # type: ignore[no-untyped-def]
    from ui.pages.kpi_entry import KpiEntryPage

    department_ctx.set_fiscal_year(FY)
    return show_widget(KpiEntryPage(department_ctx), (1300, 500))


def open_editor(page, qtbot, kpi_code: str, column: Column, key=Qt.Key.Key_F2):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit

    view = page.view
    view.setFocus()
    view.setCurrentIndex(page.model.index(page.model.row_of(kpi_code), column))
    qtbot.keyClick(view, key)
    assert view.state() == QAbstractItemView.State.EditingState
    editor = view.findChild(QLineEdit, f"entry_editor_{int(column)}")
    assert editor is not None and editor.isVisible()
    return editor


def test_typing_full_width_digits_previews_saves_and_tabs_to_the_note(page, qtbot, type_with_ime) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(page, qtbot, "P03-K3", Column.ACTUAL)
    editor.clear()
    type_with_ime(editor, "１，２３４")
    assert "1,234 件" in page.preview.text()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    current = page.view.currentIndex()
    assert (current.row(), current.column()) == (page.model.row_of("P03-K3"), Column.NOTE)
    assert cell(page.model, "P03-K3", Column.ACTUAL) == "1,234 件"
    assert stored_actual(page.ctx.db, "P03-K3", DEPT, FY) == "1,234"


def test_enter_starts_editing_and_a_bad_value_shows_its_reason(page, qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(page, qtbot, "P03-K3", Column.ACTUAL, key=Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "abc")
    assert "読めません" in page.preview.text()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "abc" in page.error_label.text())  # the delegate commits queued
    assert stored_actual(page.ctx.db, "P03-K3", DEPT, FY) is None


def test_tab_visits_only_input_columns_and_wraps_to_the_next_row(page) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractItemView

    view = page.view
    view.setCurrentIndex(page.model.index(0, Column.NOTE))
    following = view.moveCursor(QAbstractItemView.CursorAction.MoveNext,
                                Qt.KeyboardModifier.NoModifier)
    assert (following.row(), following.column()) == (1, Column.ACTUAL)
    view.setCurrentIndex(following)
    back = view.moveCursor(QAbstractItemView.CursorAction.MovePrevious,
                           Qt.KeyboardModifier.NoModifier)
    assert (back.row(), back.column()) == (0, Column.NOTE)


def test_saving_tells_the_context(page, qtbot) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.ctx.saved) as saved, qtbot.waitSignal(page.ctx.data_changed):
        page.model.setData(page.model.index(page.model.row_of("P03-K1"), Column.ACTUAL), "41")
    assert "P03-K1" in saved.args[0]


def test_headquarters_chooses_the_department(make_ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.pages.kpi_entry import KpiEntryPage

    ctx = make_ctx(None)
    page = KpiEntryPage(ctx)
    qtbot.addWidget(page)
    assert not page.department_combo.isHidden()
    page.department_combo.setCurrentText("土木部")
    assert [r.kpi_code for r in page.model.rows] == ["P01-K1", "P01-K3", "P03-K2", "P08-K1", "P08-K2"]
    page.department_combo.setCurrentText(DEPT)
    assert "P03-K3" in [r.kpi_code for r in page.model.rows]
