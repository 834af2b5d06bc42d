"""Plan management and the audit log in the app: each edit path through the real widgets."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from dxtracker.store.lookup import find_department, find_kpi
from dxtracker.store.models import AuditEntry, MergeRun, ReturnImport, RevisionProposal
from tests.helpers import dump, find, snapshot
from ui.pages.audit import AuditPage
from ui.pages.plan_editor import PlanEditorPage
from ui.pages.plan_editor.forms import split_items

Button = QMessageBox.StandardButton


@pytest.fixture
def page(ctx, show_widget) -> PlanEditorPage:
    return show_widget(PlanEditorPage(ctx))


def replace_text(qtbot, type_text, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    type_text(widget, text)


def save(qtbot, page: PlanEditorPage) -> None:
    qtbot.keyClick(page.editor.save_button, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_only_headquarters_sees_the_page(ctx, department_ctx):
    assert PlanEditorPage.available_to(ctx)
    assert not PlanEditorPage.available_to(department_ctx)
    assert AuditPage.available_to(ctx)


def test_edit_a_kpi_and_revise_its_target_with_a_reason(page, ctx, qtbot, type_text):
    page.show_item("P03-K1")
    form = page.editor.forms["kpi"]
    assert page.editor.stack.currentWidget() is form and form.name.text()
    replace_text(qtbot, type_text, form.name, "デジタル化に取り組む企業の割合")
    replace_text(qtbot, type_text, form.baseline, "２８．５％")
    replace_text(qtbot, type_text, form.targets[2023], "46%")
    replace_text(qtbot, type_text, form.reason, "実績が上回ったため")
    save(qtbot, page)
    assert "保存しました" in page.editor.message.text()
    kpi = find(snapshot(ctx.db), "kpis", "P03-K1")
    assert kpi["name"] == "デジタル化に取り組む企業の割合"
    assert kpi["baseline"]["display"] == "28.5"
    assert kpi["revisions"][-1]["old_value"]["value"] == 44
    assert kpi["revisions"][-1]["reason"] == "実績が上回ったため"
    # the form shows the revision it just made
    assert form.revisions.rowCount() == 1 and form.revisions.rows[0][1:3] == ("44", "46")
    with ctx.db.read() as session:
        sources = {a.source for a in session.scalars(select(AuditEntry))}
    assert sources == {"form"}


def test_a_figure_the_parser_refuses_is_named_and_nothing_is_written(
        page, ctx, db_path, qtbot, type_text):
    page.show_item("P03-K1")
    form = page.editor.forms["kpi"]
    before = dump(db_path)
    replace_text(qtbot, type_text, form.baseline, "二十八")
    save(qtbot, page)
    assert page.editor.message.text().startswith("現状値: ")
    replace_text(qtbot, type_text, form.baseline, "28")
    replace_text(qtbot, type_text, form.targets[2022], "50件")  # the KPI is in %
    save(qtbot, page)
    assert page.editor.message.text().startswith("令和4年度の目標: ")
    replace_text(qtbot, type_text, form.targets[2022], "41")
    save(qtbot, page)  # published target changed without a reason
    assert "理由" in page.editor.message.text()
    assert dump(db_path) == before


def test_edit_a_measure_with_items_departments_and_schedule(page, ctx, qtbot, type_text):
    page.show_item("P03-M1")
    form = page.editor.forms["measure"]
    replace_text(qtbot, type_text, form.title, "DX推進支援")
    form.items.setPlainText("○相談窓口の設置\n・オンライン相談\n○専門家の派遣")
    form.schedule.setPlainText("R3: 準備\nR4-R5: 本格実施")
    form.attention.setPlainText("人材不足")
    form.is_new.setChecked(True)
    for i in range(form.departments.count()):
        item = form.departments.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.text() == "商工労働部"
                           else Qt.CheckState.Unchecked)
    save(qtbot, page)
    measure = find(snapshot(ctx.db), "measures", "P03-M1")
    assert measure["title"] == "DX推進支援"
    assert measure["items"] == ["相談窓口の設置\n・オンライン相談", "専門家の派遣"]
    assert measure["departments"] == ["商工労働部"]
    assert measure["schedule"] == [{"from": 2021, "to": 2021, "text": "準備"},
                                   {"from": 2022, "to": 2023, "text": "本格実施"}]
    assert measure["attention_points"] == "人材不足"
    assert (measure["is_new"], measure["new_in_edition"]) == (True, 3)
    form.schedule.setPlainText("R4-R9: 期間外")
    save(qtbot, page)
    assert "計画期間外" in page.editor.message.text()


def test_edit_a_project_and_its_picture_then_add_a_kpi(page, ctx, qtbot, type_text):
    page.show_item("P03")
    form = page.editor.forms["project"]
    replace_text(qtbot, type_text, form.title, "産業DXプロジェクト")
    form.picture.setPlainText(form.picture.toPlainText() + "\n新しい姿")
    save(qtbot, page)
    project = next(p for p in snapshot(ctx.db)["projects"] if p["code"] == "P03")
    assert project["title"] == "産業DXプロジェクト"
    assert project["future_picture"][-1] == {"number": 3, "text": "新しい姿", "is_new": True}
    qtbot.mouseClick(page.editor.add_kpi, Qt.MouseButton.LeftButton)
    assert page.editor.code == "P03-K4"
    assert page.editor.forms["kpi"].name.text() == "新しい指標"
    kpi = find(snapshot(ctx.db), "kpis", "P03-K4")
    assert (kpi["is_new"], kpi["new_in_edition"]) == (True, 3)


def test_leaving_unsaved_edits_asks_first(page, ctx, qtbot, type_text, monkeypatch):
    page.show_item("P04-K1")
    form = page.editor.forms["kpi"]
    replace_text(qtbot, type_text, form.name, "変更中")
    answers = [Button.Cancel, Button.Discard]
    monkeypatch.setattr(page, "ask_unsaved", lambda: answers.pop(0))
    index = next(i for i in range(page.editor.chooser.count())
                 if page.editor.chooser.itemData(i)[1] == "P04-K2")
    page.editor.chooser.setCurrentIndex(index)
    page.editor.chooser.activated.emit(index)
    assert page.editor.code == "P04-K1" and form.name.text() == "変更中"  # cancelled
    assert page.editor.chooser.currentData()[1] == "P04-K1"
    page.editor.chooser.setCurrentIndex(index)
    page.editor.chooser.activated.emit(index)
    assert page.editor.code == "P04-K2"  # discarded
    assert find(snapshot(ctx.db), "kpis", "P04-K1")["name"] != "変更中"


@pytest.fixture
def proposal_ids(ctx) -> list[int]:
    with ctx.db.transaction() as session:
        dept = find_department(session, "商工労働部")
        imported = ReturnImport(run=MergeRun(started_at=datetime(2023, 5, 1)), department=dept,
                                file_name="r.xlsx", sha256="0" * 64, content_sha256="1" * 64,
                                fiscal_year=2022, exported_at=datetime(2023, 4, 1),
                                imported_at=datetime(2023, 5, 1))
        session.add(imported)
        session.flush()
        rows = [RevisionProposal(import_id=imported.id, kpi=find_kpi(session, code),
                                 fiscal_year=2023, department=dept, value=value, reason="見込み",
                                 proposed_at=datetime(2023, 5, 1))
                for code, value in (("P03-K1", "48"), ("P03-K3", "12"))]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def confirm(qtbot, panel) -> None:
    """Confirm the dialog the panel opened (it shows the change first)."""
    qtbot.mouseClick(panel.dialog.ok_button, Qt.MouseButton.LeftButton)


def test_accept_and_reject_proposals(page, ctx, proposal_ids, qtbot, type_text):
    panel = page.proposals
    panel.refresh()
    assert panel.model.keys == proposal_ids
    panel.view.selectRow(0)
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    preview = panel.dialog.preview.toPlainText()
    assert "目標: 44 → 48" in preview and "第3版の修正" in preview
    assert find(snapshot(ctx.db), "kpis", "P03-K1")["targets"]["2023"]["value"] == 44
    confirm(qtbot, panel)
    assert find(snapshot(ctx.db), "kpis", "P03-K1")["targets"]["2023"]["value"] == 48
    assert "承認しました" in panel.message.text()
    assert panel.model.keys == [proposal_ids[1]]  # pending only
    panel.view.selectRow(0)
    qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)
    assert "理由" in panel.dialog.message.text() and not panel.dialog.ok_button.isEnabled()
    # the proposal stays in view while the reason is missing
    assert "P03-K3" in panel.dialog.preview.toPlainText()
    type_text(panel.dialog.note, "根拠が不足")
    confirm(qtbot, panel)
    with ctx.db.read() as session:
        statuses = [session.get(RevisionProposal, i).status for i in proposal_ids]
    assert statuses == ["accepted", "rejected"]
    panel.pending_only.setChecked(False)
    assert panel.model.rowCount() == 2


def select_department(panel, code: str) -> None:
    row = panel.model.keys.index(code)
    panel.view.selectionModel().setCurrentIndex(
        panel.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)


def test_manage_departments(page, ctx, qtbot, type_text):
    panel = page.departments
    select_department(panel, "D04")
    type_text(panel.name, "建設部")
    qtbot.mouseClick(panel.buttons["rename"], Qt.MouseButton.LeftButton)
    assert "「土木部」→「建設部」" in panel.dialog.preview.toPlainText()
    confirm(qtbot, panel)
    assert "建設部" in ctx.departments and "土木部" not in ctx.departments
    assert panel.model.rows[panel.model.keys.index("D04")][1:4] == ("建設部", "現行", "土木部")
    type_text(panel.name, "デジタル局")
    qtbot.mouseClick(panel.buttons["add"], Qt.MouseButton.LeftButton)
    confirm(qtbot, panel)
    assert ctx.departments[-1] == "デジタル局"
    select_department(panel, "D13")
    panel.target.setCurrentText("建設部")
    qtbot.mouseClick(panel.buttons["merge"], Qt.MouseButton.LeftButton)
    assert "「企業局」を「建設部」に統合します" in panel.dialog.preview.toPlainText()
    confirm(qtbot, panel)
    assert "企業局" not in ctx.departments
    select_department(panel, "D01")
    qtbot.mouseClick(panel.buttons["retire"], Qt.MouseButton.LeftButton)
    assert "廃止できません" in panel.dialog.message.text()
    assert not panel.dialog.ok_button.isEnabled()
    snap = snapshot(ctx.db)
    assert "建設部" in find(snap, "measures", "P08-M1")["departments"]


def test_split_items_keeps_sub_lines():
    assert split_items("○a\n・b\n〇c") == ["a\n・b", "c"]
    assert split_items("no bullet\n○b") == ["no bullet", "b"]


# --------------------------------------------------------------------------- the audit log


@pytest.fixture
def audit_page(ctx, show_widget) -> AuditPage:
    from dxtracker.figures.entry import set_actual
    from dxtracker.plan.revisions import revise_target

    set_actual(ctx.db, "P03-K2", 2022, "25", department="土木部", source="form")
    revise_target(ctx.db, "P03-K1", 2023, "46", "上方修正", source="cli")
    return show_widget(AuditPage(ctx))


def test_audit_table_filters_as_one_types(audit_page, qtbot, type_text):
    assert audit_page.model.rowCount() == 2
    assert audit_page.model.headerData(0, Qt.Orientation.Horizontal) == "日時"
    type_text(audit_page.filter_edit, "上方")
    qtbot.waitUntil(lambda: audit_page.model.rowCount() == 1)
    row = audit_page.model.rows[0]
    assert (row.entity_code, row.reason) == ("P03-K1/2023", "上方修正")
    value = audit_page.model.data(audit_page.model.index(0, 3))
    assert value == "コマンド"
    audit_page.filter_edit.clear()
    audit_page.source_combo.setCurrentIndex(audit_page.source_combo.findData("form"))
    assert [r.entity for r in audit_page.model.rows] == ["kpi_actual"]


def test_audit_export_to_excel(audit_page, tmp_path, qtbot):
    target = tmp_path / "audit.xlsx"
    audit_page.ask_export_path = lambda: target
    qtbot.mouseClick(audit_page.export_button, Qt.MouseButton.LeftButton)
    sheet = load_workbook(target)["audit"]
    assert sheet.max_row == 3 and sheet["A1"].value == "日時"
    assert str(target) in audit_page.count_label.text()


def test_pages_in_the_main_window(main_window, ctx):
    assert main_window.show_page("plan_editor") is not None
    assert main_window.show_page("audit") is not None
    ctx.set_department("商工労働部")
    assert "plan_editor" not in main_window.available_keys()
