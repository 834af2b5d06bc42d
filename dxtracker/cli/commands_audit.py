"""`audit list`: the change log shown, filtered, or written to Excel or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dxtracker.cli.change_text import change_text
from dxtracker.cli.common import command_group, date_arg, open_db
from dxtracker.store import audit_query


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "audit", help="変更履歴（監査ログ）")
    listing = sub.add_parser("list", help="変更履歴を表示・絞り込み・Excelに出力")
    for option, help_text in (("--user", "利用者"), ("--dept", "部局"),
                              ("--source", "form/cli/return/import"),
                              ("--entity", "kpi, target, revision, kpi_actual, …"),
                              ("--code", "コードの一部"), ("--text", "内容の一部")):
        listing.add_argument(option, default="", help=help_text)
    listing.add_argument("--since", type=date_arg)
    listing.add_argument("--until", type=date_arg)
    listing.add_argument("--limit", type=int, default=audit_query.DEFAULT_LIMIT)
    listing.add_argument("--export", type=Path, metavar="FILE.xlsx")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_audit_list)


def cmd_audit_list(args: argparse.Namespace) -> int:
    criteria = audit_query.AuditFilter(
        user=args.user, department=args.dept, source=args.source, entity=args.entity,
        code=args.code, text=args.text, since=args.since, until=args.until)
    with open_db(args) as db, db.read() as session:
        rows = audit_query.query_audit(session, criteria, limit=args.limit)
    if args.export:
        audit_query.export_audit(rows, args.export)
        print(f"{len(rows)} 件を書き出しました: {args.export}")
    elif args.json:
        print(json.dumps([{k: getattr(r, k) for k, _ in audit_query.COLUMNS} for r in rows],
                         ensure_ascii=False, indent=2, default=str))
    else:
        for r in rows:
            print(f"{r.at:%Y-%m-%d %H:%M:%S} {r.user} [{r.source}] {r.entity} {r.entity_code} "
                  f"{r.field}: {change_text(r.old_value, r.new_value)}"
                  + (f"  理由: {r.reason}" if r.reason else ""))
    return 0
