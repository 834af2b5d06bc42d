"""report, grade set / show, grade scheme show / set / reset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxtracker.cli.common import command_group, fiscal_year_arg, open_db
from dxtracker.figures.entry import check_fiscal_year
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.report.grade_store import parse_levels, set_manual_grade, set_scheme
from dxtracker.report.grading import DEFAULT_SCHEME, GradeScheme
from dxtracker.report.summary import build_report_data


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report", help="統合報告書（Excel、任意でPDF）を作成",
        description="計画の全プロジェクトを資料1-2の様式で、評価・グラフ・データシート付きのExcelに出力")
    report.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.xlsx",
                        help="出力するExcelファイル")
    report.add_argument("--fy", type=fiscal_year_arg,
                        help="報告する年度 (default: 実績か進捗が入力された最新の年度)")
    report.add_argument("--pdf", type=Path, metavar="FILE.pdf", help="グラフと表のPDFも出力")
    report.add_argument("--lang", choices=("ja", "en"), default="ja",
                        help="見出し・グラフなど決まった文言の言語 (default: ja)。"
                             "指標名などは計画の表記のまま")
    report.add_argument("--comparison", choices=("year", "return"),
                        help="比較のシートを加える: year=前年度比較、"
                             "return=前回の承認済み回答（未承認なら統合済み回答）からの変更")
    report.add_argument("--progress", action="store_true",
                        help="進捗を1ステップ1行で標準出力へ（PROGRESS<TAB>済<TAB>全<TAB>段階"
                             "<TAB>内容）。標準入力の cancel か SIGTERM で中止（終了コード130、"
                             "ファイルは作らない）")
    report.set_defaults(handler=cmd_report)

    grade_sub = command_group(subparsers, "grade", help="KPIの評価（手動評価・評価区分）")
    gset = grade_sub.add_parser("set", help="評価を手動で入力（文言の目標など）")
    gset.add_argument("--kpi", required=True, help="指標コード (e.g. P01-K2)")
    gset.add_argument("--fy", required=True, type=fiscal_year_arg, help="年度 (2022, R4, 令和4年度)")
    gset.add_argument("--grade", required=True,
                      help="評価区分 (e.g. A) か 評価不能; 空文字で手動評価を取り消す")
    gset.add_argument("--reason", required=True, help="評価の理由（必須）")
    gset.add_argument("--part", default="", help="内訳のある指標の内訳名 (e.g. 他機関)")
    gset.set_defaults(handler=cmd_grade_set)

    show = grade_sub.add_parser("show", help="年度の評価を一覧表示")
    show.add_argument("--fy", type=fiscal_year_arg, help="年度 (default: report と同じ)")
    show.set_defaults(handler=cmd_grade_show)

    scheme_sub = command_group(grade_sub, "scheme", help="評価区分（しきい値と名前）")
    scheme_sub.add_parser("show", help="評価区分を表示").set_defaults(handler=cmd_scheme_show)
    sset = scheme_sub.add_parser("set", help="評価区分を設定")
    sset.add_argument("--levels", required=True, metavar="A:100,B:80,C:50,D",
                      help="区分:下限(%%) をよい順にカンマ区切り、最後は下限なし")
    sset.add_argument("--unknown-label", help="実績なしの表示 (default: 未把握)")
    sset.add_argument("--not-assessable-label", help="評価できない場合の表示 (default: 評価不能)")
    sset.set_defaults(handler=cmd_scheme_set)
    scheme_sub.add_parser("reset", help="既定の評価区分に戻す").set_defaults(
        handler=cmd_scheme_reset)


def cmd_report(args: argparse.Namespace) -> int:
    from dxtracker.cli.report_progress import CANCELLED_STATUS, ProgressReporter
    from dxtracker.report.comparison import build_comparison
    from dxtracker.report.making import make_report
    from dxtracker.report.steps import ReportCancelled

    reporter = ProgressReporter(protocol=args.progress)  # listening from the start
    with open_db(args) as db:
        with db.read() as session:
            if args.fy is not None:
                check_fiscal_year(session, args.fy)
            data = build_report_data(session, args.fy, language=args.lang)
            comparison = None if args.comparison is None else build_comparison(
                session, data.fiscal_year, since=args.comparison, snapshot=data.snapshot)
        try:
            made = make_report(data, args.output, pdf=args.pdf, comparison=comparison,
                               progress=reporter)
        except ReportCancelled:
            print("報告書の作成を中止しました（ファイルは作成も変更もしていません）。",
                  file=sys.stderr)
            return CANCELLED_STATUS
    result = made.workbook
    print(f"報告書を作成しました: {result.path}（{fiscal_year_label(data.fiscal_year)}、"
          f"{result.sheets}シート、グラフ{result.charts}点、{result.seconds:.1f}秒）")
    if made.pdf is not None:
        print(f"PDFを作成しました: {made.pdf}（{made.pages}ページ）")
    return 0


def cmd_grade_set(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        change = set_manual_grade(db, args.kpi, args.fy, args.grade or None, args.reason,
                                  part=args.part)
    part = f"（内訳: {change.part}）" if change.part else ""
    print(f"{change.kpi_code} {fiscal_year_label(change.fiscal_year)}{part}: "
          f"{change.old or '（手動評価なし）'} → {change.new or '（手動評価なし）'}")
    return 0


def cmd_grade_show(args: argparse.Namespace) -> int:
    with open_db(args) as db, db.read() as session:
        if args.fy is not None:
            check_fiscal_year(session, args.fy)
        data = build_report_data(session, args.fy)
    print(f"{fiscal_year_label(data.fiscal_year)}の評価（{data.scheme.describe()}）")
    for project in data.projects:
        for kpi in project["kpis"]:
            grade = data.grade(kpi["code"])
            manual = "［手動］" if grade.manual else ""
            rate = grade.achievement_text()
            print(f"{kpi['code']}\t{data.scheme.display(grade.grade)}\t{rate}\t{manual}"
                  f"{grade.reason}")
            for part in grade.parts:
                print(f"  └ {part.part}\t{data.scheme.display(part.grade)}\t"
                      f"{part.achievement_text()}\t{'［手動］' if part.manual else ''}"
                      f"{part.reason}")
    return 0


def cmd_scheme_show(args: argparse.Namespace) -> int:
    from dxtracker.report.grade_store import load_scheme

    with open_db(args) as db, db.read() as session:
        scheme = load_scheme(session)
    _print_scheme(scheme)
    return 0


def cmd_scheme_set(args: argparse.Namespace) -> int:
    scheme = GradeScheme(
        parse_levels(args.levels),
        args.unknown_label or DEFAULT_SCHEME.unknown_label,
        args.not_assessable_label or DEFAULT_SCHEME.not_assessable_label,
    )
    with open_db(args) as db:
        _print_scheme(set_scheme(db, scheme))
    return 0


def cmd_scheme_reset(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        _print_scheme(set_scheme(db, None))
    return 0


def _print_scheme(scheme: GradeScheme) -> None:
    levels = ",".join(f"{lv.label}:{lv.min_percent}" if lv.min_percent is not None
                      else lv.label for lv in scheme.levels)
    print(f"評価区分: {scheme.describe()}")
    print(f"  --levels {levels}")
    print(f"  実績なし: {scheme.unknown_label}　評価できない: {scheme.not_assessable_label}")

