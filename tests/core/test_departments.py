"""Departments: add, rename, merge, retire — history kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dxtracker.cli import main
from dxtracker.errors import NotFound
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan import departments
from dxtracker.plan.departments import DepartmentRejected
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.history import list_imports
from dxtracker.store.connect import open_database
from dxtracker.store.db import check_integrity
from dxtracker.store.lookup import all_departments, find_department
from dxtracker.store.models import AuditEntry, DepartmentMerge, KpiActual, MeasureProgress
from tests.core.test_merge_support import copy_db, export, fill, kpi, show
from tests.helpers import dump, find, snapshot


def test_a_renamed_department_keeps_its_history(db):
    set_actual(db, "P03-K2", 2022, "25", department="土木部")
    set_progress(db, "P03-M1", 2022, "土木部", status="順調", record="橋梁点検")
    with db.read() as session:
        dept_id = find_department(session, "土木部").id
    departments.rename_department(db, "土木部", "建設部", on=date(2024, 4, 1), source="form")
    with db.read() as session:
        dept = find_department(session, "建設部")
        assert dept.id == dept_id and dept.code == "D04"
        actual = session.scalar(select(KpiActual).where(KpiActual.fiscal_year == 2022,
                                                        KpiActual.department_id == dept_id))
        progress = session.scalar(select(MeasureProgress).where(
            MeasureProgress.department_id == dept_id))
        assert actual.value == "25" and progress.record == "橋梁点検"
        assert departments.name_on(session, dept, date(2023, 3, 31)) == "土木部"
        assert departments.name_on(session, dept, date(2024, 4, 1)) == "建設部"
        assert departments.department_for_name(session, "土木部").id == dept_id
        with pytest.raises(NotFound):
            find_department(session, "土木部")
        info = next(d for d in departments.list_departments(session) if d.code == "D04")
        assert [(n.name, n.valid_from, n.valid_to) for n in info.names] == [
            ("土木部", None, date(2024, 4, 1)), ("建設部", date(2024, 4, 1), None)]
    snap = snapshot(db)
    kpi = find(snap, "kpis", "P03-K2")
    assert kpi["reporting_departments"] == ["建設部"]
    assert kpi["contributions"]["2022"][0]["department"] == "建設部"
    assert find(snap, "measures", "P03-M1")["progress"][0]["department"] == "建設部"
    lead = next(p for p in snap["projects"] if p["code"] == "P08")["lead_department"]
    assert lead == "建設部"
    # the renamed department goes on reporting under its new name
    set_actual(db, "P03-K2", 2023, "28", department="建設部")


def test_rename_refuses_a_name_in_use_and_writes_nothing(db, db_path):
    before = dump(db_path)
    with pytest.raises(DepartmentRejected, match="すでに"):
        departments.rename_department(db, "土木部", "商工労働部")
    with pytest.raises(DepartmentRejected):
        departments.rename_department(db, "土木部", "全部局")
    assert dump(db_path) == before


def test_add_a_department_and_give_it_work(db):
    code = departments.add_department(db, "ＤＸ推進局", source="form")  # NFKC
    assert code == "D14"
    with db.read() as session:
        assert find_department(session, "DX推進局").code == "D14"
        assert [d.name for d in all_departments(session)][-1] == "DX推進局"
    with pytest.raises(DepartmentRejected):
        departments.add_department(db, "DX推進局")
    set_progress(db, "P01-M1", 2023, "DX推進局", status="順調")  # 全部局 includes it


def test_merge_moves_rows_links_and_combines_clashes(db, db_path):
    # Both report to the summed 全部局 KPI and both hold progress on P08-M1.
    set_actual(db, "P01-K3", 2022, "100", department="企業局", note="企業局分")
    set_actual(db, "P01-K3", 2022, "250", department="土木部", note="土木部分")
    set_actual(db, "P01-K3", 2023, "120", department="企業局")
    set_progress(db, "P08-M1", 2022, "企業局", status="順調", record="水道DX", issues="人材")
    set_progress(db, "P08-M1", 2022, "土木部", status=None, record="道路DX")
    result = departments.merge_departments(db, "企業局", "土木部", on=date(2024, 4, 1),
                                           source="form")
    assert (result.rows_moved, result.rows_combined) == (1, 2)
    snap = snapshot(db)
    rpa = find(snap, "kpis", "P01-K3")
    assert rpa["actuals"]["2022"]["value"] == 350  # contributions added up
    assert [c["department"] for c in rpa["contributions"]["2023"]] == ["土木部"]
    measure = find(snap, "measures", "P08-M1")
    assert "企業局" not in measure["departments"]
    row = next(p for p in measure["progress"] if p["fiscal_year"] == 2022)
    assert (row["department"], row["status"], row["record"], row["issues"]) == (
        "土木部", "順調", "道路DX\n水道DX", "人材")
    retired = next(d for d in snap["departments"] if d["name"] == "企業局")
    assert retired["retired"]
    with db.read() as session:
        merge = session.scalar(select(DepartmentMerge))
        assert merge.retired_department.name == "企業局" and merge.merged_on == date(2024, 4, 1)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.source == "form")).all()
        assert any(e.entity == "kpi_actual" and e.old_value == "250" and e.new_value == "350"
                   for e in entries)
        assert "企業局" not in [d.name for d in all_departments(session)]
    assert check_integrity(db_path) == []


def test_a_failed_merge_changes_nothing(db, db_path, monkeypatch):
    set_progress(db, "P08-M1", 2022, "企業局", status="順調")
    before = dump(db_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(departments, "_move_progress", boom)
    with pytest.raises(RuntimeError):
        departments.merge_departments(db, "企業局", "土木部")
    assert dump(db_path) == before
    with pytest.raises(DepartmentRejected):
        departments.merge_departments(db, "土木部", "土木部")


def test_retire_only_a_department_without_work(db):
    with pytest.raises(DepartmentRejected, match="P08-M1"):
        departments.retire_department(db, "企業局")
    departments.add_department(db, "臨時局")
    departments.retire_department(db, "臨時局", on=date(2025, 3, 31))
    with db.read() as session:
        assert "臨時局" not in [d.name for d in all_departments(session)]
        info = next(d for d in departments.list_departments(session) if d.name == "臨時局")
        assert info.retired and info.names[-1].valid_to == date(2025, 3, 31)


def test_cli_departments(db_path, capsys):
    base = ["--db", str(db_path), "department"]
    assert main([*base, "add", "デジタル局"]) == 0
    assert main([*base, "rename", "土木部", "建設部", "--on", "2024-04-01"]) == 0
    assert main([*base, "merge", "企業局", "建設部"]) == 0
    assert main([*base, "retire", "デジタル局"]) == 0
    assert main([*base, "retire", "知事政策局"]) == 1
    with pytest.raises(SystemExit) as usage:
        main([*base, "rename", "建設部", "x", "--on", "2024/4/1"])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main([*base, "list"]) == 0
    out = capsys.readouterr().out
    assert "D04 建設部  旧名: 土木部" in out
    assert "D13 企業局（廃止） → 建設部に統合" in out
    assert "D14 デジタル局（廃止）" in out


def test_a_return_exported_before_a_rename_still_belongs_to_the_department(
        template_db, tmp_path):
    department = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(department, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 24}})
    headquarters = copy_db(template_db, tmp_path / "hq.sqlite3")
    with open_database(headquarters) as db:
        departments.rename_department(db, "土木部", "建設部")
        assert merge_returns(db, [path], backup_dir=tmp_path / "b").exit_code == 0
        with db.read() as session:
            [imported] = list_imports(session)
            assert (imported.department_code, imported.department_name) == ("D04", "建設部")
    contributions = kpi(show(headquarters), "P03-K2")["contributions"]["2022"]
    assert [(c["department"], c["value"]["value"]) for c in contributions] == [("建設部", 24)]
