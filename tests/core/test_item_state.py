"""Undo and redo of plan edits (an item's state captured and written back) and withdrawing a
target revision recorded by mistake."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxtracker.cli import main
from dxtracker.plan import edit_kpis, edit_measures, edit_projects
from dxtracker.plan.edit_measures import ScheduleBox
from dxtracker.plan.item_state import ItemChanged, capture, restore_state
from dxtracker.plan.revisions import (
    RevisionRejected,
    list_revisions,
    publish_edition,
    withdraw_revision,
)
from dxtracker.store.models import AuditEntry
from tests.helpers import dump, find, snapshot


def entries(db, detail: str) -> list[tuple]:
    with db.read() as session:
        return [(a.entity, a.entity_code, a.field, a.old_value, a.new_value) for a in
                session.scalars(select(AuditEntry).where(AuditEntry.source_detail == detail)
                                .order_by(AuditEntry.id))]


def edit_then_undo_redo(db, kind: str, code: str, edit) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Edit through the core, undo, check the plan reads as before, redo, check as after."""
    before_plan, before = snapshot(db), capture(db, kind, code)
    edit()
    after_plan, after = snapshot(db), capture(db, kind, code)
    assert after_plan != before_plan
    restore_state(db, kind, code, before, expected=after, source_detail="undo")
    assert snapshot(db) == before_plan
    restore_state(db, kind, code, after, expected=before, source_detail="redo")
    assert snapshot(db) == after_plan
    return before, after


def test_a_kpi_edit_with_a_revision_is_undone_and_redone_exactly(db):
    edit_then_undo_redo(db, "kpi", "P03-K1", lambda: edit_kpis.edit_kpi(
        db, "P03-K1", name="デジタル化企業の割合", reporting_departments=["商工労働部", "土木部"],
        targets={2023: "46", 2022: "41"}, reason="実績が上回ったため", source="form"))
    undone = entries(db, "undo")
    assert ("kpi", "P03-K1", "name", "デジタル化企業の割合",
            "県IoT推進コンソーシアム会員企業のIoT導入率(%)") in undone
    assert ("target", "P03-K1/2023", "value", "46", "44") in undone
    assert {e[2] for e in undone} == {"name", "reporting_departments", "value", "revision"}
    assert [e[:3] for e in undone if e[2] == "revision"] == [
        ("revision", "P03-K1/2022", "revision"), ("revision", "P03-K1/2023", "revision")]


def test_an_added_target_and_note_are_undone_without_a_revision(db):
    edit_then_undo_redo(db, "kpi", "P06-K4", lambda: (
        edit_kpis.set_target(db, "P06-K4", 2022, "9,999"),
        edit_kpis.set_target_note(db, "P06-K4", 2022, "注記")))
    assert "revision" not in {e[2] for e in entries(db, "undo")}


def test_a_measure_edit_with_schedule_and_departments_is_undone(db):
    edit_then_undo_redo(db, "measure", "P04-M1", lambda: edit_measures.edit_measure(
        db, "P04-M1", title="新しい名称", items=["項目1", "項目2"], departments=["全部局"],
        is_new=True, schedule=[ScheduleBox(2022, 2023, "本格実施")]))


def test_a_project_moved_to_another_vision_with_its_title_is_undone(db):
    before, after = edit_then_undo_redo(db, "project", "P04", lambda: edit_projects.edit_project(
        db, "P04", title="新しいプロジェクト名", vision_number=1, vision_title="ビジョン1の新名称",
        lead_department="土木部", future_picture=["一つだけの姿"]))
    assert before["vision"] != after["vision"] == 1


def test_undo_is_refused_when_the_item_changed_elsewhere(db_path, db):
    before = capture(db, "kpi", "P03-K2")
    edit_kpis.edit_kpi(db, "P03-K2", name="名称A")
    after = capture(db, "kpi", "P03-K2")
    edit_kpis.edit_kpi(db, "P03-K2", unit="社")  # e.g. on the command line
    unchanged = dump(db_path)
    with pytest.raises(ItemChanged, match="別の画面やコマンド"):
        restore_state(db, "kpi", "P03-K2", before, expected=after)
    assert dump(db_path) == unchanged


# --------------------------------------------------------------------------- withdrawing


def revision_ids(db, code: str) -> list[int]:
    with db.read() as session:
        return [r.id for r in list_revisions(session, code)]


def test_a_revision_recorded_by_mistake_is_withdrawn(db):
    before = snapshot(db)
    edit_kpis.set_target(db, "P03-K1", 2023, "60", reason="誤入力")
    (revision,) = revision_ids(db, "P03-K1")
    with pytest.raises(RevisionRejected, match="理由"):
        withdraw_revision(db, revision, " ")
    row = withdraw_revision(db, revision, "誤って記録したため", source="form")
    assert (row.kpi_code, row.old_value, row.new_value) == ("P03-K1", "44", "60")
    assert snapshot(db) == before
    with db.read() as session:
        audit = [(a.entity_code, a.reason, a.source) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.field == "withdrawn"))]
    assert audit == [
        ("P03-K1/2023", "誤って記録したため", "form")]


def test_only_the_latest_unpublished_revision_can_be_withdrawn(db):
    edit_kpis.set_target(db, "P03-K1", 2023, "60", reason="一回目")
    edit_kpis.set_target(db, "P03-K1", 2023, "70", reason="二回目")
    first, second = revision_ids(db, "P03-K1")
    with pytest.raises(RevisionRejected, match="新しいものから"):
        withdraw_revision(db, first, "理由")
    publish_edition(db, "令和5年度改定")
    with pytest.raises(RevisionRejected, match="公表済み"):
        withdraw_revision(db, second, "理由")
    with pytest.raises(RevisionRejected, match="ありません"):
        withdraw_revision(db, 9999, "理由")


def test_command_line_lists_ids_and_withdraws(db_path, db, capsys):
    edit_kpis.set_target(db, "P03-K1", 2023, "60", reason="誤入力")
    (revision,) = revision_ids(db, "P03-K1")
    assert main(["--db", str(db_path), "plan", "revisions", "--kpi", "P03-K1"]) == 0
    assert f"#{revision} P03-K1" in capsys.readouterr().out
    assert main(["--db", str(db_path), "plan", "revisions", "--withdraw", str(revision)]) == 1
    assert "理由" in capsys.readouterr().err
    assert main(["--db", str(db_path), "plan", "revisions", "--withdraw", str(revision),
                 "--reason", "誤入力"]) == 0
    assert "60 → 44" in capsys.readouterr().out
    assert find(snapshot(db), "kpis", "P03-K1")["revisions"] == []
