"""return review: headquarters' review of a department's return (受付 → 確認中 → 承認 / 差戻し).

    dxtracker return review --dept D --fy Y --accept|--send-back|--reopen|--start|--workbook|--show
                            [--reason TEXT] [--item CODE=REASON …] [-o FILE_OR_FOLDER]

`--send-back` needs `--reason` and writes the workbook for the department (`-o`: a file, or a
folder for the default name; the current folder without it); `--workbook` writes it again.
`--reopen` needs `--reason`. Exit status 0, or 1 when the action is not possible now.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxtracker.cli.common import fiscal_year_arg, open_db
from dxtracker.cli.review_report import print_review
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.collect import resolve_department
from dxtracker.returns.review import change_review
from dxtracker.returns.review_info import ReviewInfo, review_of
from dxtracker.returns.send_back import send_back_return, write_send_back_workbook

ACTIONS = {"start": "確認を開始", "accept": "承認", "send_back": "差戻し", "reopen": "再開（承認の取消し）",
           "workbook": "差戻しのブックを再作成", "show": "確認状況を表示"}


def item_arg(text: str) -> tuple[str, str]:
    """argparse type: CODE=REASON."""
    code, sep, reason = text.partition("=")
    if not sep or not code.strip() or not reason.strip():
        raise argparse.ArgumentTypeError(
            f"項目は 指標コード=理由 のように指定してください（例: P03-K2=単位を確認）: {text}")
    return code.strip(), reason.strip()


def register(sub: argparse._SubParsersAction) -> None:
    review = sub.add_parser("review", help="回答の確認（承認・差戻し・再開）")
    review.add_argument("--dept", required=True, help="部局（名称またはコード）")
    review.add_argument("--fy", required=True, type=fiscal_year_arg, help="年度 (2022, R4, 令和4年度)")
    action = review.add_mutually_exclusive_group(required=True)
    for name, text in ACTIONS.items():
        action.add_argument(f"--{name.replace('_', '-')}", dest="action", action="store_const",
                            const=name, help=text)
    review.add_argument("--reason", default="", help="理由（差戻し・再開では必須）")
    review.add_argument("--item", action="append", type=item_arg, default=[],
                        metavar="CODE=REASON", help="差し戻す項目と理由（繰り返し指定できます）")
    review.add_argument("-o", "--output", type=Path, default=None,
                        help="差戻しのブックの出力先（ファイル、またはフォルダ）")
    review.set_defaults(handler=cmd_review)


def cmd_review(args: argparse.Namespace) -> int:
    if args.item and args.action != "send_back":
        print("エラー: --item は --send-back と一緒に指定します。", file=sys.stderr)
        return 2
    output: Path | None = args.output
    directory = output if output is not None and output.is_dir() else None
    path = None if directory is not None else output
    with open_db(args) as db:
        if args.action == "show":
            with db.read() as session:
                dept = resolve_department(session, args.dept)
                print_review(review_of(session, dept, args.fy), dept.name, args.fy)
            return 0
        if args.action == "workbook":
            with db.read() as session:
                written = write_send_back_workbook(session, args.dept, args.fy, path,
                                                   directory=directory).path
            print(f"差戻しのブックを作成しました: {written}")
            return 0
        if args.action == "send_back":
            info, result = send_back_return(db, args.dept, args.fy, reason=args.reason,
                                            items=dict(args.item), path=path,
                                            directory=directory)
            _done(info)
            print(f"差戻しのブック（部局に送付してください）: {result.path}")
            return 0
        _done(change_review(db, args.dept, args.fy, args.action, reason=args.reason))
    return 0


def _done(info: ReviewInfo) -> None:
    year = fiscal_year_label(info.fiscal_year)
    print(f"{info.department_name}の{year}の回答: {info.label()}"
          f"（{info.state_at:%Y-%m-%d %H:%M}、{info.state_by or '—'}）")
    if info.accepted:
        print(f"承認した実績値と進捗は、再開するまで変更できません（{info.department_name}・{year}）。")
    if info.state == "sent_back":
        print(f"差し戻した項目 {len(info.items)}件。修正した回答を統合すると「受付」に戻ります。")
