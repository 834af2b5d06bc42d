"""Optimistic locking: a save made from what a form loaded earlier is refused when someone
else changed the row since (a form elsewhere, the command line, a merge), with a message naming
who and when and the value the row has now; nothing is written. Both engines, and on a server
two real connections at once."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from dxtracker.figures import entry
from dxtracker.figures.entry import set_actual, set_actual_in, set_progress
from dxtracker.plan import edit_kpis, edit_measures, edit_projects
from dxtracker.plan.item_versions import item_versions
from dxtracker.returns.apply import merge_returns
from dxtracker.store import audit
from dxtracker.store.changes import change_mark, changed_since
from dxtracker.store.connect import open_database
from dxtracker.store.copy import copy_whole_database
from dxtracker.store.db import Database
from dxtracker.store.models import AuditEntry, KpiActual, MeasureProgress
from dxtracker.store.row_versions import RowChanged
from tests.core.test_merge_support import export, fill
from tests.core.test_server_merge import in_thread, wait_until, waiting_for_a_lock
from tests.helpers import stored_actual

FY = 2022
DEPT = "商工労働部"  # reports P01-K1 and is responsible for P01-M1 (seed)


def as_user(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Who the next writes are recorded as (the row's updated_by and the audit log)."""
    for module in (entry, audit):
        monkeypatch.setattr(module, "current_user", lambda: name)


def actual_version(db: Database, kpi: str = "P01-K1") -> int:
    """What the form loads: the row's version, 0 while there is no row."""
    with db.read() as session:
        row = session.scalar(select(KpiActual).where(
            KpiActual.fiscal_year == FY, KpiActual.kpi.has(code=kpi),
            KpiActual.department.has(name=DEPT)))
        return row.version if row else 0


def audit_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_second_save_of_the_same_actual_is_refused_naming_who_and_when(db, monkeypatch):
    set_actual(db, "P01-K1", FY, "10", department=DEPT)
    loaded = actual_version(db)  # A and B both load the form now
    as_user(monkeypatch, "tanaka")
    saved = set_actual(db, "P01-K1", FY, "11", department=DEPT, expected_version=loaded)
    assert saved.version == loaded + 1 == actual_version(db)
    as_user(monkeypatch, "suzuki")
    entries = audit_count(db)
    with pytest.raises(RowChanged) as refused:
        set_actual(db, "P01-K1", FY, "12", department=DEPT, expected_version=loaded)
    message = refused.value.message("ja")
    assert "tanaka" in message and "11" in message
    assert f"{datetime.now():%Y-%m-%d}" in message
    assert "tanaka" in refused.value.message_en and "not saved" in refused.value.message_en
    assert stored_actual(db, "P01-K1", DEPT, FY) == "11"
    assert audit_count(db) == entries  # nothing written, not even the audit entry
    # Saving from the new version works.
    assert set_actual(db, "P01-K1", FY, "12", department=DEPT,
                      expected_version=saved.version).new_value == "12"


def test_two_people_adding_the_first_figure_the_second_is_refused(db, monkeypatch):
    assert actual_version(db) == 0
    as_user(monkeypatch, "tanaka")
    set_actual(db, "P01-K1", FY, "5", department=DEPT, expected_version=0)
    with pytest.raises(RowChanged, match="tanaka"):
        set_actual(db, "P01-K1", FY, "6", department=DEPT, expected_version=0)
    assert stored_actual(db, "P01-K1", DEPT, FY) == "5"


def test_progress_notes_are_locked_too(db, monkeypatch):
    first = set_progress(db, "P01-M1", FY, DEPT, status="順調", record="初回")
    as_user(monkeypatch, "tanaka")
    set_progress(db, "P01-M1", FY, DEPT, record="田中が追記", expected_version=first.version)
    with pytest.raises(RowChanged) as refused:
        set_progress(db, "P01-M1", FY, DEPT, issues="鈴木の課題", expected_version=first.version)
    assert "tanaka" in refused.value.message("ja") and "田中が追記" in refused.value.message("ja")
    with db.read() as session:
        row = session.scalar(select(MeasureProgress).where(
            MeasureProgress.fiscal_year == FY, MeasureProgress.measure.has(code="P01-M1")))
        assert (row.record, row.issues) == ("田中が追記", "")


def test_a_merge_counts_as_a_change_a_form_must_not_overwrite(db, folder, tmp_path):
    set_actual(db, "P01-K1", FY, "10", department=DEPT)
    loaded = actual_version(db)
    path = fill(export(db.name, DEPT, FY, folder), kpis={"P01-K1": {"actual": "42"}})
    assert merge_returns(db, [path], backup_dir=tmp_path / "b").exit_code == 0
    assert actual_version(db) == loaded + 1  # the bulk UPDATE counted the version up
    with pytest.raises(RowChanged, match="42"):
        set_actual(db, "P01-K1", FY, "13", department=DEPT, expected_version=loaded)


def test_the_plan_editor_form_is_refused_after_a_change_elsewhere(db, monkeypatch):
    with db.read() as session:
        kpi_form = item_versions(session, "kpi", "P03-K2")
        measure_form = item_versions(session, "measure", "P01-M1")
        project_form = item_versions(session, "project", "P01")
    as_user(monkeypatch, "yamada")
    edit_kpis.set_target(db, "P03-K2", 2023, "99", reason="見直し")  # the command line
    with pytest.raises(RowChanged, match="yamada"):
        edit_kpis.edit_kpi(db, "P03-K2", name="鈴木の名称", expected_versions=kpi_form)
    # A change of what hangs off an item (its schedule) counts as a change of the item.
    edit_measures.set_schedule(db, "P01-M1", [edit_measures.ScheduleBox(2022, 2023, "新工程")])
    with pytest.raises(RowChanged, match="yamada"):
        edit_measures.edit_measure(db, "P01-M1", title="鈴木の施策名",
                                   expected_versions=measure_form)
    edit_projects.edit_vision(db, 1, title="山田のビジョン名")  # shown on the project's form
    with pytest.raises(RowChanged):
        edit_projects.edit_project(db, "P01", title="鈴木のプロジェクト名",
                                   expected_versions=project_form)
    with db.read() as session:
        fresh = item_versions(session, "kpi", "P03-K2")
    assert edit_kpis.edit_kpi(db, "P03-K2", name="鈴木の名称", expected_versions=fresh)


def test_a_copy_of_the_database_keeps_the_versions(db, tmp_path):
    for value in ("1", "2", "3"):
        set_actual(db, "P01-K1", FY, value, department=DEPT)
    version = actual_version(db)
    assert version == 3
    copy_whole_database(db.location, tmp_path / "copy.sqlite3")
    with open_database(tmp_path / "copy.sqlite3") as copy:
        assert actual_version(copy) == version


def test_the_change_mark_sees_writes_from_another_connection(db):
    with db.read() as session:
        mark = change_mark(session)
        assert changed_since(session, mark) is None
    with Database(db.location) as other:
        set_actual(other, "P01-K1", FY, "7", department=DEPT)
    with db.read() as session:
        newer = changed_since(session, mark)
        assert newer is not None and changed_since(session, newer) is None


def test_on_a_server_the_second_saver_waits_for_the_first_and_is_refused(pg_url, monkeypatch):
    """Two users, two real connections: both load the actual; A saves (and holds the
    transaction open a moment); B's save waits for A's commit, then is refused."""
    db = open_database(pg_url)
    set_actual(db, "P01-K1", FY, "10", department=DEPT)
    loaded = actual_version(db)
    as_user(monkeypatch, "tanaka")
    with Database(db.location) as a_db, Database(db.location) as b_db:
        with a_db.transaction() as session:
            set_actual_in(session, "P01-K1", FY, "11", department=DEPT,
                          expected_version=loaded)
            thread, outcome = in_thread(lambda: set_actual(
                b_db, "P01-K1", FY, "12", department=DEPT, expected_version=loaded))
            wait_until(lambda: waiting_for_a_lock(db, "transactionid"), "B waits for A's row")
        thread.join(30)
    assert isinstance(outcome.get("error"), RowChanged), outcome
    assert "tanaka" in outcome["error"].message("ja")  # type: ignore[union-attr]
    assert stored_actual(db, "P01-K1", DEPT, FY) == "11"
    db.close()


def test_expected_versions_are_not_needed_by_the_command_line(db: Database):
    """Without a version (the command line, a script) a save works as before."""
    set_actual(db, "P01-K1", FY, "1", department=DEPT)
    assert set_actual(db, "P01-K1", FY, "2", department=DEPT).new_value == "2"
