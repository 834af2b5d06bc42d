"""`department add | rename | merge | retire | list`: the prefecture's reorganisations.

A renamed department keeps its rows and its name history; a merged one hands its rows to the
surviving department and is retired.
"""

from __future__ import annotations

import argparse

from dxtracker.cli.common import command_group, date_arg, open_db
from dxtracker.plan import departments


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "department", help="部局の追加・名称変更・統合・廃止")
    add = sub.add_parser("add", help="部局を追加")
    add.add_argument("name")
    add.add_argument("--code")
    add.set_defaults(handler=cmd_department_add)
    rename = sub.add_parser("rename", help="部局名を変更（履歴は残る）")
    rename.add_argument("department")
    rename.add_argument("new_name")
    rename.add_argument("--on", type=date_arg, help="新しい名称の開始日 (default: today)")
    rename.set_defaults(handler=cmd_department_rename)
    merge = sub.add_parser("merge", help="部局を統合（統合元は廃止）")
    merge.add_argument("retired", help="統合元")
    merge.add_argument("surviving", help="統合先")
    merge.add_argument("--on", type=date_arg)
    merge.set_defaults(handler=cmd_department_merge)
    retire = sub.add_parser("retire", help="部局を廃止")
    retire.add_argument("department")
    retire.add_argument("--on", type=date_arg)
    retire.set_defaults(handler=cmd_department_retire)
    listing = sub.add_parser("list", help="部局の一覧（名称の履歴つき）")
    listing.set_defaults(handler=cmd_department_list)


def cmd_department_add(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        code = departments.add_department(db, args.name, code=args.code)
    print(f"部局を追加しました: {code} {args.name}")
    return 0


def cmd_department_rename(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        departments.rename_department(db, args.department, args.new_name, on=args.on)
    print(f"部局名を変更しました: {args.department} → {args.new_name}")
    return 0


def cmd_department_merge(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        result = departments.merge_departments(db, args.retired, args.surviving, on=args.on)
    print(f"{result.retired}を{result.surviving}に統合しました（移した行 {result.rows_moved}、"
          f"まとめた行 {result.rows_combined}）。")
    return 0


def cmd_department_retire(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        departments.retire_department(db, args.department, on=args.on)
    print(f"部局を廃止しました: {args.department}")
    return 0


def cmd_department_list(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        rows = departments.list_departments(session)
    for d in rows:
        state = "（廃止）" if d.retired else ""
        merged = f" → {d.merged_into}に統合" if d.merged_into else ""
        former = [n.name for n in d.names if n.name != d.name]
        history = f"  旧名: {'、'.join(former)}" if former else ""
        print(f"{d.code} {d.name}{state}{merged}{history}")
    return 0
