"""Nobody silently overwrites anybody, in the app: two people load the same actual, progress
or plan item; the second save is refused with who and when, and the form shows the new value;
the undo stack stays true. And the app notices changes made by others (a second Database on the
same file) when it becomes active again, refreshing the page and saying so in the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QApplication

from dxtracker.figures import entry
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan import edit_kpis
from dxtracker.store import audit
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from tests.helpers import SHOTS, stored_actual
from ui.models.kpi_entry_model import Column, KpiEntryModel
from ui.pages.kpi_entry import KpiEntryPage
from ui.pages.plan_editor import PlanEditorPage
from ui.pages.progress import ProgressPage

DEPT = "商工労働部"
FY = 2022


def someone_else(db_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "tanaka") -> Database:
    """Another user's app on the same database: its own connection, its own login name."""
    for module in (entry, audit):
        monkeypatch.setattr(module, "current_user", lambda: name)
    return open_database(db_path)


def test_an_actual_changed_by_someone_else_is_not_overwritten(db_path, qapp, monkeypatch):
    with open_database(db_path) as db:
        stack = QUndoStack()
        model = KpiEntryModel(db, stack)
        model.load(DEPT, FY)  # B's table
        with someone_else(db_path, monkeypatch) as other:
            set_actual(other, "P01-K1", FY, "111", department=DEPT)  # A saves first
        messages: list[str] = []
        model.entry_failed.connect(messages.append)
        index = model.index(model.row_of("P01-K1"), Column.ACTUAL)
        assert not model.setData(index, "222")
        assert stored_actual(db, "P01-K1", DEPT, FY) == "111"
        assert "tanaka" in messages[-1] and "111" in messages[-1]
        assert index.data() == "111 件"  # the table shows the new value
        assert stack.count() == 0  # nothing to undo: nothing was written
        # Now that it shows the new value, B's save goes through, and is undoable.
        assert model.setData(index, "222")
        assert stack.count() == 1
        with someone_else(db_path, monkeypatch, "suzuki") as other:
            set_actual(other, "P01-K1", FY, "333", department=DEPT)
        stack.undo()  # would overwrite suzuki's 333 with the old 111: refused
        assert stored_actual(db, "P01-K1", DEPT, FY) == "333"
        assert "suzuki" in messages[-1] and index.data() == "333 件"


def test_progress_saved_elsewhere_meanwhile_is_shown_and_the_typing_kept_on_the_clipboard(
        department_ctx, db_path, show_widget, monkeypatch):
    department_ctx.set_fiscal_year(FY)
    page = show_widget(ProgressPage(department_ctx), (1200, 700))
    with someone_else(db_path, monkeypatch) as other:
        set_progress(other, "P01-M1", FY, DEPT, status="遅れ", record="田中の取組実績")
    page.form.editors["record"].setPlainText("鈴木の取組実績")
    assert not page.save()
    assert page.form.editors["record"].toPlainText() == "田中の取組実績"
    assert page.form.status_combo.currentData() == "遅れ"
    assert "tanaka" in page.form.message.text()
    assert "鈴木の取組実績" in QGuiApplication.clipboard().text()
    assert not page.form.is_dirty()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_plan_editor_refuses_and_reloads(ctx, db_path, show_widget, monkeypatch, language):
    ctx.set_language(language)
    page = show_widget(PlanEditorPage(ctx), (1100, 760))
    page.show_item("P03-K1")
    form = page.editor.forms["kpi"]
    with someone_else(db_path, monkeypatch) as other:
        edit_kpis.edit_kpi(other, "P03-K1", name="田中が直した名称")
    form.name.setText("鈴木の名称")
    assert not page.editor.save()
    assert form.name.text() == "田中が直した名称"
    assert "tanaka" in page.editor.message.text()
    QApplication.processEvents()  # the layout makes room for the wrapped message
    page.grab().save(str(SHOTS / f"plan-editor-refused-{language}.png"))
    form.name.setText("鈴木の名称")  # from the new state: saved
    assert page.editor.save()


def test_changes_by_others_show_when_the_app_becomes_active(department_ctx, db_path, make_window,
                                                          qtbot, monkeypatch):
    department_ctx.set_fiscal_year(FY)
    window = make_window(department_ctx)
    page = window.show_page("kpi_entry")
    assert isinstance(page, KpiEntryPage)
    row = page.model.row_of("P03-K1")
    before = page.model.index(row, Column.ACTUAL).data()
    with someone_else(db_path, monkeypatch) as other:
        set_actual(other, "P03-K1", FY, "47", department=DEPT)
    assert page.model.index(row, Column.ACTUAL).data() == before  # not yet
    QGuiApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    qtbot.waitUntil(lambda: page.model.index(row, Column.ACTUAL).data() == "47%")
    assert "他のユーザーが変更しました" in window.statusBar().currentMessage()
    # The app's own saves are not reported as others'.
    window.statusBar().clearMessage()
    assert page.model.setData(page.model.index(row, Column.ACTUAL), "48")
    QGuiApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert "他のユーザー" not in window.statusBar().currentMessage()
