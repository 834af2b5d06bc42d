"""Printing merge reports, the import history and the submission status as text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.apply import FileResult, MergeReport
from dxtracker.returns.history import PriorImport
from dxtracker.returns.merge import FIELD_LABELS, Conflict, FieldChange
from dxtracker.returns.run_order import THIS_RUN
from dxtracker.returns.status import DepartmentStatus, review_counts

BLANK = "（空欄）"
OUTCOMES = {
    ("merged", False): "統合しました", ("merged", True): "統合できます（試行のため変更していません）",
    ("duplicate", False): "統合済みの回答と同じ内容のため、何も変更していません",
    ("duplicate", True): "統合済みの回答と同じ内容のため、何も変更しません",
    ("refused", False): "統合しませんでした（何も変更していません）",
    ("refused", True): "統合できません",
}


def _shown(text: str | None) -> str:
    if not text:
        return BLANK
    one_line = text.replace("\r\n", "\n").replace("\n", "⏎")
    return one_line if len(one_line) <= 60 else one_line[:59] + "…"


def moment_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _item(c: FieldChange | Conflict) -> str:
    place = f"{c.sheet} {c.row}行" if c.row else c.sheet
    return f"{c.item_code} {FIELD_LABELS.get(c.field, c.field)}（{place}）"


def print_merge_report(report: MergeReport) -> None:
    for result in report.files:
        _print_file(result, report.dry_run)
    merged = sum(1 for f in report.files if f.outcome == "merged")
    print(f"\n合計: {len(report.files)}ファイル、統合{'可' if report.dry_run else ''} {merged}、"
          f"同一で変更なし {sum(1 for f in report.files if f.outcome == 'duplicate')}、"
          f"拒否 {len(report.refused)}、決定待ちの競合 {len(report.waiting)}")
    if report.backup_path:
        print(f"統合前のバックアップ: {report.backup_path}")
    if report.waiting:
        print("競合は変更していません。回答の値を採用するには --take theirs、"
              "本部の値を残すには --take ours を付けて、もう一度統合してください。")


def _print_file(result: FileResult, dry_run: bool) -> None:
    p = result.preview
    head = f"\n== {p.file_name}"
    if p.meta is not None:
        head += (f"（{p.department_name or p.meta.department_name} "
                 f"{fiscal_year_label(p.meta.fiscal_year)}、出力 {moment_text(p.meta.exported_at)}）")
    print(head)
    if p.duplicate_of is not None and result.outcome == "duplicate":
        if p.duplicate_of.state == THIS_RUN:
            print(f"  この取込で先に指定した「{p.duplicate_of.file_name}」と同じ回答です。")
        else:
            print(f"  {moment_text(p.duplicate_of.imported_at)} に統合済み"
                  f"（{p.duplicate_of.file_name}）と同じ回答です。")
    _section("変更", p.changes, _change_line)
    _section("競合（回答と本部の両方で変更。--take で選択）", p.conflicts, _conflict_line)
    _section("修正提案（目標値）", p.proposals,
             lambda r: f"{r.kpi_code} {fiscal_year_label(r.fiscal_year)}: {r.value}"
                       f"（理由: {_shown(r.reason)}）")
    _section("入力の読み取り（数値以外の入力をこう読みました）", p.readings,
             lambda r: f"{r.where} {r.item_code}: {r.text()}")
    _section("警告", p.warnings, str)
    _section("エラー", p.errors, str)
    print(f"  → {OUTCOMES[(result.outcome, dry_run)]}")


T = TypeVar("T")


def _section(title: str, items: Iterable[T], line: Callable[[T], str]) -> None:
    shown = list(items)
    if shown:
        print(f"  {title} {len(shown)}件:")
        for item in shown:
            print(f"    {line(item)}")


def _change_line(c: FieldChange) -> str:
    chosen = "（競合: 回答を採用）" if c.resolution == "theirs" else ""
    return f"{_item(c)}: {_shown(c.old)} → {_shown(c.new)}{chosen}"


def _conflict_line(c: Conflict) -> str:
    return (f"{_item(c)}: 出力時「{_shown(c.base)}」 / 回答「{_shown(c.theirs)}」 / "
            f"本部「{_shown(c.ours)}」")


def print_history(imports: list[PriorImport], *, refused: bool = False) -> None:
    if not imports:
        print("取り込んだ回答はまだありません。" if not refused else "統合した回答はまだありません。")
        return
    print("取込日時\t年度\t部局\tファイル\t出力日時\t変更\t競合\t状態\tSHA-256")
    for i in imports:
        state = {"merged": "統合済み", "undone": "取消済み"}.get(i.state, i.state)
        if i.forced:
            state += "（古い回答を強制統合）"
        print(f"{moment_text(i.imported_at)}\t{fiscal_year_label(i.fiscal_year)}\t{i.department_name}\t"
              f"{i.file_name}\t{moment_text(i.exported_at)}\t{i.changes_count}\t{i.conflicts_count}\t"
              f"{state}\t{i.sha256[:12]}")


def print_status(lines: list[DepartmentStatus], fiscal_year: int) -> None:
    expected = [s for s in lines if s.expected]
    missing = [s for s in expected if s.missing]
    counts = review_counts(lines)
    print(f"{fiscal_year_label(fiscal_year)}の回答の提出状況: 対象 {len(expected)}部局、"
          f"受領 {sum(1 for s in expected if s.received)}、未提出 {len(missing)}、"
          f"承認 {counts.accepted}、未承認 {counts.outstanding}（受付 {counts.received}、"
          f"確認中 {counts.under_review}、差戻し中 {counts.sent_back}）")
    print("状態\t部局\t指標\t施策\t受領日時\tファイル\t変更\t備考\t確認状況\t確認日時")
    for s in lines:
        review = s.review
        print(f"{_status_word(s)}\t{s.department_name}\t{s.kpi_rows}\t{s.measure_rows}\t"
              f"{moment_text(s.received_at)}\t{s.file_name}\t{s.changes_count if s.received else ''}\t"
              f"{_remark(s)}\t{review.label() if review else '—'}\t"
              f"{moment_text(review.state_at) if review else ''}")
    if missing:
        print("未提出: " + "、".join(s.department_name for s in missing))


def _status_word(s: DepartmentStatus) -> str:
    if not s.expected and not s.received:
        return "対象外"
    if s.missing:
        return "★不受理" if s.refusals else "★未提出"
    return "統合済み" if s.merged else "競合待ち"


def _remark(s: DepartmentStatus) -> str:
    notes = []
    if s.conflicts_waiting:
        notes.append(f"競合{s.conflicts_waiting}件が決定待ち")
    if s.stale:
        notes.append("最後に統合した回答はそれ以前のものより古い（--force）")
    if s.imports > 1:
        notes.append(f"受領{s.imports}回")
    if s.refusals:
        notes.append(f"不受理{len(s.refusals)}件（{s.refusals[0].file_name}）")
    if s.review is not None and s.review.state == "sent_back":
        notes.append(f"差戻し中（{s.review.sent_back_reason}）")
    return "、".join(notes)
