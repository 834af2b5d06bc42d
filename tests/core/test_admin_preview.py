"""What plan administration shows before it acts: publishing, the next plan, department
merges; and the next plan's progress steps."""

from __future__ import annotations

import pytest

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan import departments, edit_kpis, edit_measures
from dxtracker.plan.admin_preview import (
    department_uses,
    merge_preview,
    new_plan_preview,
    publication_preview,
)
from dxtracker.plan.periods import (
    NEW_PLAN_STEPS,
    NewPlanOptions,
    PeriodRejected,
    start_new_plan,
)
from dxtracker.plan.retirement import retire_item
from dxtracker.plan.revisions import publish_edition
from dxtracker.store.connect import open_database
from dxtracker.store.lookup import find_department
from tests.helpers import snapshot


def test_publication_preview_lists_revisions_new_items_and_retired_ones(db):
    with db.read() as session:
        empty = publication_preview(session)
    assert (empty.number, empty.first, empty.revisions, empty.new_kpis) == (3, False, (), ())
    edit_kpis.set_target(db, "P03-K1", 2023, "46", reason="実績が上回ったため")
    kpi = edit_kpis.add_kpi(db, "P04", "新しい指標", reporting_departments=["農林水産部"])
    measure = edit_measures.add_measure(db, "P04", "新しい施策", departments=["農林水産部"])
    retire_item(db, "kpi", "P05-K2")
    with db.read() as session:
        preview = publication_preview(session)
    assert [(r.kpi_code, r.old_value, r.new_value) for r in preview.revisions] == [
        ("P03-K1", "44", "46")]
    assert preview.new_kpis == ((kpi, "新しい指標"),)
    assert preview.new_measures == ((measure, "新しい施策"),)
    assert [code for code, _ in preview.retired] == ["P05-K2"]
    publish_edition(db, "令和5年度改定")
    with db.read() as session:
        after = publication_preview(session)
    assert (after.current.number, after.number, after.revisions) == (3, 4, ())


def test_new_plan_preview_counts_what_is_carried(db):
    set_actual(db, "P03-K2", 2023, "1,500", department="土木部")
    set_progress(db, "P03-M1", 2024 - 1, "商工労働部", status="順調")
    retire_item(db, "kpi", "P03-K1")
    options = NewPlanOptions(2024, 2026, carry_targets=True, carry_schedule=True)
    with db.read() as session:
        preview = new_plan_preview(session, options)
    seed = snapshot(db)
    kpis = sum(len(p["kpis"]) for p in seed["projects"])
    assert (preview.kpis, preview.left_behind) == (kpis - 1, 1)
    assert preview.baselines == 1  # only P03-K2 has a FY2023 actual
    assert "P03-K2" not in preview.without_baseline and "P03-K3" in preview.without_baseline
    assert preview.targets == 0  # the seed has no targets after FY2023
    assert preview.code == "toyama-dx-leading-projects-2024"
    with pytest.raises(PeriodRejected, match="開始年度"), db.read() as session:
        new_plan_preview(session, NewPlanOptions(2026, 2024))


def test_new_plan_reports_its_steps_and_carries_progress_of_current_items(db, tmp_path):
    set_actual(db, "P03-K1", 2023, "50", department="商工労働部")
    set_actual(db, "P03-K2", 2023, "9", department="土木部")
    retire_item(db, "kpi", "P03-K1")
    options = NewPlanOptions(2023, 2025, carry_progress=True)
    with db.read() as session:
        preview = new_plan_preview(session, options)
    steps: list[tuple[int, int, str]] = []
    path = start_new_plan(db, tmp_path / "next.sqlite3", options,
                          progress=lambda done, total, step: steps.append((done, total, step)))
    assert [s for _, _, s in steps] == list(NEW_PLAN_STEPS)
    assert steps[-1][:2] == (3, 3)
    new = open_database(path)
    try:
        plan = snapshot(new)
    finally:
        new.close()
    actuals = [(k["code"], fy) for p in plan["projects"] for k in p["kpis"]
               for fy, v in k["actuals"].items() if v]
    assert actuals == [("P03-K2", "2023")] and preview.actuals == 1


def test_new_plan_stopped_by_its_progress_callback_leaves_no_file(db, tmp_path):
    def stop(done: int, total: int, step: str) -> None:
        if step == "write":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_new_plan(db, tmp_path / "next.sqlite3", NewPlanOptions(2024, 2026), progress=stop)
    assert list(tmp_path.glob("next*")) == []


def test_merge_preview_counts_rows_moved_and_combined(db):
    set_actual(db, "P01-K1", 2022, "10", department="商工労働部")
    set_actual(db, "P01-K1", 2022, "5", department="土木部")
    set_actual(db, "P03-K2", 2022, "7", department="土木部")
    set_progress(db, "P08-M1", 2022, "土木部", status="順調")
    with db.read() as session:
        preview = merge_preview(session, "土木部", "商工労働部")
        uses = department_uses(session, find_department(session, "土木部"))
    assert "P08" in uses.projects and "P03-K2" in uses.kpis
    assert preview.rows_combined == 1  # P01-K1 FY2022: both reported
    assert preview.rows_moved >= 3  # with the seed's FY2021 figures of 土木部
    result = departments.merge_departments(db, "土木部", "商工労働部")
    assert (result.rows_moved, result.rows_combined) == (preview.rows_moved,
                                                         preview.rows_combined)
