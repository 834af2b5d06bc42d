"""Merging returns at headquarters: round trip, a department's figures arriving, history."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.history import list_imports
from dxtracker.returns.undo import UndoRefused, undo_last_merge
from dxtracker.store.backups import merge_backups
from dxtracker.store.connect import open_database
from tests.core.test_merge_support import (
    FIGURES_ONLY,
    copy_db,
    count,
    dump,
    export,
    fill,
    kpi,
    plan_dump,
    progress_of,
    show,
)

DEPARTMENTS = ["知事政策局", "地方創生局", "商工労働部", "土木部", "農林水産部", "交通政策局",
               "厚生部", "教育委員会", "危機管理局", "生活環境文化部", "警察本部", "経営管理部",
               "企業局"]


def merge(db_path: Path, *paths: Path, **options):  # type: ignore[no-untyped-def]
    with open_database(db_path) as db:
        return merge_returns(db, list(paths), **options)


@pytest.mark.parametrize("fiscal_year", [2021, 2022])
def test_round_trip_of_every_department_changes_nothing(template_db, tmp_path, fiscal_year):
    source = copy_db(template_db, tmp_path / "source.sqlite3")
    out = tmp_path / "returns"
    out.mkdir()
    files = [export(source, dept, fiscal_year, out) for dept in DEPARTMENTS]
    assert len(set(files)) == len(DEPARTMENTS)
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    before = show(hq)
    report = merge(hq, *files, backup_dir=tmp_path / "backups")
    assert report.exit_code == 0, [str(e) for f in report.files for e in f.preview.errors]
    assert all(f.outcome == "merged" and not f.preview.changes for f in report.files)
    assert show(hq) == before
    assert count(hq, "audit_entry", FIGURES_ONLY) == 0
    assert count(hq, "merge_change", FIGURES_ONLY) == 0
    assert count(hq, "return_import") == len(DEPARTMENTS)
    assert count(hq, "return_review", "state = 'received'") == len(DEPARTMENTS)


def test_department_figures_reach_headquarters(template_db, tmp_path):
    shoko = copy_db(template_db, tmp_path / "shoko.sqlite3")
    doboku = copy_db(template_db, tmp_path / "doboku.sqlite3")
    with open_database(shoko) as db:
        set_actual(db, "P03-K1", 2022, "41.5", note="速報値")
        set_actual(db, "P01-K1", 2022, "1,200", department="商工労働部")
        set_progress(db, "P03-M1", 2022, "商工労働部", status="概ね順調",
                     record="説明会を3回開催\n参加者120社", issues="=人手不足", next_policy="継続")
    with open_database(doboku) as db:
        set_actual(db, "P01-K1", 2022, "３，３００件", department="土木部")
        set_actual(db, "P03-K2", 2022, "27")
    files = [export(shoko, "商工労働部", 2022, tmp_path / "shoko.xlsx"),
             export(doboku, "土木部", 2022, tmp_path / "doboku.xlsx")]
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    report = merge(hq, *files, backup_dir=tmp_path / "backups")
    assert report.exit_code == 0
    snapshot = show(hq)
    assert kpi(snapshot, "P03-K1")["actuals"]["2022"]["value"] == 41.5
    assert kpi(snapshot, "P03-K1")["actual_notes"]["2022"] == "速報値"
    assert kpi(snapshot, "P03-K2")["actuals"]["2022"]["value"] == 27
    total = kpi(snapshot, "P01-K1")
    assert total["actuals"]["2022"]["value"] == 4500  # 1,200 + 3,300
    assert {c["department"]: c["value"]["value"] for c in total["contributions"]["2022"]} == {
        "商工労働部": 1200, "土木部": 3300}
    progress = progress_of(snapshot, "P03-M1", 2022, "商工労働部")
    assert progress is not None
    assert (progress["status"], progress["record"], progress["issues"]) == (
        "概ね順調", "説明会を3回開催\n参加者120社", "=人手不足")
    assert count(hq, "audit_entry") == count(hq, "merge_change")  # each change audited once


def test_same_file_twice_changes_nothing_the_second_time(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(dept_db, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}})
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    first = merge(hq, path, backup_dir=tmp_path / "b")
    assert [len(f.preview.changes) for f in first.files] == [1]
    after_first = dump(hq)
    second = merge(hq, path, backup_dir=tmp_path / "b")
    assert second.files[0].outcome == "duplicate"
    assert second.files[0].preview.duplicate_of is not None
    assert second.exit_code == 0
    assert dump(hq) == after_first


def test_same_content_saved_again_counts_as_the_same_return(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(dept_db, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}})
    resaved = tmp_path / "resaved.xlsx"  # other bytes (stored, not deflated), same content
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(resaved, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_STORED)
    assert resaved.read_bytes() != path.read_bytes()
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    merge(hq, path, backup_dir=tmp_path / "b")
    assert merge(hq, resaved, backup_dir=tmp_path / "b").files[0].outcome == "duplicate"


def test_older_return_after_a_newer_one_is_stale_unless_forced(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    old = fill(export(dept_db, "土木部", 2022, tmp_path / "old.xlsx"),
               kpis={"P03-K2": {"actual": 21}})
    new = fill(export(dept_db, "土木部", 2022, tmp_path / "new.xlsx"),
               kpis={"P03-K2": {"actual": 22}})
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    assert merge(hq, new, backup_dir=tmp_path / "b").exit_code == 0
    before = plan_dump(hq)
    refused = merge(hq, old, backup_dir=tmp_path / "b")
    assert refused.exit_code == 1
    assert refused.files[0].preview.stale_against is not None
    assert "--force" in str(refused.files[0].preview.errors[0])
    assert plan_dump(hq) == before  # only the refused file is remembered
    forced = merge(hq, old, force=True, backup_dir=tmp_path / "b")
    assert forced.files[0].outcome == "merged"
    assert "--force" in str(forced.files[0].preview.warnings[0])
    # The newer return changed the figure after the older one was exported: a conflict.
    assert [(c.base, c.theirs, c.ours) for c in forced.waiting] == [(None, "21", "22")]
    assert forced.exit_code == 3
    taken = merge(hq, old, force=True, take="theirs", backup_dir=tmp_path / "b")
    assert taken.exit_code == 0
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 21


def test_undo_restores_the_plan_exactly(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(dept_db, "商工労働部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K1": {"actual": 39, "note": "確定値"}, "P01-K1": {"actual": 10}},
                measures={"P03-M1": {"status": "順調", "record": "実施"}},
                proposals=[{"kpi_code": "P03-K1", "fiscal_year": "令和5年度", "value": 46,
                            "reason": "上方修正"}])
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    with open_database(hq) as db:
        set_progress(db, "P03-M1", 2022, "商工労働部", issues="本部で記入")
    before = show(hq)
    assert merge(hq, path, backup_dir=tmp_path / "b").exit_code == 0
    assert count(hq, "revision_proposal") == 1
    assert show(hq) != before
    with open_database(hq) as db:
        result = undo_last_merge(db)
    assert result.restored > 0
    assert show(hq) == before
    assert count(hq, "revision_proposal") == 0
    with open_database(hq) as db, db.read() as session:
        assert [i.state for i in list_imports(session)] == ["undone"]
        with pytest.raises(UndoRefused):
            undo_last_merge(db)
    # An undone return may be merged again.
    assert merge(hq, path, backup_dir=tmp_path / "b").files[0].outcome == "merged"


def test_undo_refuses_when_a_field_was_changed_since(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(dept_db, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}})
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    merge(hq, path, backup_dir=tmp_path / "b")
    with open_database(hq) as db:
        set_actual(db, "P03-K2", 2022, "28")
    before = dump(hq)
    with open_database(hq) as db, pytest.raises(UndoRefused) as refused:
        undo_last_merge(db)
    assert "P03-K2" in str(refused.value) and "28" in str(refused.value)
    assert dump(hq) == before


def test_a_backup_is_taken_before_the_first_write_and_rotated(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    backups = tmp_path / "backups"
    for value in range(23):
        path = fill(export(dept_db, "土木部", 2022, tmp_path / f"r{value}.xlsx"),
                    kpis={"P03-K2": {"actual": value}})
        report = merge(hq, path, backup_dir=backups)
        assert report.backup_path is not None and report.backup_path.exists()
    kept = merge_backups(backups, hq)
    assert len(kept) == 20
    assert dump(kept[-1]) != dump(hq)  # taken before the last merge wrote


def test_dry_run_writes_nothing_and_takes_no_backup(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(dept_db, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}})
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    before = dump(hq)
    report = merge(hq, path, dry_run=True, backup_dir=tmp_path / "b")
    assert report.exit_code == 0 and report.backup_path is None
    change = report.files[0].preview.changes[0]
    assert (change.item_code, change.field, change.old, change.new) == (
        "P03-K2", "actual", None, "26")
    assert dump(hq) == before
    assert not (tmp_path / "b").exists()


def test_progress_callback_sees_every_file(template_db, tmp_path):
    dept_db = copy_db(template_db, tmp_path / "dept.sqlite3")
    files = [export(dept_db, d, 2022, tmp_path / f"{d}.xlsx") for d in ("土木部", "企業局")]
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    seen: list[tuple[int, int, str]] = []
    merge(hq, *files, backup_dir=tmp_path / "b",
          progress=lambda done, total, name: seen.append((done, total, name)))
    assert seen == [(0, 2, "土木部.xlsx"), (1, 2, "企業局.xlsx"), (2, 2, "")]
