"""Sending a return back (差戻し): the state change and the workbook for the department.

The workbook is the department's return as headquarters holds it now, exported like any return
(`export.write_return`: the same format version and metadata, so `read_return` takes it and it
merges back like any return), with headquarters' remarks added: the reason and the items to fix
on the instructions sheet, and beside each item to fix its reason in a column of its own (input
cells orange; the column says 【要修正】 in words).

Its merge base. The workbook records headquarters' figures at the send-back, as any workbook
headquarters exports. Filled in Excel and merged at headquarters, what the department changed
is taken and the rest is unchanged. Merged into the department's own DX Tracker instead (the
same plan; `return merge` there), the base of each field is that database's own value, so every
figure headquarters holds differently (an edit at headquarters, say) is taken into the
department's database as well — it catches up with headquarters — and the department then fixes
the items there and exports a new return, whose merge at headquarters takes the department's
figures against headquarters' (diff.py). tests/core/test_send_back.py goes both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.collect import resolve_department
from dxtracker.returns.diff import sheet_of
from dxtracker.returns.export import ExportResult, Remarks, default_return_file_name, write_return
from dxtracker.returns.review import ReviewRefused, change_review_in
from dxtracker.returns.review_info import ReviewInfo, review_of
from dxtracker.store.db import Database
from dxtracker.store.models import Department, Kpi, Measure


def send_back_file_name(fiscal_year: int, department_name: str) -> str:
    """令和4年度_DX推進計画_回答_商工労働部_差戻し.xlsx"""
    return default_return_file_name(fiscal_year, department_name).removesuffix(".xlsx") \
        + "_差戻し.xlsx"


def send_back_return(db: Database, department: str | Department, fiscal_year: int, *,
                     reason: str, items: Mapping[str, str], path: Path | None = None,
                     directory: Path | None = None,
                     source: str = "cli") -> tuple[ReviewInfo, ExportResult]:
    """Send the return back and write its workbook, in one transaction: a workbook that
    cannot be written (the file open in Excel, say) leaves the return as it was."""
    with db.transaction() as session:
        info = change_review_in(session, department, fiscal_year, "send_back", reason=reason,
                                items=items, source=source)
        result = write_send_back_workbook(session, department, fiscal_year, path,
                                          directory=directory)
    return info, result


def write_send_back_workbook(session: Session, department: str | Department, fiscal_year: int,
                             path: Path | None = None, *,
                             directory: Path | None = None) -> ExportResult:
    """The workbook of the return's last send-back (again, if it was lost)."""
    dept = resolve_department(session, department)
    review = review_of(session, dept, fiscal_year)
    if review is None or review.state != "sent_back":
        raise ReviewRefused(
            f"{dept.name}の{fiscal_year_label(fiscal_year)}の回答は差戻し中ではありません。"
            "差戻しのブックは、差し戻した回答についてだけ作成できます。",
            f"The return of {dept.name} for FY{fiscal_year} is not sent back.")
    if path is None:
        path = Path(directory or Path.cwd()) / send_back_file_name(fiscal_year, dept.name)
    return write_return(session, dept, fiscal_year, path, remarks=remarks_of(session, review))


def remarks_of(session: Session, review: ReviewInfo) -> Remarks:
    names = _item_names(session, [i.item_code for i in review.items])
    when = f"{review.sent_back_at:%Y-%m-%d}" if review.sent_back_at else ""
    preface = [
        ("差戻し",
         f"本部（知事政策局）は {when} にこの回答を差し戻しました（{review.send_backs}回目）。"
         "オレンジ色の行（右端の「差戻しの理由」の列に【要修正】とある項目）を修正して、"
         "このブックを返送してください。このブックはそのまま回答として取り込めます。"),
        ("差戻しの理由", review.sent_back_reason),
    ]
    for number, item in enumerate(review.items):
        place = f"{sheet_of(item.entity)}シート {item.item_code}"
        name = names.get(item.item_code, "")
        preface.append(("修正する項目" if number == 0 else "",
                        f"{place}「{name}」: {item.reason}" if name else f"{place}: {item.reason}"))
    return Remarks(tuple(preface), {i.item_code: i.reason for i in review.items})


def _item_names(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    names = dict(session.execute(select(Kpi.code, Kpi.name).where(Kpi.code.in_(codes))).all())
    names.update(session.execute(
        select(Measure.code, Measure.title).where(Measure.code.in_(codes))).all())
    return names
