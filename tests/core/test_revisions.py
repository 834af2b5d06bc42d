"""Editions, target revisions and proposals from departments."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from dxtracker.cli import main
from dxtracker.figures.format import format_value
from dxtracker.figures.kpi_figures import original_target, target_of
from dxtracker.figures.parse import ValueParseError
from dxtracker.plan.proposals import (
    ProposalRejected,
    accept_proposal,
    list_proposals,
    reject_proposal,
)
from dxtracker.plan.revisions import (
    RevisionRejected,
    current_edition,
    edition_for_changes,
    list_editions,
    list_revisions,
    publish_edition,
    revise_target,
)
from dxtracker.plan.snapshot import plan_snapshot
from dxtracker.returns.apply import merge_returns
from dxtracker.store.connect import open_database
from dxtracker.store.lookup import find_department, find_kpi, get_plan
from dxtracker.store.models import AuditEntry, MergeRun, ReturnImport, RevisionProposal
from tests.core.test_merge_support import copy_db, export, fill, kpi, show
from tests.helpers import dump


def snapshot_kpi(db, code: str) -> dict:
    with db.read() as session:
        snapshot = plan_snapshot(session)
    return next(k for p in snapshot["projects"] for k in p["kpis"] if k["code"] == code)


def test_the_seed_is_a_published_edition_and_changes_go_to_the_next(db):
    with db.read() as session:
        edition = current_edition(session)
        assert (edition.number, edition.published) == (2, True)
        assert edition_for_changes(session) == 3


def test_revision_keeps_the_old_value_and_shows_in_plan_show_json(db, db_path, capsys):
    change = revise_target(db, "P03-K1", 2023, "４６％", "実績が目標を上回ったため", source="form")
    assert change.revised and (change.old_value, change.new_value) == ("44", "46")
    assert change.edition == 3
    revisions = snapshot_kpi(db, "P03-K1")["revisions"]
    assert revisions == [{
        "fiscal_year": 2023,
        "old_value": {"display": "44", "kind": "number", "value": 44, "approximate": False},
        "new_value": {"display": "46", "kind": "number", "value": 46, "approximate": False},
        "date": date.today().isoformat(), "reason": "実績が目標を上回ったため", "edition": 3,
    }]
    capsys.readouterr()
    assert main(["--db", str(db_path), "plan", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    kpi = next(k for p in shown["projects"] for k in p["kpis"] if k["code"] == "P03-K1")
    assert kpi["targets"]["2023"]["value"] == 46
    assert kpi["revisions"][0]["old_value"]["value"] == 44
    # and the text report says so in words, not only in colour
    assert main(["--db", str(db_path), "plan", "show", "--fy", "2023"]) == 0
    assert "46（44からの修正）" in capsys.readouterr().out.replace("目標", "")


def test_revisions_chain_and_the_original_target_stays(db):
    revise_target(db, "P01-K3", 2023, "13,000", "第1回")
    revise_target(db, "P01-K3", 2023, "14,000", "第2回")
    with db.read() as session:
        kpi = find_kpi(session, "P01-K3")
        assert format_value(target_of(kpi, 2023)) == "14,000"
        assert format_value(original_target(kpi, 2023)) == "10,000"  # as first published
        rows = [r for r in list_revisions(session, "P01-K3") if r.fiscal_year == 2023]
    assert [(r.old_value, r.new_value, r.edition) for r in rows] == [
        ("10,000", "12,000", 2), ("12,000", "13,000", 3), ("13,000", "14,000", 3)]


def test_a_word_target_and_an_unchanged_value(db):
    change = revise_target(db, "P01-K2", 2023, "全業務", "同じ")
    assert not change.changed and not change.revised
    change = revise_target(db, "P01-K2", 2023, "９割以上の業務", "範囲を明確化")
    assert change.revised and change.new_value == "９割以上の業務"


def test_a_bad_value_a_missing_reason_or_a_year_outside_writes_nothing(db, db_path):
    before = dump(db_path)
    with pytest.raises(ValueParseError):
        revise_target(db, "P03-K1", 2023, "50件", "単位違い")
    with pytest.raises(RevisionRejected, match="理由"):
        revise_target(db, "P03-K1", 2023, "50", "  ")
    with pytest.raises(RevisionRejected, match="計画期間"):
        revise_target(db, "P03-K1", 2030, "50", "範囲外")
    assert dump(db_path) == before


def test_a_year_without_a_target_gets_one_without_a_revision(db):
    change = revise_target(db, "P06-K4", 2022, "500", "中間目標を追加")
    assert change.changed and not change.revised
    assert snapshot_kpi(db, "P06-K4")["revisions"] == []


def test_publish_makes_the_next_edition_current(db):
    revise_target(db, "P03-K1", 2023, "46", "上方修正")
    edition = publish_edition(db, "令和5年度改定", published_on=date(2023, 6, 1))
    assert (edition.number, edition.label, edition.published) == (3, "令和5年度改定", True)
    with db.read() as session:
        assert get_plan(session).edition == 3
        assert get_plan(session).edition_label == "令和5年度改定"
        assert [e.number for e in list_editions(session)] == [2, 3]
        assert edition_for_changes(session) == 4
    assert revise_target(db, "P03-K1", 2023, "47", "再修正").edition == 4
    with pytest.raises(RevisionRejected):
        publish_edition(db, " ")


def test_cli_revise_revisions_and_publish(db_path, capsys):
    base = ["--db", str(db_path), "plan"]
    assert main([*base, "revise", "--kpi", "p03-k1", "--fy", "R5", "--value", "46",
                 "--reason", "上方修正"]) == 0
    assert "44 → 46" in capsys.readouterr().out
    assert main([*base, "revisions", "--kpi", "P03-K1"]) == 0
    assert "上方修正" in capsys.readouterr().out
    assert main([*base, "revise", "--kpi", "P03-K1", "--fy", "R5", "--value", "50件",
                 "--reason", "x"]) == 1
    assert "50件" in capsys.readouterr().err
    assert main([*base, "publish", "--label", "令和5年度改定"]) == 0
    assert main([*base, "editions"]) == 0
    assert "第3版 令和5年度改定" in capsys.readouterr().out


# --------------------------------------------------------------------------- proposals


@pytest.fixture
def proposal_ids(db) -> list[int]:
    """Two pending proposals, as the merge of a return stores them."""
    with db.transaction() as session:
        dept = find_department(session, "商工労働部")
        run = MergeRun(started_at=datetime(2023, 5, 1), user="hq")
        imported = ReturnImport(run=run, file_name="商工労働部_R4.xlsx", sha256="0" * 64,
                                content_sha256="1" * 64, department=dept, fiscal_year=2022,
                                exported_at=datetime(2023, 4, 20),
                                imported_at=datetime(2023, 5, 1))
        session.add(imported)
        session.flush()
        rows = [RevisionProposal(import_id=imported.id, kpi=find_kpi(session, code),
                                 fiscal_year=2023, department=dept, value=value,
                                 reason=reason, proposed_at=datetime(2023, 5, 1))
                for code, value, reason in (("P03-K1", "48", "前倒しで達成見込み"),
                                            ("P03-K3", "12件", ""))]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def test_accepting_a_proposal_makes_a_revision(db, proposal_ids):
    with db.read() as session:
        pending = list_proposals(session, "pending")
    assert [(p.kpi_code, p.value, p.current_target) for p in pending] == [
        ("P03-K1", "48", "44"), ("P03-K3", "12件", "10")]
    change = accept_proposal(db, proposal_ids[0], note="了承", source="form")
    assert change.revised and (change.old_value, change.new_value) == ("44", "48")
    revision = snapshot_kpi(db, "P03-K1")["revisions"][-1]
    assert revision["reason"] == "前倒しで達成見込み" and revision["edition"] == 3
    with db.read() as session:
        proposal = session.get(RevisionProposal, proposal_ids[0])
        assert (proposal.status, proposal.decision_note) == ("accepted", "了承")
        assert proposal.decided_at is not None
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "proposal")).all()
        assert [(a.old_value, a.new_value, a.source) for a in audit] == [
            ("pending", "accepted", "form")]
    with pytest.raises(ProposalRejected, match="決定済み"):
        reject_proposal(db, proposal_ids[0], "やはり却下")


def test_rejecting_needs_a_reason_and_keeps_the_target(db, proposal_ids):
    with pytest.raises(ProposalRejected, match="理由"):
        reject_proposal(db, proposal_ids[1], "")
    reject_proposal(db, proposal_ids[1], "根拠資料が不足")
    with db.read() as session:
        proposal = session.get(RevisionProposal, proposal_ids[1])
        assert (proposal.status, proposal.decision_note) == ("rejected", "根拠資料が不足")
        assert format_value(target_of(find_kpi(session, "P03-K3"), 2023)) == "10"
        assert [p.id for p in list_proposals(session, "rejected")] == [proposal_ids[1]]


def test_cli_proposal_list_accept_reject(db_path, proposal_ids, capsys):
    base = ["--db", str(db_path), "proposal"]
    assert main([*base, "list", "--status", "pending"]) == 0
    out = capsys.readouterr().out
    assert f"#{proposal_ids[0]}" in out and "44 → 48" in out
    assert main([*base, "accept", str(proposal_ids[0])]) == 0
    assert "44 → 48" in capsys.readouterr().out
    assert main([*base, "reject", str(proposal_ids[1]), "--reason", "根拠が不足"]) == 0
    assert main([*base, "accept", "999"]) == 1
    assert main([*base, "list"]) == 0
    out = capsys.readouterr().out
    assert "[accepted]" in out and "[rejected]" in out


def test_a_proposal_from_a_merged_return_becomes_a_revision(template_db, tmp_path):
    # End to end with the return merge: export, fill in the proposal sheet, merge, accept.
    department = copy_db(template_db, tmp_path / "dept.sqlite3")
    path = fill(export(department, "商工労働部", 2022, tmp_path / "r.xlsx"),
                proposals=[{"kpi_code": "P03-K1", "fiscal_year": "令和5年度", "value": 46,
                            "reason": "前倒しで達成見込み"}])
    headquarters = copy_db(template_db, tmp_path / "hq.sqlite3")
    with open_database(headquarters) as db:
        assert merge_returns(db, [path], backup_dir=tmp_path / "b").exit_code == 0
        with db.read() as session:
            [proposal] = list_proposals(session, "pending")
        assert (proposal.kpi_code, proposal.value, proposal.file_name) == ("P03-K1", "46",
                                                                           "r.xlsx")
        change = accept_proposal(db, proposal.id)
    assert change.revised and (change.old_value, change.new_value) == ("44", "46")
    revision = kpi(show(headquarters), "P03-K1")["revisions"][-1]
    assert revision["reason"] == "前倒しで達成見込み"
