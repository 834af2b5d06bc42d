"""Target revisions proposed by departments in their returns, decided at headquarters.

The merge of returns stores each proposal as a pending `RevisionProposal`; accepting one makes
it a revision through `dxtracker.plan.revisions` (so the old target is kept), rejecting one needs a
reason that the department can be told. A decided proposal cannot be decided again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError, NotFound
from dxtracker.figures.format import format_value
from dxtracker.figures.kpi_figures import target_of
from dxtracker.plan.revisions import TargetChange, revise_target_in
from dxtracker.store.audit import current_user, now, record_change
from dxtracker.store.db import Database
from dxtracker.store.models import PROPOSAL_STATUSES, ReturnImport, RevisionProposal


class ProposalRejected(DxTrackerError):
    """A decision that cannot be taken (already decided, no reason given)."""


@dataclass(frozen=True)
class ProposalRow:
    id: int
    kpi_code: str
    kpi_name: str
    fiscal_year: int
    department: str
    value: str
    current_target: str
    reason: str
    status: str
    proposed_at: datetime
    file_name: str
    decided_at: datetime | None
    decided_by: str
    decision_note: str


def _row(session: Session, p: RevisionProposal) -> ProposalRow:
    source = session.get(ReturnImport, p.import_id)
    return ProposalRow(
        p.id, p.kpi.code, p.kpi.name, p.fiscal_year, p.department.name, p.value,
        format_value(target_of(p.kpi, p.fiscal_year)), p.reason, p.status, p.proposed_at,
        source.file_name if source else "", p.decided_at, p.decided_by, p.decision_note,
    )


def list_proposals(session: Session, status: str | None = None) -> list[ProposalRow]:
    """Proposals, oldest first; `status` one of pending, accepted, rejected (None: all)."""
    query = select(RevisionProposal).order_by(RevisionProposal.id)
    if status is not None:
        if status not in PROPOSAL_STATUSES:
            raise ProposalRejected(f"状態は {' / '.join(PROPOSAL_STATUSES)} のいずれかです。",
                                   f"Status must be one of {', '.join(PROPOSAL_STATUSES)}.")
        query = query.where(RevisionProposal.status == status)
    return [_row(session, p) for p in session.scalars(query)]


def _pending(session: Session, proposal_id: int) -> RevisionProposal:
    proposal = session.get(RevisionProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"修正提案 {proposal_id} はありません。`dxtracker proposal list` で番号を確かめてください。",
                       f"No proposal {proposal_id}.")
    if proposal.status != "pending":
        raise ProposalRejected(
            f"修正提案 {proposal_id} はすでに決定済みです（{proposal.status}、{proposal.decided_by}）。",
            f"Proposal {proposal_id} was already decided ({proposal.status}).")
    return proposal


def _decide(session: Session, proposal: RevisionProposal, status: str, note: str,
            source: str) -> None:
    record_change(session, source=source, entity="proposal", entity_code=str(proposal.id),
                  field="status", old=proposal.status, new=status,
                  department=proposal.department.name, reason=note)
    proposal.status, proposal.decision_note = status, note
    proposal.decided_at, proposal.decided_by = now(), current_user()


def accept_proposal(db: Database, proposal_id: int, *, note: str = "",
                    source: str = "cli") -> TargetChange:
    """Accept: the proposed value becomes the target, as a revision once published."""
    with db.transaction() as session:
        proposal = _pending(session, proposal_id)
        reason = proposal.reason.strip() or f"{proposal.department.name}からの修正提案"
        change = revise_target_in(session, proposal.kpi.code, proposal.fiscal_year,
                                  proposal.value, reason, source=source,
                                  source_detail=f"proposal {proposal.id}")
        _decide(session, proposal, "accepted", note.strip(), source)
        return change


def reject_proposal(db: Database, proposal_id: int, reason: str, *,
                    source: str = "cli") -> None:
    if not reason or not reason.strip():
        raise ProposalRejected("却下の理由を入力してください（部局へ伝えます）。",
                               "Give a reason for the rejection (the department is told).")
    with db.transaction() as session:
        _decide(session, _pending(session, proposal_id), "rejected", reason.strip(), source)
