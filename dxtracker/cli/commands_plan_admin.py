"""Plan management at headquarters: plan export/import/revise/publish/extend/edit,
departments, the audit log and proposals.

The `plan` subcommands are added to the existing `plan` group (commands_core calls
`register_plan_subcommands`); `department`, `audit` and `proposal` are groups of their own.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from dxtracker.cli.common import db_path, fiscal_year_arg, open_db
from dxtracker.errors import DxTrackerError
from dxtracker.plan import departments, periods, proposals, revisions
from dxtracker.plan import edit as plan_edit
from dxtracker.plan.excel_read import export_plan, import_plan
from dxtracker.store import audit_query

LIST_FIELDS = {"reporting_departments", "departments", "items", "future_picture"}
BOOL_FIELDS = {"cumulative", "is_new"}
CARRY_CHOICES = ("targets", "schedule", "progress", "baselines", "future_picture")


def _blank(text: str | None) -> str:
    return text if text else "（空欄）"


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日付は 2024-04-01 のように入力してください: {text}") \
            from exc


# --------------------------------------------------------------------------- registration


def register_plan_subcommands(plan_sub: argparse._SubParsersAction) -> None:
    """Called by commands_core with the subparsers of `dxtracker plan`."""
    export = plan_sub.add_parser("export", help="計画全体をExcelの表に書き出す")
    export.add_argument("-o", "--output", required=True, type=Path, help="FILE.xlsx")
    export.set_defaults(handler=cmd_plan_export)

    imp = plan_sub.add_parser("import", help="Excelの表（またはJSONの計画ファイル）から計画を作成")
    imp.add_argument("file", type=Path, help="FILE.xlsx or FILE.json")
    imp.add_argument("--db", dest="new_db", type=Path, metavar="NEW",
                     help="作成するデータベース (default: the global --db)")
    imp.add_argument("--force", action="store_true", help="既存のファイルを置き換える")
    imp.set_defaults(handler=cmd_plan_import)

    revise = plan_sub.add_parser("revise", help="目標を修正（公表後は修正履歴を残す）")
    revise.add_argument("--kpi", required=True)
    revise.add_argument("--fy", required=True, type=fiscal_year_arg)
    revise.add_argument("--value", required=True, help="新しい目標 (e.g. 12,000 / 90~100 / 半数)")
    revise.add_argument("--reason", required=True, help="修正の理由")
    revise.set_defaults(handler=cmd_plan_revise)

    revs = plan_sub.add_parser("revisions", help="目標の修正履歴")
    revs.add_argument("--kpi", help="指標コード（省略時はすべて）")
    revs.set_defaults(handler=cmd_plan_revisions)

    publish = plan_sub.add_parser("publish", help="計画の版を公表する")
    publish.add_argument("--label", required=True, help="版の名称 (e.g. 令和5年度改定)")
    publish.add_argument("--on", type=_date_arg, help="公表日 (default: today)")
    publish.set_defaults(handler=cmd_plan_publish)

    editions = plan_sub.add_parser("editions", help="計画の版の一覧")
    editions.set_defaults(handler=cmd_plan_editions)

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

    _register_edit(plan_sub)


def _register_edit(plan_sub: argparse._SubParsersAction) -> None:
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


def register(subparsers: argparse._SubParsersAction) -> None:
    dept = subparsers.add_parser("department", help="部局の追加・名称変更・統合・廃止")
    sub = dept.add_subparsers(dest="department_command", metavar="SUBCOMMAND")
    sub.required = True
    add = sub.add_parser("add", help="部局を追加")
    add.add_argument("name")
    add.add_argument("--code")
    add.set_defaults(handler=cmd_department_add)
    rename = sub.add_parser("rename", help="部局名を変更（履歴は残る）")
    rename.add_argument("department")
    rename.add_argument("new_name")
    rename.add_argument("--on", type=_date_arg, help="新しい名称の開始日 (default: today)")
    rename.set_defaults(handler=cmd_department_rename)
    merge = sub.add_parser("merge", help="部局を統合（統合元は廃止）")
    merge.add_argument("retired", help="統合元")
    merge.add_argument("surviving", help="統合先")
    merge.add_argument("--on", type=_date_arg)
    merge.set_defaults(handler=cmd_department_merge)
    retire = sub.add_parser("retire", help="部局を廃止")
    retire.add_argument("department")
    retire.add_argument("--on", type=_date_arg)
    retire.set_defaults(handler=cmd_department_retire)
    listing = sub.add_parser("list", help="部局の一覧（名称の履歴つき）")
    listing.set_defaults(handler=cmd_department_list)

    _register_audit(subparsers)
    _register_proposals(subparsers)


def _register_audit(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("audit", help="変更履歴（監査ログ）")
    sub = group.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    sub.required = True
    listing = sub.add_parser("list", help="変更履歴を表示・絞り込み・Excelに出力")
    for option, help_text in (("--user", "利用者"), ("--dept", "部局"),
                              ("--source", "form/cli/return/import"),
                              ("--entity", "kpi, target, revision, kpi_actual, …"),
                              ("--code", "コードの一部"), ("--text", "内容の一部")):
        listing.add_argument(option, default="", help=help_text)
    listing.add_argument("--since", type=_date_arg)
    listing.add_argument("--until", type=_date_arg)
    listing.add_argument("--limit", type=int, default=audit_query.DEFAULT_LIMIT)
    listing.add_argument("--export", type=Path, metavar="FILE.xlsx")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_audit_list)


def _register_proposals(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("proposal", help="部局からの目標修正の提案")
    sub = group.add_subparsers(dest="proposal_command", metavar="SUBCOMMAND")
    sub.required = True
    listing = sub.add_parser("list")
    listing.add_argument("--status", choices=("pending", "accepted", "rejected"))
    listing.set_defaults(handler=cmd_proposal_list)
    accept = sub.add_parser("accept", help="承認（目標の修正になる）")
    accept.add_argument("id", type=int)
    accept.add_argument("--note", default="")
    accept.set_defaults(handler=cmd_proposal_accept)
    reject = sub.add_parser("reject", help="却下（理由が必要）")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    reject.set_defaults(handler=cmd_proposal_reject)


# --------------------------------------------------------------------------- plan commands


def cmd_plan_export(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        path = export_plan(session, args.output)
    print(f"計画を書き出しました: {path}")
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    target = args.new_db or db_path(args)
    import_plan(args.file, target, force=args.force)
    print(f"{args.file} から計画を作成しました: {target}")
    return 0


def _print_target_change(change: revisions.TargetChange) -> None:
    if not change.changed:
        print("変更はありません。")
        return
    how = f"修正（第{change.edition}版）" if change.revised else "設定"
    print(f"{change.kpi_code} {change.fiscal_year}年度 目標を{how}: "
          f"{_blank(change.old_value)} → {_blank(change.new_value)}")


def cmd_plan_revise(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        _print_target_change(revisions.revise_target(db, args.kpi, args.fy, args.value,
                                                     args.reason))
    return 0


def cmd_plan_target(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.value is not None:
            _print_target_change(plan_edit.set_target(db, args.kpi, args.fy, args.value,
                                                      reason=args.reason))
        if args.note is not None:
            plan_edit.set_target_note(db, args.kpi, args.fy, args.note)
            print(f"{args.kpi} {args.fy}年度 注記: {_blank(args.note)}")
    return 0


def cmd_plan_revisions(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        rows = revisions.list_revisions(session, args.kpi)
    if not rows:
        print("修正履歴はありません。")
    for r in rows:
        print(f"{r.kpi_code} {r.fiscal_year}年度: {_blank(r.old_value)} → {_blank(r.new_value)}"
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


def _call_edit(function: Any, *args: Any, fields: dict[str, Any]) -> dict:
    try:
        return function(*args, **fields)
    except TypeError as exc:  # an unknown field name
        raise DxTrackerError(f"編集できない項目があります: {exc}") from exc


def cmd_plan_edit(args: argparse.Namespace) -> int:
    fields = _fields(args.fields)
    with open_db(args) as db:
        if args.kind == "vision":
            done = _call_edit(plan_edit.edit_vision, db, int(args.key), fields=fields)
        elif args.kind == "project":
            if "vision_number" in fields:
                fields["vision_number"] = int(fields["vision_number"])
            done = _call_edit(plan_edit.edit_project, db, args.key, fields=fields)
        elif args.kind == "kpi":
            done = _call_edit(plan_edit.edit_kpi, db, args.key, fields=fields)
        else:
            done = _call_edit(plan_edit.edit_measure, db, args.key, fields=fields)
    if not done:
        print("変更はありません。")
    for name, (old, new) in done.items():
        print(f"{args.key} {name}: {_blank(str(old) if old is not None else None)} → "
              f"{_blank(str(new) if new is not None else None)}")
    return 0


def cmd_plan_add(args: argparse.Namespace) -> int:
    fields = _fields(args.fields)
    with open_db(args) as db:
        if args.kind == "kpi":
            name = fields.pop("name", "")
            code = _call_edit(plan_edit.add_kpi, db, args.project, name, fields=fields)
        else:
            title = fields.pop("title", "")
            code = _call_edit(plan_edit.add_measure, db, args.project, title, fields=fields)
    print(f"追加しました: {code}")
    return 0


def cmd_plan_schedule(args: argparse.Namespace) -> int:
    boxes = [plan_edit.parse_schedule_box(box) for box in args.box]
    with open_db(args) as db:
        plan_edit.set_schedule(db, args.measure, boxes)
    print(f"{args.measure} の工程を {len(boxes)} 件にしました。")
    return 0


def cmd_plan_picture(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.remove:
            if args.number is None:
                raise DxTrackerError("--remove には --number が必要です。")
            plan_edit.remove_future_picture_item(db, args.project, args.number)
            print(f"{args.project} の概ね3年後の姿 ({args.number}) を削除しました。")
            return 0
        number = plan_edit.set_future_picture_item(db, args.project, args.number,
                                                   args.text or "")
    print(f"{args.project} の概ね3年後の姿 ({number}) を保存しました。")
    return 0


# --------------------------------------------------------------------------- departments


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


# --------------------------------------------------------------------------- audit, proposals


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
                  f"{r.field}: {_blank(r.old_value)} → {_blank(r.new_value)}"
                  + (f"  理由: {r.reason}" if r.reason else ""))
    return 0


def cmd_proposal_list(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        rows = proposals.list_proposals(session, args.status)
    if not rows:
        print("修正提案はありません。")
    for p in rows:
        print(f"#{p.id} [{p.status}] {p.kpi_code} {p.fiscal_year}年度 {p.department}: "
              f"{_blank(p.current_target)} → {p.value}  理由: {p.reason or '—'}")
    return 0


def cmd_proposal_accept(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        change = proposals.accept_proposal(db, args.id, note=args.note)
    print(f"修正提案 #{args.id} を承認しました。")
    _print_target_change(change)
    return 0


def cmd_proposal_reject(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        proposals.reject_proposal(db, args.id, args.reason)
    print(f"修正提案 #{args.id} を却下しました。")
    return 0
