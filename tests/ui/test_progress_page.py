"""Measure progress: status and three texts saved in one transaction, copy from last year,
character counts, undo, and a question before unsaved edits are left behind."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from dxtracker.figures.entry import set_progress
from dxtracker.store.models import Department, MeasureProgress
from ui.pages.progress import ProgressPage

DEPT = "商工労働部"
FY = 2022
Button = QMessageBox.StandardButton


@pytest.fixture
def page(department_ctx, show_widget):  # type: ignore[no-untyped-def]
    department_ctx.set_fiscal_year(FY)
    set_progress(department_ctx.db, "P01-M1", FY - 1, DEPT, status="順調",
                 record="電子申請を100手続追加", issues="利用が少ない", next_policy="周知する")
    return show_widget(ProgressPage(department_ctx), (1200, 700))


def stored(page: ProgressPage, code: str = "P01-M1", fiscal_year: int = FY) -> dict | None:
    with page.ctx.db.read() as session:
        row = session.scalar(
            select(MeasureProgress).join(MeasureProgress.department)
            .where(MeasureProgress.fiscal_year == fiscal_year, Department.name == DEPT,
                   MeasureProgress.measure.has(code=code)))
        if row is None:
            return None
        return {"status": row.status, "record": row.record, "issues": row.issues,
                "next_policy": row.next_policy}


@contextmanager
def counting_transactions(db):  # type: ignore[no-untyped-def]
    calls = []
    original = db.transaction

    def counted():  # type: ignore[no-untyped-def]
        calls.append(1)
        return original()

    db.transaction = counted
    try:
        yield calls
    finally:
        db.transaction = original


def test_lists_the_departments_measures_with_this_years_schedule(page) -> None:  # type: ignore[no-untyped-def]
    codes = [e.code for e in page.list_model.entries]
    assert codes == ["P01-M1", "P01-M2", "P01-M3", "P03-M1"]
    assert page.key.measure_code == "P01-M1"
    assert "4,300件" in page.form.schedule.text()
    assert "令和4年度" in page.form.schedule_box.title()


def test_status_and_texts_are_saved_in_one_transaction(page) -> None:  # type: ignore[no-untyped-def]
    form = page.form
    form.status_combo.setCurrentIndex(form.status_combo.findData("やや遅れ"))
    form.editors["record"].setPlainText("オンライン化を200手続で実施")
    form.editors["issues"].setPlainText("=課題\n改行あり")
    form.editors["next_policy"].setPlainText("研修を行う")
    assert form.is_dirty() and form.save_button.isEnabled()
    with counting_transactions(page.ctx.db) as calls:
        assert page.save()
    assert len(calls) == 1
    assert stored(page) == {"status": "やや遅れ", "record": "オンライン化を200手続で実施",
                            "issues": "=課題\n改行あり", "next_policy": "研修を行う"}
    assert not form.is_dirty()
    assert "やや遅れ" in page.list_model.index(0).data()


def test_ctrl_s_saves_and_undo_restores(page, qtbot, type_with_ime) -> None:  # type: ignore[no-untyped-def]
    form = page.form
    form.editors["record"].setFocus()
    type_with_ime(form.editors["record"], "説明会を開催")
    qtbot.keyClick(form.editors["record"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(page)["record"] == "説明会を開催"
    assert page.ctx.undo_stack.count() == 1
    page.ctx.undo_stack.undo()
    assert stored(page)["record"] == ""
    assert form.editors["record"].toPlainText() == ""
    page.ctx.undo_stack.redo()
    assert stored(page)["record"] == "説明会を開催"
    assert form.editors["record"].toPlainText() == "説明会を開催"


def test_character_counts_follow_typing(page, type_with_ime) -> None:  # type: ignore[no-untyped-def]
    form = page.form
    assert form.counts["issues"].text() == "0文字"
    type_with_ime(form.editors["issues"], "人手が足りない")
    assert form.counts["issues"].text() == "7文字"
    form.editors["issues"].setPlainText("")
    assert form.counts["issues"].text() == "0文字"


def test_copy_from_last_year_fills_the_editors_without_saving(page) -> None:  # type: ignore[no-untyped-def]
    form = page.form
    assert form.copy_button.isEnabled()
    form.copy_button.click()
    assert form.editors["record"].toPlainText() == "電子申請を100手続追加"
    assert form.editors["issues"].toPlainText() == "利用が少ない"
    assert form.editors["next_policy"].toPlainText() == "周知する"
    assert form.counts["record"].text() == "12文字"
    assert form.is_dirty()
    assert stored(page) is None  # nothing written until 保存


def test_copy_is_disabled_without_last_years_entry(page) -> None:  # type: ignore[no-untyped-def]
    page.list_view.setCurrentIndex(page.list_model.index(1))
    assert page.key.measure_code == "P01-M2"
    assert not page.form.copy_button.isEnabled()


@pytest.mark.parametrize("answer, expected_code, saved", [
    (Button.Cancel, "P01-M1", False),
    (Button.Discard, "P01-M2", False),
    (Button.Save, "P01-M2", True),
])
def test_leaving_unsaved_edits_asks_first(page, answer, expected_code, saved) -> None:  # type: ignore[no-untyped-def]
    asked = []
    page.ask_unsaved = lambda can_cancel: asked.append(can_cancel) or answer
    page.form.editors["record"].setPlainText("途中まで入力")
    assert "未保存" in page.list_model.index(0).data()
    page.list_view.setCurrentIndex(page.list_model.index(1))
    assert asked == [True]
    assert page.key.measure_code == expected_code
    assert page.list_view.currentIndex().row() == (0 if expected_code == "P01-M1" else 1)
    assert (stored(page) is not None and stored(page)["record"] == "途中まで入力") == saved


def test_closing_with_unsaved_edits_can_be_cancelled(page) -> None:  # type: ignore[no-untyped-def]
    page.ask_unsaved = lambda can_cancel: Button.Cancel
    page.form.editors["issues"].setPlainText("未保存")
    assert not page.confirm_close()
    page.form.discard()
    assert page.confirm_close()


def test_tab_order_goes_through_the_form(page, qtbot) -> None:  # type: ignore[no-untyped-def]
    form = page.form
    form.status_combo.setFocus()
    visited = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget().objectName())
    assert visited == ["record_edit", "issues_edit", "next_policy_edit", "copy_last_year"]


def test_language_switch_keeps_typed_text(page) -> None:  # type: ignore[no-untyped-def]
    page.form.editors["record"].setPlainText("入力中のテキスト")
    page.form.status_combo.setCurrentIndex(page.form.status_combo.findData("遅れ"))
    page.ctx.set_language("en")
    page.retranslate()
    assert page.form.editors["record"].toPlainText() == "入力中のテキスト"
    assert page.form.status_combo.currentData() == "遅れ"
    assert page.form.counts["record"].text() == "8 characters"
    assert page.form.is_dirty()
