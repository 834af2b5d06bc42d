"""`plan` subcommands about the plan as a whole: export and import as Excel, target revisions,
editions (publish), and the plan period (extend, new-period).

They join the `plan` group that commands_core creates, which calls `register_plan_subcommands`;
editing visions, projects, KPIs and measures is in commands_plan_edit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dxtracker.cli.change_text import change_text, print_target_change
from dxtracker.cli.common import date_arg, db_location, fiscal_year_arg, open_db
from dxtracker.errors import DxTrackerError
from dxtracker.plan import periods, revisions
from dxtracker.plan.excel_read import import_plan
from dxtracker.plan.excel_write import export_plan
from dxtracker.store.location import parse_location

CARRY_CHOICES = ("targets", "schedule", "progress", "baselines", "future_picture")


def register_plan_subcommands(plan_sub: argparse._SubParsersAction) -> None:
    """Called by commands_core with the subparsers of `dxtracker plan`."""
    export = plan_sub.add_parser("export", help="計画全体をExcelの表に書き出す")
    export.add_argument("-o", "--output", required=True, type=Path, help="FILE.xlsx")
    export.set_defaults(handler=cmd_plan_export)

    imp = plan_sub.add_parser("import", help="Excelの表（またはJSONの計画ファイル）から計画を作成")
    imp.add_argument("file", type=Path, help="FILE.xlsx or FILE.json")
    imp.add_argument("--db", dest="new_db", metavar="NEW",
                     help="作成するデータベース（ファイルまたはURL; default: the global --db）")
    imp.add_argument("--force", action="store_true", help="既存のファイルを置き換える")
    imp.set_defaults(handler=cmd_plan_import)

    _register_revisions(plan_sub)
    _register_period(plan_sub)


def _register_revisions(plan_sub: argparse._SubParsersAction) -> None:
    revise = plan_sub.add_parser("revise", help="目標を修正（公表後は修正履歴を残す）")
    revise.add_argument("--kpi", required=True)
    revise.add_argument("--fy", required=True, type=fiscal_year_arg)
    revise.add_argument("--value", required=True, help="新しい目標 (e.g. 12,000 / 90~100 / 半数)")
    revise.add_argument("--reason", required=True, help="修正の理由")
    revise.set_defaults(handler=cmd_plan_revise)

    revs = plan_sub.add_parser("revisions", help="目標の修正履歴")
    revs.add_argument("--kpi", help="指標コード（省略時はすべて）")
    revs.add_argument("--withdraw", type=int, metavar="ID",
                      help="誤って記録した修正を取り下げる（目標は修正前の値に戻る）")
    revs.add_argument("--reason", default="", help="取り下げの理由（--withdraw に必要）")
    revs.set_defaults(handler=cmd_plan_revisions)

    publish = plan_sub.add_parser("publish", help="計画の版を公表する")
    publish.add_argument("--label", required=True, help="版の名称 (e.g. 令和5年度改定)")
    publish.add_argument("--on", type=date_arg, help="公表日 (default: today)")
    publish.set_defaults(handler=cmd_plan_publish)

    editions = plan_sub.add_parser("editions", help="計画の版の一覧")
    editions.set_defaults(handler=cmd_plan_editions)


def _register_period(plan_sub: argparse._SubParsersAction) -> None:
    extend = plan_sub.add_parser("extend", help="計画期間を延長")
    extend.add_argument("--to", required=True, type=fiscal_year_arg, help="最終年度 (e.g. R8)")
    extend.set_defaults(handler=cmd_plan_extend)

    new = plan_sub.add_parser("new-period", help="現在の計画から次期計画のデータベースを作成")
    new.add_argument("--out", required=True, type=Path, help="新しいデータベース")
    new.add_argument("--first", required=True, type=fiscal_year_arg)
    new.add_argument("--last", required=True, type=fiscal_year_arg)
    new.add_argument("--code", default="")
    new.add_argument("--title", default="")
    new.add_argument("--label", default="", help="版の名称")
    new.add_argument("--carry", default="baselines,future_picture",
                     help=f"引き継ぐもの（カンマ区切り）: {','.join(CARRY_CHOICES)}")
    new.add_argument("--force", action="store_true")
    new.set_defaults(handler=cmd_plan_new_period)


def cmd_plan_export(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        path = export_plan(session, args.output)
    print(f"計画を書き出しました: {path}")
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    target = parse_location(args.new_db) if args.new_db else db_location(args)
    import_plan(args.file, target, force=args.force)
    print(f"{args.file} から計画を作成しました: {target}")
    return 0


def cmd_plan_revise(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        print_target_change(revisions.revise_target(db, args.kpi, args.fy, args.value,
                                                    args.reason))
    return 0


def cmd_plan_revisions(args: argparse.Namespace) -> int:
    if args.withdraw is not None:
        with open_db(args) as db:
            row = revisions.withdraw_revision(db, args.withdraw, args.reason)
        print(f"修正 #{row.id} を取り下げました: {row.kpi_code} {row.fiscal_year}年度 目標 "
              f"{change_text(row.new_value, row.old_value)}")
        return 0
    with open_db(args) as db, db.read() as session:
        rows = revisions.list_revisions(session, args.kpi)
    if not rows:
        print("修正履歴はありません。")
    for r in rows:
        print(f"#{r.id} {r.kpi_code} {r.fiscal_year}年度: {change_text(r.old_value, r.new_value)}"
              f"  第{r.edition}版 {r.revised_on or ''} {r.reason}".rstrip())
    return 0


def cmd_plan_publish(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        edition = revisions.publish_edition(db, args.label, published_on=args.on)
    print(f"第{edition.number}版「{edition.label}」を公表しました（{edition.published_on}）。")
    return 0


def cmd_plan_editions(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        editions = revisions.list_editions(session)
        pending = revisions.edition_for_changes(session)
    for e in editions:
        state = f"公表 {e.published_on or ''}".rstrip() if e.published else "作成中"
        print(f"第{e.number}版 {e.label}  {state}")
    print(f"これからの変更は第{pending}版に入ります。")
    return 0


def cmd_plan_extend(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        old, new = periods.extend_plan(db, args.to)
    print(f"計画期間を {old}年度まで → {new}年度まで に延長しました。")
    return 0


def cmd_plan_new_period(args: argparse.Namespace) -> int:
    carry = {c.strip() for c in args.carry.split(",") if c.strip()}
    unknown = carry - set(CARRY_CHOICES)
    if unknown:
        raise DxTrackerError(f"--carry に使えない値です: {', '.join(sorted(unknown))}"
                             f"（使える値: {', '.join(CARRY_CHOICES)}）")
    options = periods.NewPlanOptions(
        first_fiscal_year=args.first, last_fiscal_year=args.last, code=args.code,
        title=args.title, edition_label=args.label, carry_targets="targets" in carry,
        carry_baselines="baselines" in carry, carry_schedule="schedule" in carry,
        carry_progress="progress" in carry, carry_future_picture="future_picture" in carry)
    with open_db(args) as db:
        path = periods.start_new_plan(db, args.out, options, force=args.force)
    print(f"次期計画のデータベースを作成しました: {path}")
    return 0
