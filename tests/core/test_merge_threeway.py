"""The three-way rule and conflict decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.threeway import Outcome, three_way
from dxtracker.store.connect import open_database
from tests.core.test_merge_support import copy_db, export, fill, kpi, progress_of, show


@pytest.mark.parametrize(("base", "theirs", "ours", "outcome"), [
    ("1", "1", "1", Outcome.UNCHANGED),
    ("1", "1", "2", Outcome.UNCHANGED),  # only headquarters changed it: keep ours
    ("1", "2", "1", Outcome.CHANGE),
    ("1", "2", "2", Outcome.UNCHANGED),  # the same change on both sides
    ("1", "2", "3", Outcome.CONFLICT),
    ("", "2", "", Outcome.CHANGE),
    ("1", "", "3", Outcome.CONFLICT),
])
def test_three_way_rule(base, theirs, ours, outcome):
    assert three_way(base, theirs, ours) is outcome


@given(st.text(max_size=3), st.text(max_size=3), st.text(max_size=3))
def test_three_way_never_loses_a_one_sided_change(base, theirs, ours):
    outcome = three_way(base, theirs, ours)
    if theirs == base:
        assert outcome is Outcome.UNCHANGED  # nothing of theirs to take
    elif ours == base:
        assert outcome is Outcome.CHANGE
    else:
        assert outcome is (Outcome.UNCHANGED if theirs == ours else Outcome.CONFLICT)


def _conflicting(template_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A return from 土木部 and a headquarters that changed two of its fields since."""
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}, "P08-K1": {"actual": 4400}},
                measures={"P03-M1": {"record": "回答の記入", "status": "順調"}})
    with open_database(hq) as db:
        set_actual(db, "P03-K2", 2022, "24")
        set_progress(db, "P03-M1", 2022, "土木部", record="本部の記入")
    return hq, path


def _merge(hq: Path, path: Path, tmp_path: Path, **options):  # type: ignore[no-untyped-def]
    with open_database(hq) as db:
        return merge_returns(db, [path], backup_dir=tmp_path / "b", **options)


def test_conflicts_are_left_alone_and_the_rest_is_merged(template_db, tmp_path):
    hq, path = _conflicting(template_db, tmp_path)
    report = _merge(hq, path, tmp_path)
    assert report.exit_code == 3
    conflicts = {c.key: (c.base, c.theirs, c.ours) for c in report.waiting}
    assert conflicts == {"P03-K2/2022/D04/actual": (None, "26", "24"),
                         "P03-M1/2022/D04/record": (None, "回答の記入", "本部の記入")}
    snapshot = show(hq)
    assert kpi(snapshot, "P03-K2")["actuals"]["2022"]["value"] == 24
    assert kpi(snapshot, "P08-K1")["actuals"]["2022"]["value"] == 4400
    progress = progress_of(snapshot, "P03-M1", 2022, "土木部")
    assert (progress["record"], progress["status"]) == ("本部の記入", "順調")


def test_merging_again_with_take_theirs_decides_the_conflicts(template_db, tmp_path):
    hq, path = _conflicting(template_db, tmp_path)
    _merge(hq, path, tmp_path)
    report = _merge(hq, path, tmp_path, take="theirs")
    assert report.exit_code == 0
    assert {c.resolution for c in report.files[0].preview.changes} == {"theirs"}
    snapshot = show(hq)
    assert kpi(snapshot, "P03-K2")["actuals"]["2022"]["value"] == 26
    assert progress_of(snapshot, "P03-M1", 2022, "土木部")["record"] == "回答の記入"
    # Settled now: the same return again is a duplicate.
    assert _merge(hq, path, tmp_path).files[0].outcome == "duplicate"


def test_take_ours_settles_without_changing(template_db, tmp_path):
    hq, path = _conflicting(template_db, tmp_path)
    report = _merge(hq, path, tmp_path, take="ours")
    assert report.exit_code == 0
    assert len(report.files[0].preview.resolved) == 2
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 24


def test_decisions_choose_per_conflict(template_db, tmp_path):
    hq, path = _conflicting(template_db, tmp_path)
    report = _merge(hq, path, tmp_path, decisions={"P03-K2/2022/D04/actual": "theirs"})
    assert report.exit_code == 3
    assert [c.key for c in report.waiting] == ["P03-M1/2022/D04/record"]
    snapshot = show(hq)
    assert kpi(snapshot, "P03-K2")["actuals"]["2022"]["value"] == 26
    assert progress_of(snapshot, "P03-M1", 2022, "土木部")["record"] == "本部の記入"


def test_the_same_change_on_both_sides_is_no_conflict(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": "２６件"}})
    with open_database(hq) as db:
        set_actual(db, "P03-K2", 2022, "26")
    report = _merge(hq, path, tmp_path)
    assert report.exit_code == 0
    assert not report.files[0].preview.changes and not report.waiting


def test_conflicts_are_found_across_a_department_rename(template_db, tmp_path):
    # The audit log is searched by the department's names (changes_since): a change made
    # before the rename is logged under the old name, one after it under the new name.
    from dxtracker.plan.departments import rename_department

    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": 26}},
                measures={"P03-M1": {"record": "回答の記入"}})
    with open_database(hq) as db:
        set_actual(db, "P03-K2", 2022, "24")
        rename_department(db, "土木部", "県土整備部", reason="組織改正")
        set_progress(db, "P03-M1", 2022, "県土整備部", record="本部の記入")
    report = _merge(hq, path, tmp_path)
    assert report.exit_code == 3
    assert {c.key for c in report.waiting} == {"P03-K2/2022/D04/actual",
                                               "P03-M1/2022/D04/record"}
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 24
