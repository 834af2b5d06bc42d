"""return export | merge | history | undo | review, and status: the yearly cycle of department
returns (review: commands_review.py).

`return merge` exits 0 when every file was merged (or would be, with --dry-run), 1 when any file
was refused (refused files change nothing; the others are merged; this wins over 3), 3 when
conflicts wait for a decision (--take theirs|ours).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxtracker.cli import commands_review
from dxtracker.cli.common import command_group, fiscal_year_arg, open_db
from dxtracker.cli.return_report import print_history, print_merge_report, print_status
from dxtracker.cli.review_report import print_refusals
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.export import export_return
from dxtracker.returns.history import list_imports
from dxtracker.returns.refusals import list_refusals
from dxtracker.returns.status import submission_status
from dxtracker.returns.threeway import SIDES
from dxtracker.returns.undo import undo_last_merge


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "return", help="部局の回答（Excel）の出力・統合")

    export = sub.add_parser("export", help="部局の回答様式を出力")
    export.add_argument("--dept", required=True, help="部局（名称またはコード）")
    export.add_argument("--fy", required=True, type=fiscal_year_arg, help="年度 (2022, R4, 令和4年度)")
    export.add_argument("-o", "--output", type=Path, default=None,
                        help="出力ファイル、またはフォルダ（既定のファイル名で保存）")
    export.set_defaults(handler=cmd_export)

    merge = sub.add_parser("merge", help="回答を統合（--dry-run で確認のみ）")
    merge.add_argument("files", nargs="+", type=Path, metavar="FILE", help="回答ファイル (.xlsx)")
    merge.add_argument("--dry-run", action="store_true", help="変更せず、統合の内容だけを表示")
    merge.add_argument("--force", action="store_true",
                       help="統合済みの回答より古い回答も統合する")
    merge.add_argument("--take", choices=SIDES, default=None,
                       help="競合の扱い: theirs=回答の値を採用、ours=本部の値を残す")
    merge.add_argument("--fy", type=fiscal_year_arg, default=None,
                       help="取り込む年度（ほかの年度の回答は取り込まない）")
    merge.set_defaults(handler=cmd_merge)

    history = sub.add_parser("history", help="回答の取込履歴")
    history.add_argument("--fy", type=fiscal_year_arg, default=None, help="年度で絞り込む")
    history.set_defaults(handler=cmd_history)

    undo = sub.add_parser("undo", help="最後の統合を取り消す")
    undo.set_defaults(handler=cmd_undo)

    commands_review.register(sub)

    status = subparsers.add_parser("status", help="回答の提出状況")
    status.add_argument("--fy", required=True, type=fiscal_year_arg, help="年度")
    status.set_defaults(handler=cmd_status)


def cmd_export(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    directory = output if output is not None and output.is_dir() else None
    path = None if directory is not None else output
    with open_db(args) as db, db.read() as session:
        written = export_return(session, args.dept, args.fy, path, directory=directory)
    print(f"回答様式を出力しました: {written}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        report = merge_returns(db, args.files, dry_run=args.dry_run, force=args.force,
                               take=args.take, progress=_progress, fiscal_year=args.fy)
    print_merge_report(report)
    return report.exit_code


def _progress(done: int, total: int, name: str) -> None:
    if name and total > 1:
        print(f"[{done + 1}/{total}] {name}", file=sys.stderr)


def cmd_history(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        imports = list_imports(session, fiscal_year=args.fy)
        refusals = list_refusals(session, fiscal_year=args.fy)
    print_history(imports, refused=bool(refusals))
    print_refusals(refusals)
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        result = undo_last_merge(db)
    files = "、".join(result.files)
    print(f"統合 #{result.run_id}（{result.started_at:%Y-%m-%d %H:%M:%S}、{files}）を取り消しました。"
          f"{result.restored}項目を元に戻しました。")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        lines = submission_status(session, args.fy)
    print_status(lines, args.fy)
    return 0
