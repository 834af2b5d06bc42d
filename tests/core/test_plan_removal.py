"""Deleting and retiring plan items: refused while something refers to it, undone exactly,
and a retired item is gone from new returns but kept in history and the year's report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxtracker.cli import main
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan import edit_kpis, edit_measures, edit_projects
from dxtracker.plan.periods import NewPlanOptions, plan_file_data
from dxtracker.plan.removal import ItemInUse, delete_item, undelete_item
from dxtracker.plan.retirement import RetireRejected, reinstate_items, retire_item
from dxtracker.plan.snapshot import shown_for_year
from dxtracker.report.summary import build_report_data
from dxtracker.returns import department_rows, export_return, plan_fingerprint, read_return
from dxtracker.store.lookup import find_department
from dxtracker.store.models import AuditEntry
from tests.core.conftest import RETURN_DEPARTMENT, RETURN_FISCAL_YEAR
from tests.helpers import dump, find, snapshot


def audit(db, field: str) -> list[tuple]:
    with db.read() as session:
        return [(a.entity, a.entity_code, a.old_value, a.new_value, a.reason, a.source,
                 a.source_detail) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.field == field).order_by(AuditEntry.id))]


def added_kpi(db) -> str:
    """A KPI added after publication (【新】), with targets, a note and two departments."""
    code = edit_kpis.add_kpi(db, "P04", "スマート農業の研修受講者数", unit="人",
                             reporting_departments=["農林水産部", "商工労働部"], note="速報")
    edit_kpis.set_target(db, code, 2022, "120人")
    edit_kpis.set_target_note(db, code, 2023, "目標は今後設定")
    return code


def test_a_kpi_added_by_mistake_is_deleted_and_put_back_exactly(db):
    before = snapshot(db)
    code = added_kpi(db)
    added = snapshot(db)
    removed = delete_item(db, "kpi", code, reason="誤って追加", source="form")
    assert snapshot(db) == before
    assert audit(db, "deleted")[-1][:6] == (
        "kpi", code, f"{code} スマート農業の研修受講者数", None, "誤って追加", "form")
    undelete_item(db, removed, source_detail="undo")
    assert snapshot(db) == added
    assert audit(db, "deleted")[-1][3] == f"{code} スマート農業の研修受講者数"
    assert audit(db, "deleted")[-1][6] == "undo"


def test_the_items_after_a_deleted_measure_move_up_and_back(db):
    first = edit_measures.add_measure(db, "P04", "新しい施策A", departments=["農林水産部"])
    edit_measures.set_schedule(db, first, [edit_measures.parse_schedule_box("R4-R5: 実証")])
    second = edit_measures.add_measure(db, "P04", "新しい施策B", departments=["全部局"])
    both = snapshot(db)
    assert [find(both, "measures", c)["number"] for c in (first, second)] == [4, 5]
    removed = delete_item(db, "measure", first)
    assert find(snapshot(db), "measures", second)["number"] == 4
    undelete_item(db, removed)
    assert snapshot(db) == both


def test_what_refers_to_an_item_keeps_it_from_being_deleted(db, db_path):
    code = added_kpi(db)
    set_actual(db, code, 2022, "15", department="農林水産部")
    unchanged = dump(db_path)
    with pytest.raises(ItemInUse, match="実績の入力（令和4年度） 1件") as refused:
        delete_item(db, "kpi", code)
    assert "plan retire" in refused.value.message_ja
    assert "actuals entered (FY2022): 1" in refused.value.message_en
    with pytest.raises(ItemInUse, match="公表済みの計画"):  # the published plan carries it
        delete_item(db, "kpi", "P03-K1")
    with pytest.raises(ItemInUse, match="指標 3件、施策 2件"):
        delete_item(db, "project", "P03")
    with pytest.raises(ItemInUse, match="プロジェクト"):
        delete_item(db, "vision", "1")
    assert dump(db_path) == unchanged


def test_progress_entered_keeps_a_measure(db):
    code = edit_measures.add_measure(db, "P04", "新しい施策", departments=["農林水産部"])
    set_progress(db, code, 2022, "農林水産部", status="順調")
    with pytest.raises(ItemInUse, match="進捗の入力"):
        delete_item(db, "measure", code)


def test_an_empty_project_and_vision_are_deleted_and_put_back(db):
    before = snapshot(db)
    number = edit_projects.add_vision(db, "新しいビジョン")
    project = edit_projects.add_project(db, number, "新しいプロジェクト", "土木部")
    edit_projects.set_future_picture_item(db, project, None, "3年後の姿")
    added = snapshot(db)
    removed_project = delete_item(db, "project", project)
    removed_vision = delete_item(db, "vision", f"V{number}")
    assert snapshot(db) == before
    undelete_item(db, removed_vision)
    undelete_item(db, removed_project)
    assert snapshot(db) == added


def test_a_deleted_vision_in_the_middle_renumbers_the_later_ones(db):
    first = edit_projects.add_vision(db, "ビジョンA")
    edit_projects.add_vision(db, "ビジョンB")
    added = snapshot(db)
    removed = delete_item(db, "vision", str(first))
    assert [v["title"] for v in snapshot(db)["visions"]][-1] == "ビジョンB"
    assert snapshot(db)["visions"][-1]["number"] == first
    undelete_item(db, removed)
    assert snapshot(db) == added


# --------------------------------------------------------------------------- retiring


def kpi_codes(db, department: str = RETURN_DEPARTMENT, fiscal_year: int = RETURN_FISCAL_YEAR):
    with db.read() as session:
        rows = department_rows(session, department, fiscal_year)
        return [k.kpi_code for k in rows.kpis], [m.measure_code for m in rows.measures]


def test_a_retired_kpi_leaves_new_returns_but_stays_in_history(db):
    before = snapshot(db)
    assert "P03-K1" in kpi_codes(db)[0]
    with db.read() as session:
        fingerprint = plan_fingerprint(session)
    done = retire_item(db, "kpi", "P03-K1", reason="指標の見直し")
    assert done == [("kpi", "P03-K1")]
    assert "P03-K1" not in kpi_codes(db)[0]
    with db.read() as session:
        assert plan_fingerprint(session) != fingerprint  # returns sent before are stale
    kpi = find(snapshot(db), "kpis", "P03-K1")
    assert kpi["retired_on"] and kpi["retired_in_edition"] == 3
    assert kpi["actuals"]["2021"] is not None  # its figures are kept
    with pytest.raises(RetireRejected, match="廃止済み"):
        retire_item(db, "kpi", "P03-K1")
    reinstate_items(db, done, source_detail="undo")
    assert snapshot(db) == before
    entries = audit(db, "retired_on")
    assert [(e[0], e[1], e[4]) for e in entries] == [
        ("kpi", "P03-K1", "指標の見直し"), ("kpi", "P03-K1", "廃止の取り消し")]


def test_the_report_keeps_a_retired_kpi_for_the_years_it_has_data(db):
    retire_item(db, "kpi", "P03-K1")
    with db.read() as session:
        in_2021 = build_report_data(session, 2021)
        in_2022 = build_report_data(session, 2022)
    codes = {fy: [k["code"] for p in data.projects for k in p["kpis"]]
             for fy, data in ((2021, in_2021), (2022, in_2022))}
    assert "P03-K1" in codes[2021]  # it has the 2021 actual
    assert "P03-K1" not in codes[2022]
    assert "P03-K2" in codes[2022]


def test_retiring_a_project_retires_its_items_and_reinstating_brings_back_exactly_those(db):
    retire_item(db, "measure", "P03-M2")  # on its own, before
    before = snapshot(db)
    done = retire_item(db, "project", "P03")
    assert done == [("project", "P03"), ("kpi", "P03-K1"), ("kpi", "P03-K2"),
                    ("kpi", "P03-K3"), ("measure", "P03-M1")]
    assert kpi_codes(db) == ([c for c in kpi_codes(db)[0] if not c.startswith("P03")],
                             [c for c in kpi_codes(db)[1] if not c.startswith("P03")])
    with pytest.raises(RetireRejected, match="先にそちらを元に戻して"):
        reinstate_items(db, [("kpi", "P03-K1")])
    view = shown_for_year(snapshot(db), 2022)
    assert "P03" not in [p["code"] for p in view["projects"]]
    assert "P03" in [p["code"] for p in shown_for_year(snapshot(db), 2021)["projects"]]
    reinstate_items(db, done)
    assert snapshot(db) == before
    assert find(snapshot(db), "measures", "P03-M2")["retired_on"]  # still retired


def test_a_return_exported_before_a_retirement_is_refused_with_the_reason(db, exported):
    retire_item(db, "measure", "P03-M1")
    with db.read() as session:
        parsed = read_return(exported, session)
    assert any("計画の構成" in p.message_ja for p in parsed.problems)


def test_the_next_plan_period_leaves_retired_items_behind(db):
    retire_item(db, "kpi", "P03-K1")
    retire_item(db, "project", "P10")
    with db.read() as session:
        data = plan_file_data(session, NewPlanOptions(2024, 2026))
    codes = [k["code"] for v in data["visions"] for p in v["projects"] for k in p["kpis"]]
    projects = [p["code"] for v in data["visions"] for p in v["projects"]]
    assert "P03-K1" not in codes and "P03-K2" in codes and "P10" not in projects


def test_a_retired_department_view_and_exported_return_leave_retired_measures_out(db, folder):
    retire_item(db, "measure", "P01-M1")
    with db.read() as session:
        dept = find_department(session, RETURN_DEPARTMENT)
        path = export_return(session, dept.name, RETURN_FISCAL_YEAR, directory=folder)
        parsed = read_return(path, session)
    assert not parsed.problems
    assert "P01-M1" not in [m.measure_code for m in parsed.measures]


# --------------------------------------------------------------------------- command line


def test_command_line_references_delete_retire_reinstate(db_path, db, capsys):
    code = added_kpi(db)
    args = ["--db", str(db_path), "plan"]
    assert main([*args, "references", "kpi", "P03-K1"]) == 0
    out = capsys.readouterr().out
    assert "公表済みの計画" in out and "削除できません" in out
    assert main([*args, "delete", "kpi", "P03-K1"]) == 1
    assert "廃止" in capsys.readouterr().err
    assert main([*args, "references", "kpi", code]) == 0
    assert "削除できます" in capsys.readouterr().out
    assert main([*args, "delete", "kpi", code, "--reason", "誤り"]) == 0
    assert f"削除しました: {code}" in capsys.readouterr().out
    assert main([*args, "retire", "project", "P10", "--on", "2024-04-01"]) == 0
    assert "P10、P10-K1" in capsys.readouterr().out
    assert find(snapshot(db), "kpis", "P10-K1")["retired_on"] == "2024-04-01"
    assert main([*args, "reinstate", "project", "P10"]) == 0
    assert "P10-K3" in capsys.readouterr().out
    assert find(snapshot(db), "kpis", "P10-K1")["retired_on"] is None
    assert main([*args, "retire", "vision", "V9"]) == 1


def test_retired_items_survive_the_plan_workbook_and_an_older_one_still_imports(db, tmp_path):
    from openpyxl import load_workbook

    from dxtracker.plan.excel_read import import_plan
    from dxtracker.plan.excel_write import export_plan
    from dxtracker.store.connect import open_database

    retire_item(db, "project", "P10", reason="事業の終了")
    retire_item(db, "vision", "V4")
    path = tmp_path / "plan.xlsx"
    with db.read() as session:
        export_plan(session, path)
    import_plan(path, tmp_path / "copy.sqlite3")
    copy = open_database(tmp_path / "copy.sqlite3")
    try:
        assert snapshot(copy) == snapshot(db)
    finally:
        copy.close()
    workbook = load_workbook(path)  # as written before items could be retired
    for sheet in ("visions", "projects", "kpis", "measures"):
        workbook[sheet].delete_cols(workbook[sheet].max_column - 1, 2)
    workbook.save(path)
    import_plan(path, tmp_path / "old.sqlite3")
    old = open_database(tmp_path / "old.sqlite3")
    try:
        assert find(snapshot(old), "kpis", "P10-K1")["retired_on"] is None
    finally:
        old.close()
