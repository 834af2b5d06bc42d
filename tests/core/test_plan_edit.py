"""Editing the plan: each edit path, its audit entries, its validation; plan periods."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dxtracker.cli import main
from dxtracker.errors import NotFound
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.figures.parse import ValueParseError
from dxtracker.plan import edit_kpis, edit_measures, edit_projects
from dxtracker.plan import periods as plan_period
from dxtracker.plan.edit import PlanEditRejected
from dxtracker.plan.edit_measures import ScheduleBox
from dxtracker.plan.revisions import RevisionRejected, publish_edition
from dxtracker.store.connect import open_database
from dxtracker.store.lookup import get_plan
from dxtracker.store.models import AuditEntry
from tests.helpers import dump, find, snapshot


def project(snap: dict, code: str) -> dict:
    return next(p for p in snap["projects"] if p["code"] == code)


def audit(db, entity: str) -> list[tuple]:
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                               .order_by(AuditEntry.id)).all()
        return [(a.entity_code, a.field, a.old_value, a.new_value, a.source) for a in rows]


def test_edit_kpi_every_field_with_audit(db):
    done = edit_kpis.edit_kpi(
        db, "P03-K2", name="DX支援件数", unit="社", cumulative=True, direction="lower",
        reporting_departments=["商工労働部", "土木部"], aggregation="sum", note="速報値",
        baseline="１２社", is_new=True, source="form")
    assert set(done) == {"name", "unit", "cumulative", "direction", "reporting_departments",
                         "aggregation", "note", "baseline", "is_new"}
    kpi = find(snapshot(db), "kpis", "P03-K2")
    assert (kpi["name"], kpi["unit"], kpi["cumulative"], kpi["direction"]) == (
        "DX支援件数", "社", True, "lower")
    assert kpi["reporting_departments"] == ["商工労働部", "土木部"]
    assert (kpi["aggregation"], kpi["note"], kpi["baseline"]["value"]) == ("sum", "速報値", 12)
    assert (kpi["is_new"], kpi["new_in_edition"]) == (True, 3)
    entries = audit(db, "kpi")
    assert ("P03-K2", "unit", "件", "社", "form") in entries
    assert ("P03-K2", "reporting_departments", "土木部", "商工労働部・土木部", "form") in entries
    edit_kpis.edit_kpi(db, "P03-K2", reporting_departments=["全部局"], is_new=False)
    kpi = find(snapshot(db), "kpis", "P03-K2")
    assert kpi["all_departments_report"] and (kpi["is_new"], kpi["new_in_edition"]) == (
        False, None)


def test_invalid_kpi_edits_write_nothing(db, db_path):
    before = dump(db_path)
    with pytest.raises(PlanEditRejected, match="direction"):
        edit_kpis.edit_kpi(db, "P03-K2", name="x", direction="up")
    with pytest.raises(PlanEditRejected, match="name"):
        edit_kpis.edit_kpi(db, "P03-K2", name="  ")
    with pytest.raises(ValueParseError):
        edit_kpis.edit_kpi(db, "P03-K2", name="x", baseline="十二件")
    with pytest.raises(NotFound):
        edit_kpis.edit_kpi(db, "P03-K2", reporting_departments=["存在しない部"])
    with pytest.raises(PlanEditRejected):
        edit_kpis.edit_kpi(db, "P03-K2", reporting_departments=[])
    assert dump(db_path) == before


def test_set_target_on_a_published_plan_is_a_revision(db):
    with pytest.raises(RevisionRejected, match="理由"):
        edit_kpis.set_target(db, "P04-K1", 2023, "650")
    change = edit_kpis.set_target(db, "P04-K1", 2023, "650台", reason="導入拡大", source="form")
    assert change.revised and change.old_value == "620"
    edit_kpis.set_target_note(db, "P04-K1", 2023, "県単独分を含む")
    kpi = find(snapshot(db), "kpis", "P04-K1")
    assert kpi["target_notes"] == {"2023": "県単独分を含む"}
    assert kpi["revisions"][-1]["new_value"]["value"] == 650


def test_added_kpi_and_measure_carry_the_new_mark_of_the_next_edition(db):
    code = edit_kpis.add_kpi(db, "P04", "スマート農業研修の受講者数", unit="人",
                             reporting_departments=["農林水産部"], baseline="120",
                             source="form")
    assert code == "P04-K5"
    # a KPI new in the coming edition has no published target: setting one is no revision
    assert not edit_kpis.set_target(db, "P04-K5", 2023, "300").revised
    edit_kpis.set_target(db, "P04-K5", 2023, "350")
    measure = edit_measures.add_measure(db, "P04", "研修の充実", departments=["農林水産部"],
                                    items=["研修を年4回開催", ""], attention_points="講師確保",
                                    response_policy="大学と連携")
    assert measure == "P04-M4"
    snap = snapshot(db)
    kpi, new_measure = find(snap, "kpis", "P04-K5"), find(snap, "measures", "P04-M4")
    assert (kpi["is_new"], kpi["new_in_edition"], kpi["revisions"]) == (True, 3, [])
    assert kpi["targets"]["2023"]["value"] == 350 and kpi["baseline"]["value"] == 120
    assert (new_measure["is_new"], new_measure["new_in_edition"]) == (True, 3)
    assert new_measure["items"] == ["研修を年4回開催"] and new_measure["number"] == 4
    assert (new_measure["attention_points"], new_measure["response_policy"]) == (
        "講師確保", "大学と連携")
    publish_edition(db, "令和5年度改定")
    assert get_edition(db) == 3  # the marks belong to the edition now published


def get_edition(db) -> int:
    with db.read() as session:
        return get_plan(session).edition


def test_edit_measure_and_its_schedule(db, db_path):
    done = edit_measures.edit_measure(
        db, "P03-M1", title="DX推進支援", items=["相談窓口", "専門家派遣"],
        departments=["商工労働部"], attention_points="人材不足", response_policy="外部人材",
        source="form")
    assert set(done) == {"title", "items", "departments", "attention_points",
                         "response_policy"}
    edit_measures.set_schedule(db, "P03-M1", [ScheduleBox(2021, 2021, "準備"),
                                          ScheduleBox(2022, 2023, "本格実施")])
    measure = find(snapshot(db), "measures", "P03-M1")
    assert measure["items"] == ["相談窓口", "専門家派遣"]
    assert measure["departments"] == ["商工労働部"]
    assert measure["schedule"] == [{"from": 2021, "to": 2021, "text": "準備"},
                                   {"from": 2022, "to": 2023, "text": "本格実施"}]
    assert audit(db, "schedule")[0][:2] == ("P03-M1", "schedule")
    before = dump(db_path)
    with pytest.raises(PlanEditRejected, match="工程 2"):
        edit_measures.set_schedule(db, "P03-M1", [ScheduleBox(2021, 2021, "a"),
                                              ScheduleBox(2023, 2022, "逆順")])
    with pytest.raises(PlanEditRejected):
        edit_measures.set_schedule(db, "P03-M1", [ScheduleBox(2021, 2024, "期間外")])
    with pytest.raises(PlanEditRejected):
        edit_measures.edit_measure(db, "P03-M1", departments=[])
    assert dump(db_path) == before


def test_visions_projects_and_future_pictures(db):
    edit_projects.edit_vision(db, 1, title="県民本位の行政サービス", source="form")
    assert edit_projects.add_vision(db, "新しいビジョン") == 6
    code = edit_projects.add_project(db, 6, "新プロジェクト", "経営管理部")
    assert code == "P11"
    edit_projects.edit_project(db, "P02", title="誰一人取り残さない", lead_department="地方創生局",
                           vision_number=2)
    assert edit_projects.set_future_picture_item(db, "P11", None, "姿その1") == 1
    assert edit_projects.set_future_picture_item(db, "P11", None, "姿その2") == 2
    edit_projects.set_future_picture_item(db, "P01", 1, "書き換えた姿", is_new=True)
    edit_projects.remove_future_picture_item(db, "P11", 1)
    snap = snapshot(db)
    assert snap["visions"][0]["title"] == "県民本位の行政サービス"
    p02 = project(snap, "P02")
    assert (p02["title"], p02["lead_department"], p02["vision"]["number"]) == (
        "誰一人取り残さない", "地方創生局", 2)
    assert project(snap, "P11")["future_picture"] == [
        {"number": 1, "text": "姿その2", "is_new": True}]  # added after publication
    assert project(snap, "P01")["future_picture"][0] == {
        "number": 1, "text": "書き換えた姿", "is_new": True}
    with pytest.raises(PlanEditRejected, match="すでに"):
        edit_projects.add_project(db, 1, "重複", "知事政策局", code="P01-K1")
    with pytest.raises(PlanEditRejected, match="主管部局"):
        edit_projects.edit_project(db, "P02", lead_department="全部局")
    assert {e[0] for e in audit(db, "future_picture")} >= {"P11/1", "P11/2", "P01/1"}


# --------------------------------------------------------------------------- plan periods


def test_extend_the_plan_and_set_targets_for_the_new_years(db):
    assert plan_period.extend_plan(db, 2026) == (2023, 2026)
    assert not edit_kpis.set_target(db, "P04-K1", 2026, "700").revised
    snap = snapshot(db)
    assert snap["plan"]["fiscal_years"] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert snap["plan"]["fiscal_year_labels"]["2026"] == "令和8年度"
    assert find(snap, "kpis", "P04-K1")["targets"]["2026"]["value"] == 700
    with pytest.raises(plan_period.PeriodRejected):
        plan_period.extend_plan(db, 2025)


def test_start_a_new_plan_carrying_what_is_chosen(db, db_path, tmp_path):
    set_actual(db, "P04-K1", 2023, "640")
    set_progress(db, "P04-M1", 2023, "農林水産部", status="順調", record="導入支援")
    before = dump(db_path)
    options = plan_period.NewPlanOptions(
        first_fiscal_year=2023, last_fiscal_year=2025, code="toyama-dx-2023",
        edition_label="案", carry_targets=True, carry_schedule=True, carry_progress=True)
    with pytest.raises(Exception, match="別のファイル"):
        plan_period.start_new_plan(db, db_path, options, force=True)
    target = plan_period.start_new_plan(db, tmp_path / "next.sqlite3", options)
    assert dump(db_path) == before  # the current plan is untouched
    new = open_database(target)
    try:
        snap = snapshot(new)
        kpi = find(snap, "kpis", "P04-K1")
        assert snap["plan"]["code"] == "toyama-dx-2023"
        assert snap["plan"]["fiscal_years"] == [2023, 2024, 2025]
        assert snap["plan"]["edition"] == 1
        assert kpi["targets"]["2023"]["value"] == 620 and kpi["targets"]["2024"] is None
        assert kpi["baseline"] is None  # no actual recorded for 2022
        assert kpi["actuals"]["2023"]["value"] == 640 and kpi["revisions"] == []
        measure = find(snap, "measures", "P04-M1")
        assert measure["progress"][0]["record"] == "導入支援"
        assert all(s["from"] >= 2023 for s in measure["schedule"])
        assert not any(k["is_new"] for p in snap["projects"] for k in p["kpis"])
        # a draft: targets are set freely until it is published
        assert not edit_kpis.set_target(new, "P04-K1", 2023, "700").revised
    finally:
        new.close()


def test_new_plan_baseline_is_the_actual_of_the_year_before(db, tmp_path):
    set_actual(db, "P04-K1", 2022, "600")
    options = plan_period.NewPlanOptions(first_fiscal_year=2023, last_fiscal_year=2025)
    new = open_database(plan_period.start_new_plan(db, tmp_path / "n.sqlite3", options))
    try:
        snap = snapshot(new)
        assert snap["plan"]["baseline_fiscal_year"] == 2022
        assert find(snap, "kpis", "P04-K1")["baseline"]["value"] == 600
        assert find(snap, "kpis", "P04-K2")["baseline"] is None  # blank, never zero
        assert find(snap, "kpis", "P04-K1")["targets"] == {"2023": None, "2024": None,
                                                          "2025": None}
    finally:
        new.close()


# --------------------------------------------------------------------------- command line


def test_cli_edit_add_target_schedule_picture_extend(db_path, tmp_path, capsys):
    base = ["--db", str(db_path), "plan"]
    assert main([*base, "edit", "kpi", "P03-K2", "--set", "name=支援件数",
                 "--set", "reporting_departments=商工労働部|土木部",
                 "--set", "cumulative=true"]) == 0
    assert main([*base, "edit", "kpi", "P03-K2", "--set", "colour=red"]) == 1
    assert main([*base, "add", "measure", "--project", "P03", "--set", "title=新施策",
                 "--set", "departments=商工労働部", "--set", "items=項目1|項目2"]) == 0
    assert "P03-M3" in capsys.readouterr().out
    assert main([*base, "schedule", "--measure", "P03-M3", "--box", "R4-R5:実施"]) == 0
    assert main([*base, "picture", "--project", "P03", "--text", "新しい姿"]) == 0
    assert main([*base, "target", "--kpi", "P03-K2", "--fy", "2023", "--value", "35",
                 "--reason", "上方修正", "--note", "速報"]) == 0
    assert main([*base, "extend", "--to", "令和8年度"]) == 0
    assert main([*base, "new-period", "--out", str(tmp_path / "n.sqlite3"), "--first", "R6",
                 "--last", "R8", "--carry", "targets,nonsense"]) == 1
    capsys.readouterr()
    assert main([*base, "show", "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    kpi, measure = find(snap, "kpis", "P03-K2"), find(snap, "measures", "P03-M3")
    assert (kpi["name"], kpi["cumulative"], kpi["targets"]["2023"]["value"]) == (
        "支援件数", True, 35)
    assert kpi["target_notes"] == {"2023": "速報"}
    assert measure["items"] == ["項目1", "項目2"] and measure["is_new"]
    assert measure["schedule"] == [{"from": 2022, "to": 2023, "text": "実施"}]
    assert snap["plan"]["fiscal_years"][-1] == 2026


# --------------------------------------------------------------------------- whole forms


def test_a_kpi_form_with_targets_is_one_transaction(db, db_path):
    before = dump(db_path)
    with pytest.raises(RevisionRejected):  # the 2023 target is published: a reason is needed
        edit_kpis.edit_kpi(db, "P04-K1", name="導入台数", targets={2022: "600", 2023: "650"})
    assert dump(db_path) == before  # the name was not saved either
    done = edit_kpis.edit_kpi(db, "P04-K1", name="導入台数", source="form",
                              targets={2022: "593", 2023: "650台"}, reason="上方修正")
    assert set(done) == {"name", "target 2023"} and done["target 2023"] == ("620", "650")
    kpi = find(snapshot(db), "kpis", "P04-K1")
    assert kpi["name"] == "導入台数" and kpi["revisions"][-1]["reason"] == "上方修正"


def test_a_measure_form_with_its_schedule(db):
    boxes = [edit_measures.parse_schedule_box("R3: 準備"),
             edit_measures.parse_schedule_box("令和4年度～令和5年度：本格実施")]
    done = edit_measures.edit_measure(db, "P04-M1", title="農業DXの推進", schedule=boxes)
    assert set(done) == {"title", "schedule"}
    measure = find(snapshot(db), "measures", "P04-M1")
    assert measure["schedule"] == [{"from": 2021, "to": 2021, "text": "準備"},
                                   {"from": 2022, "to": 2023, "text": "本格実施"}]
    assert edit_measures.edit_measure(db, "P04-M1", schedule=boxes) == {}  # unchanged
    with pytest.raises(PlanEditRejected, match="R4-R5"):
        edit_measures.parse_schedule_box("R4 本格")


def test_a_project_form_with_vision_title_and_future_picture(db):
    texts = [item["text"] for item in project(snapshot(db), "P03")["future_picture"]]
    assert len(texts) == 2
    done = edit_projects.edit_project(db, "P03", vision_title="新しいビジョン名",
                                  future_picture=[texts[0], "書き換え", "追加した姿"])
    p03 = project(snapshot(db), "P03")
    assert p03["vision"]["title"] == "新しいビジョン名"
    assert [(f["text"], f["is_new"]) for f in p03["future_picture"]][1:] == [
        ("書き換え", False), ("追加した姿", True)]
    assert "future_picture 3" in done and done["vision_title"][1] == "新しいビジョン名"
    edit_projects.edit_project(db, "P03", future_picture=[texts[0]])
    assert len(project(snapshot(db), "P03")["future_picture"]) == 1
