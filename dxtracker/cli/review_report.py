"""Printing a return's review and the refused files as text."""

from __future__ import annotations

from dxtracker.cli.return_report import moment_text  # one form of a moment in every listing
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.refusals import Refusal
from dxtracker.returns.review_info import ReviewInfo


def print_review(info: ReviewInfo | None, department_name: str, fiscal_year: int) -> None:
    year = fiscal_year_label(fiscal_year)
    if info is None:
        print(f"{department_name}の{year}の回答はまだ統合されていません。")
        return
    print(f"{department_name}の{year}の回答: {info.label()}")
    print(f"  最終の変更: {moment_text(info.state_at)} {info.state_by}"
          + (f"（理由: {info.note}）" if info.note else ""))
    if info.accepted_at:
        print(f"  承認: {moment_text(info.accepted_at)} {info.accepted_by}")
    if info.sent_back_at:
        print(f"  差戻し（{info.send_backs}回）: 最後は {moment_text(info.sent_back_at)} "
              f"{info.sent_back_by}、理由: {info.sent_back_reason}")
        for item in info.items:
            print(f"    {item.item_code}: {item.reason}")


def print_refusals(refusals: list[Refusal]) -> None:
    """The files merges refused (newest first), each with its first reason."""
    if not refusals:
        return
    print("\n取り込めなかったファイル（不受理）:")
    print("日時\t年度\t部局\tファイル\t状態\tSHA-256\t理由")
    for r in refusals:
        year = fiscal_year_label(r.fiscal_year) if r.fiscal_year else "—"
        state = f"後に統合（{moment_text(r.resolved_at)}）" if r.resolved_at else "不受理"
        more = f"（ほか{len(r.reasons) - 1}件）" if len(r.reasons) > 1 else ""
        reason = r.first_reason().replace("\n", " ")
        print(f"{moment_text(r.refused_at)}\t{year}\t{r.department_name or '—'}\t{r.file_name}\t"
              f"{state}\t{r.sha256[:12]}\t{reason}{more}")
