"""`server setup`: the roles, privileges and row-level security of a database on a PostgreSQL
server (dxtracker/store/roles.py), run by its administrator."""

from __future__ import annotations

import argparse
import sys

from dxtracker.cli.common import command_group, db_location
from dxtracker.errors import DxTrackerError
from dxtracker.store.connect import open_database
from dxtracker.store.roles import SetupReport, not_a_server, parse_grant, setup_server


def register(subparsers: argparse._SubParsersAction) -> None:
    server_sub = command_group(subparsers, "server", help="サーバーのデータベースの管理（ロールと権限）")
    setup = server_sub.add_parser(
        "setup", help="部局ごとのロール・権限・行単位のセキュリティを作成（何度実行してもよい）",
        description="--db のPostgreSQLデータベースに、本部と部局ごとのロール、権限、行単位の"
                    "セキュリティのポリシーを作成し、したことを表示します。CREATEROLE を持つ、"
                    "表の所有者（init を実行した管理者）が実行します。")
    setup.add_argument("--grant", action="append", default=[], metavar="USER=DEPT",
                       help="ログインロール USER に部局 DEPT（コードか名前、または本部 / "
                            "headquarters）の書き込みを許す。繰り返し指定できる")
    setup.add_argument("--lang", choices=("ja", "en"), default="ja",
                       help="表示の言語 (default: ja)")
    setup.set_defaults(handler=cmd_server_setup)


def cmd_server_setup(args: argparse.Namespace) -> int:
    try:
        grants = [parse_grant(given) for given in args.grant]
        location = db_location(args)
        if not location.is_server:  # refused before a file is looked for
            raise not_a_server(location.name)
        with open_database(location) as db:  # an older schema is upgraded first (the owner)
            report = setup_server(db, grants)
    except DxTrackerError as exc:
        prefix = "error" if args.lang == "en" else "エラー"
        print(f"{prefix}: {exc.message(args.lang)}", file=sys.stderr)
        return 1
    print_report(report, args.lang)
    return 0


def print_report(report: SetupReport, language: str) -> None:
    english = language == "en"
    for step in report.steps:
        if english:
            print(f"  {'created      ' if step.created else 'already there'}  {step.en}")
        else:
            print(f"  {'作成' if step.created else '既存'}  {step.ja}")
    made, kept = len(report.created), len(report.steps) - len(report.created)
    if english:
        print(f"server setup of {report.database}: {made} created or changed, "
              f"{kept} already there.")
    else:
        print(f"server setup {report.database}: {made}件を作成・変更、{kept}件は既にありました。")
