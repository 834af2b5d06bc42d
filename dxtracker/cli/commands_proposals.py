"""`proposal list | accept | reject`: target revisions that departments proposed in their
returns, decided on at headquarters (an accepted one becomes a target revision)."""

from __future__ import annotations

import argparse

from dxtracker.cli.change_text import blank, print_target_change
from dxtracker.cli.common import command_group, open_db
from dxtracker.plan import proposals
from dxtracker.store.models import PROPOSAL_STATUSES


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "proposal", help="部局からの目標修正の提案")
    listing = sub.add_parser("list")
    listing.add_argument("--status", choices=PROPOSAL_STATUSES)
    listing.set_defaults(handler=cmd_proposal_list)
    accept = sub.add_parser("accept", help="承認（目標の修正になる）")
    accept.add_argument("id", type=int)
    accept.add_argument("--note", default="")
    accept.set_defaults(handler=cmd_proposal_accept)
    reject = sub.add_parser("reject", help="却下（理由が必要）")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    reject.set_defaults(handler=cmd_proposal_reject)


def cmd_proposal_list(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        rows = proposals.list_proposals(session, args.status)
    if not rows:
        print("修正提案はありません。")
    for p in rows:
        print(f"#{p.id} [{p.status}] {p.kpi_code} {p.fiscal_year}年度 {p.department}: "
              f"{blank(p.current_target)} → {p.value}  理由: {p.reason or '—'}")
    return 0


def cmd_proposal_accept(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        change = proposals.accept_proposal(db, args.id, note=args.note)
    print(f"修正提案 #{args.id} を承認しました。")
    print_target_change(change)
    return 0


def cmd_proposal_reject(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        proposals.reject_proposal(db, args.id, args.reason)
    print(f"修正提案 #{args.id} を却下しました。")
    return 0
