"""Plan administration from the headquarters menu (計画): each action through its dialog, which
shows the change before it is made; plan edits undone and redone (Ctrl+Z / Ctrl+Y); delete
versus retire."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from dxtracker.figures.entry import set_actual
from dxtracker.plan import edit_kpis
from dxtracker.plan.revisions import list_editions
from dxtracker.store.models import AuditEntry
from tests.helpers import find, snapshot
from tests.ui.test_plan_editor import replace_text
from ui.models.kpi_rows import load_kpi_rows
from ui.plan_menu import ACTIONS
from ui.tasks import TaskRunner


def trigger(window, key: str):  # type: ignore[no-untyped-def]
    window.plan_menu.actions_by_key[key].trigger()
    return window.plan_menu.dialog


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_plan_menu_is_for_headquarters(main_window, ctx):
    menu = main_window.plan_menu
    assert menu.menuAction().isVisible()
    assert set(menu.actions_by_key) == set(ACTIONS)
    assert all(action.text() for action in menu.actions_by_key.values())
    ctx.set_department("商工労働部")
    assert not menu.menuAction().isVisible()
    assert menu.trigger("publish") is None


def test_publish_shows_the_revisions_and_new_items_first(main_window, ctx, qtbot, type_text):
    edit_kpis.set_target(ctx.db, "P03-K1", 2023, "46", reason="実績が上回ったため")
    code = edit_kpis.add_kpi(ctx.db, "P04", "新しい指標", reporting_departments=["農林水産部"])
    dialog = trigger(main_window, "publish")
    preview = dialog.preview.toPlainText()
    assert "第3版として公表" in preview
    assert "P03-K1 令和5年度: 44 → 46（実績が上回ったため）" in preview
    assert f"{code} 新しい指標" in preview
    click(qtbot, dialog.ok_button)  # no label yet
    assert "版の名称を入力" in dialog.message.text() and dialog.isVisible()
    type_text(dialog.label_edit, "令和5年度改定")
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    with ctx.db.read() as session:
        assert [(e.number, e.label, e.published) for e in list_editions(session)][-1] == (
            3, "令和5年度改定", True)
    assert "第3版「令和5年度改定」を公表しました" in main_window.statusBar().currentMessage()


def test_extend_the_period_and_the_window_follows(main_window, ctx, qtbot):
    dialog = trigger(main_window, "extend")
    dialog.last_combo.setCurrentIndex(dialog.last_combo.findData(2026))
    assert "令和6年度" in dialog.preview.toPlainText() and "令和8年度" in dialog.preview.toPlainText()
    click(qtbot, dialog.ok_button)
    assert ctx.fiscal_years[-1] == 2026
    combo = main_window.fiscal_year_combo
    assert combo.itemData(combo.count() - 1) == 2026


def test_new_period_is_written_on_the_worker_with_progress_then_opened(
        main_window, ctx, qtbot, tmp_path, monkeypatch):
    from ui.dialogs.plan_admin import new_period

    ctx.tasks = TaskRunner(parent=ctx)  # a real worker thread for this test
    threads: list[str] = []
    steps: list[str] = []
    real = new_period.start_new_plan

    def recorded(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)

        def step(done: int, total: int, text: str) -> None:
            steps.append(text)
            progress(done, total, text)

        return real(*args, progress=step, **kwargs)

    monkeypatch.setattr(new_period, "start_new_plan", recorded)
    dialog = trigger(main_window, "new_period")
    assert dialog.first_combo.currentData() == 2024 and dialog.last_combo.currentData() == 2026
    preview = dialog.preview.toPlainText()
    assert "プロジェクト 10、指標 28、施策 26" in preview and "現在のデータベースは変更しません" in preview
    target = tmp_path / "next.sqlite3"
    dialog.path_edit.setText(str(target))
    dialog.carry["schedule"].setChecked(True)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.open_button.isVisible(), timeout=30_000)
    assert threads and threads[0] != threading.current_thread().name
    assert steps == ["read", "check", "write", "done"]  # each shown in the progress dialog
    assert target.exists() and str(target) in dialog.message.text()
    click(qtbot, dialog.open_button)
    assert Path(ctx.db.path) == target
    assert ctx.fiscal_years == [2024, 2025, 2026]


def test_new_period_refuses_an_existing_file(main_window, ctx, tmp_path):
    dialog = trigger(main_window, "new_period")
    taken = tmp_path / "taken.sqlite3"
    taken.write_bytes(b"")
    dialog.path_edit.setText(str(taken))
    assert "すでにあります" in dialog.message.text() and not dialog.ok_button.isEnabled()


def test_department_merge_says_how_many_rows_move(main_window, ctx, qtbot):
    set_actual(ctx.db, "P01-K1", 2022, "10", department="商工労働部")
    set_actual(ctx.db, "P01-K1", 2022, "5", department="土木部")
    dialog = trigger(main_window, "department_merge")
    dialog.department.setCurrentText("土木部")
    dialog.target.setCurrentText("商工労働部")
    preview = dialog.preview.toPlainText()
    assert "「土木部」を「商工労働部」に統合します" in preview
    assert "主管のプロジェクト: P08" in preview and "1行は統合先の同じ年度の行とまとめます" in preview
    click(qtbot, dialog.ok_button)
    assert "土木部" not in ctx.departments
    assert "商工労働部" in find(snapshot(ctx.db), "kpis", "P08-K1")["reporting_departments"]
    dialog = trigger(main_window, "department_retire")
    dialog.department.setCurrentText("商工労働部")
    assert "廃止できません" in dialog.message.text() and not dialog.ok_button.isEnabled()


def test_department_add_and_rename_from_the_menu(main_window, ctx, qtbot, type_text):
    dialog = trigger(main_window, "department_add")
    assert not dialog.ok_button.isEnabled()  # no name yet
    type_text(dialog.name_edit, "デジタル局")
    assert "部局「デジタル局」を" in dialog.preview.toPlainText()
    click(qtbot, dialog.ok_button)
    dialog = trigger(main_window, "department_rename")
    dialog.department.setCurrentText("デジタル局")
    type_text(dialog.name_edit, "デジタル戦略局")
    click(qtbot, dialog.ok_button)
    assert "デジタル戦略局" in ctx.departments and "デジタル局" not in ctx.departments


def test_proposals_and_editor_open_the_plan_editor(main_window):
    trigger(main_window, "proposals")
    page = main_window.pages["plan_editor"]
    assert main_window.current_page_key() == "plan_editor"
    assert page.tabs.currentWidget() is page.proposals


# --------------------------------------------------------------------------- undo and redo


@pytest.fixture
def editor(main_window):  # type: ignore[no-untyped-def]
    main_window.show_page("plan_editor")
    return main_window.pages["plan_editor"].editor


def test_a_plan_edit_is_undone_and_redone_from_the_edit_menu(
        main_window, editor, ctx, qtbot, type_text):
    before = snapshot(ctx.db)
    editor.show_item("P03-K1")
    form = editor.forms["kpi"]
    replace_text(qtbot, type_text, form.name, "デジタル化企業の割合")
    replace_text(qtbot, type_text, form.targets[2023], "46")
    replace_text(qtbot, type_text, form.reason, "実績が上回ったため")
    click(qtbot, editor.save_button)
    after = snapshot(ctx.db)
    assert find(after, "kpis", "P03-K1")["revisions"]
    assert main_window.undo_action.text() == "元に戻す: P03-K1 の編集"
    editor.chooser.setFocus()  # Ctrl+Z outside a text field: the app's undo
    qtbot.keyClick(editor.chooser, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(ctx.db) == before
    assert form.name.text() != "デジタル化企業の割合"  # the form shows the undone state
    assert "元に戻しました: P03-K1 の編集" in main_window.statusBar().currentMessage()
    qtbot.keyClick(editor.chooser, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(ctx.db) == after and form.name.text() == "デジタル化企業の割合"
    with ctx.db.read() as session:
        details = [a.source_detail for a in session.scalars(
            select(AuditEntry).where(AuditEntry.entity_code == "P03-K1"))]
    assert details.count("undo") == 1 and details.count("redo") == 1


def test_undo_is_refused_after_a_change_elsewhere(main_window, editor, ctx, qtbot, type_text):
    editor.show_item("P03-K2")
    replace_text(qtbot, type_text, editor.forms["kpi"].name, "名称A")
    click(qtbot, editor.save_button)
    edit_kpis.edit_kpi(ctx.db, "P03-K2", name="名称B")  # the command line, meanwhile
    main_window.undo_action.trigger()
    assert find(snapshot(ctx.db), "kpis", "P03-K2")["name"] == "名称B"
    assert not ctx.undo_stack.canUndo()  # the refused command is dropped


def test_an_added_measure_is_undone_and_redone(main_window, editor, ctx, qtbot):
    before = snapshot(ctx.db)
    editor.show_item("P04")
    click(qtbot, editor.add_measure)
    code = editor.code
    added = snapshot(ctx.db)
    assert find(added, "measures", code)["is_new"]
    main_window.undo_action.trigger()
    assert snapshot(ctx.db) == before
    assert code not in [editor.chooser.itemData(i)[1] for i in range(editor.chooser.count())]
    main_window.redo_action.trigger()
    assert snapshot(ctx.db) == added


def test_delete_an_item_added_by_mistake_then_undo(main_window, editor, ctx, qtbot):
    editor.show_item("P04")
    click(qtbot, editor.add_kpi)
    code = editor.code
    added = snapshot(ctx.db)
    click(qtbot, editor.remove_button)
    dialog = editor.dialog
    assert dialog.modes["delete"].isChecked() and dialog.modes["delete"].isEnabled()
    assert "なし（削除できます）" in dialog.preview.toPlainText()
    click(qtbot, dialog.ok_button)
    assert code not in [k["code"] for p in snapshot(ctx.db)["projects"] for k in p["kpis"]]
    assert main_window.undo_action.text() == f"元に戻す: {code} 新しい指標 の削除"
    main_window.undo_action.trigger()
    assert snapshot(ctx.db) == added


def test_retire_what_is_referred_to_then_undo(main_window, editor, ctx, qtbot, type_text):
    before = snapshot(ctx.db)
    editor.show_item("P03-K1")
    click(qtbot, editor.remove_button)
    dialog = editor.dialog
    assert not dialog.modes["delete"].isEnabled() and dialog.modes["retire"].isChecked()
    preview = dialog.preview.toPlainText()
    assert "公表済みの計画" in preview and "実績の入力（令和3年度） 1件" in preview
    dialog.modes["delete"].setChecked(True)  # forced: refused, explained
    assert "削除できません" in dialog.message.text() and not dialog.ok_button.isEnabled()
    dialog.modes["retire"].setChecked(True)
    type_text(dialog.reason, "指標の見直し")
    click(qtbot, dialog.ok_button)
    assert find(snapshot(ctx.db), "kpis", "P03-K1")["retired_on"]
    with ctx.db.read() as session:
        rows = load_kpi_rows(session, "商工労働部", 2022)
    assert "P03-K1" not in [r.kpi_code for r in rows]  # gone from the entry form
    assert "廃止" in editor.chooser.itemText(editor._select("P03-K1"))
    main_window.undo_action.trigger()
    assert snapshot(ctx.db) == before


def test_reinstate_a_retired_project_from_the_dialog(main_window, ctx, qtbot):
    from dxtracker.plan.retirement import retire_item

    before = snapshot(ctx.db)
    retire_item(ctx.db, "project", "P10")
    retired = snapshot(ctx.db)
    dialog = trigger(main_window, "remove_item")
    dialog.item.setCurrentIndex(next(i for i in range(dialog.item.count())
                                     if dialog.item.itemData(i)[1] == "P10"))
    assert dialog.modes["reinstate"].isChecked()
    click(qtbot, dialog.ok_button)
    assert snapshot(ctx.db) == before
    main_window.undo_action.trigger()
    assert snapshot(ctx.db) == retired


def test_withdraw_a_revision_from_the_kpi_form_then_undo(
        main_window, editor, ctx, qtbot, type_text):
    edit_kpis.set_target(ctx.db, "P03-K1", 2023, "60", reason="誤入力")
    revised = snapshot(ctx.db)
    editor.show_item("P03-K1")
    click(qtbot, editor.forms["kpi"].withdraw_button)
    dialog = editor.dialog
    assert not dialog.ok_button.isEnabled()  # a reason is needed
    type_text(dialog.reason, "誤って記録したため")
    assert "60 から修正前の 44 に戻し" in dialog.preview.toPlainText()
    click(qtbot, dialog.ok_button)
    assert find(snapshot(ctx.db), "kpis", "P03-K1")["revisions"] == []
    assert editor.forms["kpi"].targets[2023].text() == "44"
    main_window.undo_action.trigger()
    assert snapshot(ctx.db) == revised


def test_dialogs_speak_english(main_window, ctx, qtbot):
    ctx.set_language("en")
    for key, title in (("publish", "Publish an edition"), ("extend", "Extend the plan period"),
                       ("new_period", "Start the next plan"),
                       ("department_merge", "Merge departments"),
                       ("revisions", "Target revisions"),
                       ("remove_item", "Delete or retire an item")):
        dialog = trigger(main_window, key)
        assert dialog.windowTitle() == title
        assert dialog.preview_title.text() == "What will &change:"
        dialog.close()
    assert main_window.plan_menu.title() == "&Plan"
