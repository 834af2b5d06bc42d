"""Headquarters' review of a return: the transitions, their audit entries, and the lock that
accepting puts on the department's figures of the year (form entries refused with who and when,
until headquarters reopens the return)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.figures.locks import FiguresLocked
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.export import export_return
from dxtracker.returns.review import ReviewRefused, change_review
from dxtracker.returns.review_info import review_of
from dxtracker.store.audit import current_user
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_department
from dxtracker.store.models import AuditEntry
from tests.core.conftest import RETURN_DEPARTMENT as DEPT
from tests.core.conftest import RETURN_FISCAL_YEAR as FY
from tests.core.test_merge_support import fill
from tests.helpers import stored_actual


def _merged(db: Database, path: Path, backup: Path) -> None:
    # The audit log stamps whole seconds, and here several merges and exports fall in one:
    # the diff cannot tell a change of the export's own second from one after it (diff.py)
    # and would see a conflict; the return's side is the one these tests mean.
    report = merge_returns(db, [path], backup_dir=backup, take="theirs")
    assert report.exit_code == 0, [*(str(e) for f in report.files for e in f.preview.errors),
                                   *report.waiting]


@pytest.fixture
def received(db: Database, exported: Path, tmp_path: Path) -> Database:
    """商工労働部's FY2022 return, filled and merged: 受付."""
    _merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}},
                     measures={"P03-M1": {"status": "順調"}}), tmp_path / "b")
    return db


def state(db: Database, department: str = DEPT, fiscal_year: int = FY) -> str | None:
    with db.read() as session:
        info = review_of(session, find_department(session, department), fiscal_year)
    return info.state if info else None


def review_log(db: Database) -> list[tuple[str, str | None, str | None, str]]:
    with db.read() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value,
                   AuditEntry.reason)
            .where(AuditEntry.entity == "return_review").order_by(AuditEntry.id))]


def test_a_merged_return_is_received_then_reviewed_accepted_and_reopened(received):
    db = received
    assert state(db) == "received"
    assert state(db, "土木部") is None  # nothing merged for it
    change_review(db, DEPT, FY, "start")
    info = change_review(db, DEPT, FY, "accept", reason="確認済み")
    assert (info.state, info.accepted_by) == ("accepted", current_user())
    assert info.accepted_at is not None and info.label() == "承認" and info.label("en") == \
        "accepted"
    with pytest.raises(ReviewRefused, match=r"承認.*再開"):
        change_review(db, DEPT, FY, "send_back", reason="x")
    with pytest.raises(ReviewRefused, match="理由が必要"):
        change_review(db, DEPT, FY, "reopen", reason="  ")
    info = change_review(db, DEPT, FY, "reopen", reason="P03-K3の訂正依頼があったため")
    assert (info.state, info.accepted_at, info.note) == \
        ("under_review", None, "P03-K3の訂正依頼があったため")
    log = review_log(db)
    assert [(f, old, new) for f, old, new, _ in log if f == "state"] == [
        ("state", None, "received"), ("state", "received", "under_review"),
        ("state", "under_review", "accepted"), ("state", "accepted", "under_review")]
    reopened = [entry for entry in log if entry[2] == "under_review"][-1]
    assert reopened[3] == "P03-K3の訂正依頼があったため"  # the reopening is audited with why
    assert any(f == "accepted_at" and new is None for f, _, new, _ in log)


def test_nothing_merged_cannot_be_reviewed(db):
    with pytest.raises(ReviewRefused, match="まだ統合されていません"):
        change_review(db, "土木部", FY, "accept")


def test_send_back_needs_a_reason_and_items_of_the_return(received):
    db = received
    with pytest.raises(ReviewRefused, match="理由が必要"):
        change_review(db, DEPT, FY, "send_back", items={"P03-K3": "単位"})
    with pytest.raises(ReviewRefused, match="P03-K2"):  # 土木部's KPI, not in this return
        change_review(db, DEPT, FY, "send_back", reason="要確認", items={"P03-K2": "x"})
    with pytest.raises(ReviewRefused, match="空欄"):
        change_review(db, DEPT, FY, "send_back", reason="要確認", items={"P03-K3": " "})
    assert state(db) == "received"  # a refused action changes nothing
    info = change_review(db, DEPT, FY, "send_back", reason="数値を確認してください",
                         items={"ｐ０３－Ｋ３": "単位が件ではありません", "P03-M1": "取組実績が空欄"})
    assert info.state == "sent_back" and info.send_backs == 1
    assert [(i.entity, i.item_code, i.reason) for i in info.items] == [
        ("kpi_actual", "P03-K3", "単位が件ではありません"),
        ("measure_progress", "P03-M1", "取組実績が空欄")]
    items = [(f, new, why) for f, _, new, why in review_log(db) if f.startswith("item:")]
    assert items == [("item:P03-K3", "単位が件ではありません", "数値を確認してください"),
                     ("item:P03-M1", "取組実績が空欄", "数値を確認してください")]
    # A sent-back return waits for the department: not accepted by a slip.
    with pytest.raises(ReviewRefused, match="確認を開始"):
        change_review(db, DEPT, FY, "accept")
    # Sending back again replaces the items.
    info = change_review(db, DEPT, FY, "send_back", reason="再度", items={"P03-K3": "再確認"})
    assert [i.item_code for i in info.items] == ["P03-K3"] and info.send_backs == 2


def test_accepted_figures_refuse_form_entries_with_who_and_when(received):
    db = received
    change_review(db, DEPT, FY, "accept")
    accepted = review_of_now(db)
    with pytest.raises(FiguresLocked) as refused:
        set_actual(db, "P03-K3", FY, "130", department=DEPT, source="form")
    message = refused.value.message_ja
    assert f"{accepted.accepted_at:%Y-%m-%d}" in message and current_user() in message
    assert "P03-K3" in message and "再開" in message
    assert "accepted on" in refused.value.message_en
    assert stored_actual(db, "P03-K3", DEPT, FY) == "120"
    with pytest.raises(FiguresLocked):
        set_actual(db, "P03-K3", FY, "120", department=DEPT, note="注記")  # a note too
    with pytest.raises(FiguresLocked, match="P03-M1"):
        set_progress(db, "P03-M1", FY, DEPT, record="追記")
    # The same value again changes nothing and passes; other years and departments are open.
    set_actual(db, "P03-K3", FY, "１２０", department=DEPT)
    set_progress(db, "P03-M1", FY, DEPT, status="順調")
    set_actual(db, "P03-K3", FY - 1, "90", department=DEPT)
    set_actual(db, "P03-K2", FY, "26", department="土木部")
    change_review(db, DEPT, FY, "reopen", reason="訂正")
    set_actual(db, "P03-K3", FY, "130", department=DEPT)
    assert stored_actual(db, "P03-K3", DEPT, FY) == "130"


def review_of_now(db: Database):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return review_of(session, find_department(session, DEPT), FY)


def _fresh(db: Database, folder: Path, name: str, figure: int) -> Path:
    """A return exported now (headquarters' figures as its base), P03-K3 typed into it."""
    with db.read() as session:
        path = export_return(session, DEPT, FY, folder / name)
    return fill(path, kpis={"P03-K3": {"actual": figure}})


def test_a_new_merge_after_a_send_back_or_a_change_under_review_is_received_again(
        received, folder, tmp_path):
    db = received
    change_review(db, DEPT, FY, "send_back", reason="要修正", items={"P03-K3": "誤り"})
    _merged(db, _fresh(db, folder, "fix.xlsx", 12), tmp_path / "b")
    assert state(db) == "received"
    info = review_of_now(db)
    assert info.sent_back_reason == "要修正" and [i.item_code for i in info.items] == ["P03-K3"]
    change_review(db, DEPT, FY, "start")
    _merged(db, _fresh(db, folder, "same.xlsx", 12), tmp_path / "b")
    assert state(db) == "under_review"  # nothing changed: the review goes on
    _merged(db, _fresh(db, folder, "again.xlsx", 13), tmp_path / "b")
    assert state(db) == "received"  # a figure changed under review: to be looked at again
