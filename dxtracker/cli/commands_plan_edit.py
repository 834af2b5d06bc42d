"""`plan` subcommands that edit the plan's items: edit, add, target, schedule, picture.

They join the `plan` group that commands_core creates, which calls `register_plan_subcommands`.
Fields are given as repeated `--set FIELD=VALUE` and passed to `dxtracker.plan.edit*` by name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dxtracker.cli.change_text import blank, change_text, print_target_change
from dxtracker.cli.common import fiscal_year_arg, open_db
from dxtracker.errors import DxTrackerError
from dxtracker.plan.edit_kpis import add_kpi, edit_kpi, set_target, set_target_note
from dxtracker.plan.edit_measures import add_measure, edit_measure, parse_schedule_box, set_schedule
from dxtracker.plan.edit_projects import (
    edit_project,
    edit_vision,
    remove_future_picture_item,
    set_future_picture_item,
)

LIST_FIELDS = {"reporting_departments", "departments", "items", "future_picture"}
BOOL_FIELDS = {"cumulative", "is_new"}
EDITORS: dict[str, Callable[..., dict]] = {
    "vision": edit_vision, "project": edit_project, "kpi": edit_kpi, "measure": edit_measure}


def register_plan_subcommands(plan_sub: argparse._SubParsersAction) -> None:
    """Called by commands_core with the subparsers of `dxtracker plan`."""
    edit = plan_sub.add_parser(
        "edit", help="ビジョン・プロジェクト・指標・施策を編集",
        description="--set FIELD=VALUE を繰り返す。一覧の項目（reporting_departments, "
                    "departments, items, future_picture）は | で区切る。真偽は true/false。")
    edit.add_argument("kind", choices=("vision", "project", "kpi", "measure"))
    edit.add_argument("key", help="ビジョン番号またはコード")
    edit.add_argument("--set", dest="fields", action="append", default=[], metavar="FIELD=VALUE")
    edit.set_defaults(handler=cmd_plan_edit)

    add = plan_sub.add_parser("add", help="指標・施策を追加（公表後は【新】が付く）")
    add.add_argument("kind", choices=("kpi", "measure"))
    add.add_argument("--project", required=True)
    add.add_argument("--set", dest="fields", action="append", default=[], metavar="FIELD=VALUE")
    add.set_defaults(handler=cmd_plan_add)

    target = plan_sub.add_parser("target", help="目標を設定（公表後は理由が必要な修正になる）")
    target.add_argument("--kpi", required=True)
    target.add_argument("--fy", required=True, type=fiscal_year_arg)
    target.add_argument("--value", help="目標値（空文字で消去）")
    target.add_argument("--note", help="目標の注記")
    target.add_argument("--reason", default="")
    target.set_defaults(handler=cmd_plan_target)

    _register_schedule_and_picture(plan_sub)


def _register_schedule_and_picture(plan_sub: argparse._SubParsersAction) -> None:
    schedule = plan_sub.add_parser("schedule", help="施策の工程を置き換える")
    schedule.add_argument("--measure", required=True)
    schedule.add_argument("--box", action="append", default=[], metavar="FROM-TO:TEXT",
                          help="e.g. 2022-2023:導入 (年度は R4 なども可)")
    schedule.set_defaults(handler=cmd_plan_schedule)

    picture = plan_sub.add_parser("picture", help="概ね3年後の姿を編集")
    picture.add_argument("--project", required=True)
    picture.add_argument("--number", type=int, help="番号（省略時は追加）")
    picture.add_argument("--text", help="内容")
    picture.add_argument("--remove", action="store_true", help="--number の項目を削除")
    picture.set_defaults(handler=cmd_plan_picture)


def _fields(pairs: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise DxTrackerError(f"--set は FIELD=VALUE の形で指定してください: {pair}",
                                 f"--set takes FIELD=VALUE: {pair}")
        name = name.strip()
        if name in LIST_FIELDS:
            fields[name] = [v.strip() for v in value.split("|") if v.strip()]
        elif name in BOOL_FIELDS:
            fields[name] = value.strip().lower() in ("true", "1", "yes", "はい")
        else:
            fields[name] = value
    return fields


def _call_edit(function: Callable[..., Any], *args: Any, fields: dict[str, Any]) -> Any:
    try:
        return function(*args, **fields)
    except TypeError as exc:  # an unknown field name
        raise DxTrackerError(f"編集できない項目があります: {exc}") from exc


def cmd_plan_edit(args: argparse.Namespace) -> int:
    fields = _fields(args.fields)
    with open_db(args) as db:
        key = int(args.key) if args.kind == "vision" else args.key
        if args.kind == "project" and "vision_number" in fields:
            fields["vision_number"] = int(fields["vision_number"])
        done = _call_edit(EDITORS[args.kind], db, key, fields=fields)
    if not done:
        print("変更はありません。")
    for name, (old, new) in done.items():
        print(f"{args.key} {name}: {change_text(old, new)}")
    return 0


def cmd_plan_add(args: argparse.Namespace) -> int:
    fields = _fields(args.fields)
    with open_db(args) as db:
        if args.kind == "kpi":
            name = fields.pop("name", "")
            code = _call_edit(add_kpi, db, args.project, name, fields=fields)
        else:
            title = fields.pop("title", "")
            code = _call_edit(add_measure, db, args.project, title, fields=fields)
    print(f"追加しました: {code}")
    return 0


def cmd_plan_target(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.value is not None:
            print_target_change(set_target(db, args.kpi, args.fy, args.value,
                                           reason=args.reason))
        if args.note is not None:
            set_target_note(db, args.kpi, args.fy, args.note)
            print(f"{args.kpi} {args.fy}年度 注記: {blank(args.note)}")
    return 0


def cmd_plan_schedule(args: argparse.Namespace) -> int:
    boxes = [parse_schedule_box(box) for box in args.box]
    with open_db(args) as db:
        set_schedule(db, args.measure, boxes)
    print(f"{args.measure} の工程を {len(boxes)} 件にしました。")
    return 0


def cmd_plan_picture(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.remove:
            if args.number is None:
                raise DxTrackerError("--remove には --number が必要です。")
            remove_future_picture_item(db, args.project, args.number)
            print(f"{args.project} の概ね3年後の姿 ({args.number}) を削除しました。")
            return 0
        number = set_future_picture_item(db, args.project, args.number, args.text or "")
    print(f"{args.project} の概ね3年後の姿 ({number}) を保存しました。")
    return 0
