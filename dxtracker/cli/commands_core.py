"""init, plan show, actual set, progress set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dxtracker.cli import commands_plan_admin, commands_plan_edit, commands_plan_remove
from dxtracker.cli.common import command_group, db_location, fiscal_year_arg, open_db
from dxtracker.cli.plan_text import print_plan
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan.bootstrap import create_database
from dxtracker.plan.snapshot import plan_snapshot
from dxtracker.store.models import STATUSES


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help="データベースを作成（既定の計画を読み込む）")
    init.add_argument("--plan", type=Path, help="計画ファイル (JSON; default: the embedded plan)")
    init.add_argument("--force", action="store_true", help="既存のデータベースを作り直す")
    init.set_defaults(handler=cmd_init)

    plan_sub = command_group(subparsers, "plan", help="計画の表示")
    show = plan_sub.add_parser("show", help="計画と進捗を表示")
    show.add_argument("--json", action="store_true", help="JSONで出力（README参照）")
    show.add_argument("--fy", type=fiscal_year_arg, help="表示する年度（テキスト表示のみ）")
    show.set_defaults(handler=cmd_plan_show)
    commands_plan_admin.register_plan_subcommands(plan_sub)  # export, import, revise, …
    commands_plan_edit.register_plan_subcommands(plan_sub)  # edit, add, target, …
    commands_plan_remove.register_plan_subcommands(plan_sub)  # delete, retire, …

    actual_sub = command_group(subparsers, "actual", help="指標の実績")
    aset = actual_sub.add_parser("set", help="実績を入力")
    aset.add_argument("--kpi", required=True, help="指標コード (e.g. P01-K1)")
    aset.add_argument("--fy", required=True, type=fiscal_year_arg, help="年度 (2022, R4, 令和4年度)")
    aset.add_argument("--value", required=True, help="実績値 (e.g. １，２３４件; 空文字で消去)")
    aset.add_argument("--dept", help="部局（複数部局で報告する指標では必須）")
    aset.add_argument("--note", help="備考")
    aset.set_defaults(handler=cmd_actual_set)

    progress_sub = command_group(subparsers, "progress", help="施策の進捗")
    pset = progress_sub.add_parser("set", help="進捗を入力")
    pset.add_argument("--measure", required=True, help="施策コード (e.g. P01-M1)")
    pset.add_argument("--fy", required=True, type=fiscal_year_arg)
    pset.add_argument("--dept", required=True, help="部局")
    pset.add_argument("--status", choices=STATUSES, help="進捗状況")
    pset.add_argument("--record", help="取組実績")
    pset.add_argument("--issues", help="課題")
    pset.add_argument("--policy", help="今後の対応方針")
    pset.set_defaults(handler=cmd_progress_set)


def cmd_init(args: argparse.Namespace) -> int:
    location = db_location(args)
    create_database(location, args.plan, force=args.force).close()
    print(f"データベースを作成しました: {location}")
    return 0


def cmd_plan_show(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        snapshot = plan_snapshot(session)
    if args.json:
        print(json.dumps(snapshot, ensure_ascii=False, indent=2))
    else:
        print_plan(snapshot, args.fy)
    return 0


def cmd_actual_set(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        change = set_actual(db, args.kpi, args.fy, args.value, department=args.dept,
                            note=args.note)
    print(f"{change.kpi_code} {change.fiscal_year} {change.department}: "
          f"{change.old_value or '（空欄）'} → {change.new_value or '（空欄）'}")
    return 0


def cmd_progress_set(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        change = set_progress(db, args.measure, args.fy, args.dept, status=args.status,
                              record=args.record, issues=args.issues, next_policy=args.policy)
    if not change.changes:
        print("変更はありません。")
    for field, (old, new) in change.changes.items():
        print(f"{change.measure_code} {change.fiscal_year} {change.department} {field}: "
              f"{old or '（空欄）'} → {new or '（空欄）'}")
    return 0
