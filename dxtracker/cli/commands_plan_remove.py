"""`plan references | delete | retire | reinstate {vision|project|kpi|measure} CODE`: removing
an item from the plan. Delete only what nothing refers to (`plan references` says what does);
retire the rest, which keeps it in the history and in past reports.

They join the `plan` group that commands_core creates, which calls `register_plan_subcommands`.
"""

from __future__ import annotations

import argparse

from dxtracker.cli.common import date_arg, open_db
from dxtracker.plan.item_state import KINDS, find_item, item_label
from dxtracker.plan.references import references_in
from dxtracker.plan.removal import delete_item
from dxtracker.plan.retirement import reinstate_item, retire_item


def register_plan_subcommands(plan_sub: argparse._SubParsersAction) -> None:
    """Called by commands_core with the subparsers of `dxtracker plan`."""
    refs = plan_sub.add_parser("references", help="項目を参照しているもの（削除できるか）を表示")
    _item_arguments(refs)
    refs.set_defaults(handler=cmd_plan_references)

    delete = plan_sub.add_parser("delete", help="何からも参照されていない項目を削除")
    _item_arguments(delete)
    delete.add_argument("--reason", default="", help="削除の理由（変更履歴に残る）")
    delete.set_defaults(handler=cmd_plan_delete)

    retire = plan_sub.add_parser(
        "retire", help="項目を廃止（履歴と過去の報告書には残り、新しい回答様式と入力画面から外れる）")
    _item_arguments(retire)
    retire.add_argument("--on", type=date_arg, help="廃止日 (default: today)")
    retire.add_argument("--reason", default="", help="廃止の理由")
    retire.set_defaults(handler=cmd_plan_retire)

    reinstate = plan_sub.add_parser("reinstate", help="廃止した項目を元に戻す")
    _item_arguments(reinstate)
    reinstate.add_argument("--reason", default="")
    reinstate.set_defaults(handler=cmd_plan_reinstate)


def _item_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("code", help="コード（ビジョンは番号）")


def cmd_plan_references(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        row = find_item(session, args.kind, args.code)
        label, refs = item_label(args.kind, row), references_in(session, row)
        retired = row.retired_on
    print(label + (f"（{retired}に廃止）" if retired else ""))
    for ref in refs:
        print(f"  {ref.text()}")
    print("何からも参照されていません。削除できます。" if not refs else
          "参照されているため削除できません。廃止できます（dxtracker plan retire）。")
    return 0


def cmd_plan_delete(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        removed = delete_item(db, args.kind, args.code, reason=args.reason)
    print(f"削除しました: {removed.label}")
    return 0


def cmd_plan_retire(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        items = retire_item(db, args.kind, args.code, on=args.on, reason=args.reason)
    return _done("廃止しました", items)


def cmd_plan_reinstate(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        items = reinstate_item(db, args.kind, args.code, reason=args.reason)
    return _done("元に戻しました", items)


def _done(what: str, items: list[tuple[str, str]]) -> int:
    print(f"{what}: {'、'.join(code for _, code in items)}")
    return 0
