"""`db copy` (a whole database, SQLite ⇄ PostgreSQL) and `db upgrade` (the schema, explicitly:
on a server, run by the database's owner)."""

from __future__ import annotations

import argparse

from dxtracker.cli.common import command_group, db_location
from dxtracker.store import schema
from dxtracker.store.connect import open_database
from dxtracker.store.copy import copy_whole_database


def register(subparsers: argparse._SubParsersAction) -> None:
    db_sub = command_group(subparsers, "db", help="データベース全体の操作（コピー、スキーマ更新）")
    copy = db_sub.add_parser(
        "copy", help="データベース全体を別の場所へコピー（SQLiteファイル ⇄ PostgreSQLサーバー）")
    copy.add_argument("source", metavar="SOURCE", help="コピー元（ファイルのパスまたはURL）")
    copy.add_argument("target", metavar="TARGET",
                      help="コピー先（ファイルのパス、または空のデータベースのURL）")
    copy.add_argument("--force", action="store_true",
                      help="コピー先のDX Trackerデータベースを置き換える（内容は失われます）")
    copy.set_defaults(handler=cmd_db_copy)
    upgrade = db_sub.add_parser("upgrade", help="スキーマを最新の版に更新（--db のデータベース）")
    upgrade.set_defaults(handler=cmd_db_upgrade)


def cmd_db_copy(args: argparse.Namespace) -> int:
    result = copy_whole_database(args.source, args.target, force=args.force)
    for table, rows in result.rows.items():
        print(f"  {table}: {rows:,}行")
    print(f"コピーしました: {result.source} → {result.target}"
          f"（{len(result.rows)}表、{sum(result.rows.values()):,}行、行数を照合済み）")
    if result.not_copied:
        print(f"注意: DX Tracker以外の表はコピーしていません: {', '.join(result.not_copied)}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    with open_database(db_location(args)) as db:  # opening upgrades an older schema, or refuses
        name = db.name
    print(f"スキーマ版 {schema.SCHEMA_VERSION}（最新）: {name}")
    return 0
