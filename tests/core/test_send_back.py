"""The send-back workbook (差戻し) and what accepting does to later returns: the workbook marks
the items to fix and says why beside each, reads back like any return and merges back (at
headquarters, or into the department's own database first); a return changing accepted figures
is refused field by field and remembered; undoing a merge puts the review state back."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from dxtracker.figures.entry import set_actual
from dxtracker.returns import layout
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.export import export_return
from dxtracker.returns.refusals import list_refusals
from dxtracker.returns.review import ReviewRefused, change_review
from dxtracker.returns.review_info import review_of
from dxtracker.returns.send_back import send_back_return, write_send_back_workbook
from dxtracker.returns.undo import UndoRefused, undo_last_merge
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_department
from tests.core.conftest import RETURN_DEPARTMENT as DEPT
from tests.core.conftest import RETURN_FISCAL_YEAR as FY
from tests.core.test_merge_support import copy_db, fill, read
from tests.helpers import stored_actual

ITEMS = {"P03-K3": "単位が件ではありません", "P03-M1": "取組実績が空欄です"}


def merged(db: Database, *paths: Path, tmp: Path, **options: object):  # type: ignore[no-untyped-def]
    report = merge_returns(db, list(paths), backup_dir=tmp / "backups", **options)  # type: ignore[arg-type]
    return report


def review_state(db: Database) -> str | None:
    with db.read() as session:
        info = review_of(session, find_department(session, DEPT), FY)
    return info.state if info else None


@pytest.fixture
def sent_back(db: Database, exported: Path, folder: Path, tmp_path: Path) -> Path:
    """The return merged (P03-K3 = 120), then sent back: the workbook for the department."""
    assert merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}}),
                  tmp=tmp_path).exit_code == 0
    info, result = send_back_return(db, DEPT, FY, reason="数値と取組を確認してください",
                                    items=ITEMS, directory=folder)
    assert info.state == "sent_back" and result.path.name.endswith("_差戻し.xlsx")
    return result.path


def _column(sheet, header: str) -> int:  # type: ignore[no-untyped-def]
    return next(c.column for c in sheet[1] if str(c.value or "").startswith(header))


def _row(sheet, code: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)


def test_the_workbook_marks_each_item_to_fix_in_words_and_colour(sent_back):
    book = load_workbook(sent_back)
    kpis = book[layout.KPI_SHEET]
    remark = _column(kpis, layout.REMARK_HEADER)
    actual = _column(kpis, "実績値")
    assert remark == len(layout.KPI_COLUMNS) + 1  # beside the table, a column of its own
    fixed, other = _row(kpis, "P03-K3"), _row(kpis, "P01-K1")
    assert kpis.cell(fixed, remark).value == layout.FIX_MARK + ITEMS["P03-K3"]
    assert kpis.cell(other, remark).value is None
    assert kpis.cell(fixed, actual).value == 120  # the department's figure as merged
    assert kpis.cell(fixed, actual).fill.fgColor.rgb.endswith(layout.FIX_FILL)
    assert kpis.cell(other, actual).fill.fgColor.rgb.endswith(layout.INPUT_FILL)
    assert not kpis.cell(fixed, actual).protection.locked
    assert kpis.cell(fixed, remark).protection.locked
    measures = book[layout.MEASURE_SHEET]
    assert measures.cell(_row(measures, "P03-M1"), _column(measures, layout.REMARK_HEADER)) \
        .value == layout.FIX_MARK + ITEMS["P03-M1"]
    instructions = [str(c.value) for row in book[layout.INSTRUCTIONS_SHEET].iter_rows()
                    for c in row if c.value]
    assert "数値と取組を確認してください" in instructions
    assert any("P03-K3" in t and ITEMS["P03-K3"] in t for t in instructions)


def test_the_workbook_reads_back_like_any_return_and_merges_back(db, sent_back, tmp_path):
    parsed = read(db, sent_back, expected_department=DEPT, expected_fiscal_year=FY)
    assert parsed.ok and not parsed.problems
    assert merged(db, sent_back, tmp=tmp_path).files[0].preview.changes == ()
    fixed = fill(sent_back, kpis={"P03-K3": {"actual": "12件"}},
                 measures={"P03-M1": {"record": "説明会を開催"}}, target=tmp_path / "fixed.xlsx")
    report = merged(db, fixed, tmp=tmp_path)
    assert report.exit_code == 0
    assert {(c.item_code, c.old, c.new) for c in report.files[0].preview.changes} == {
        ("P03-K3", "120", "12"), ("P03-M1", None, "説明会を開催")}
    assert stored_actual(db, "P03-K3", DEPT, FY) == "12"
    assert review_state(db) == "received"


def test_a_workbook_that_cannot_be_written_leaves_the_return_as_it_was(db, exported, tmp_path):
    assert merged(db, exported, tmp=tmp_path).exit_code == 0
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(Exception):  # noqa: B017 - whichever error the file system gives
        send_back_return(db, DEPT, FY, reason="要確認", items={}, path=blocker / "x.xlsx")
    assert review_state(db) == "received"
    with db.read() as session, pytest.raises(ReviewRefused, match="差戻し中ではありません"):
        write_send_back_workbook(session, DEPT, FY, tmp_path / "y.xlsx")


def test_the_department_can_merge_it_into_its_own_database_first(
        template_db, db, exported, sent_back, tmp_path):
    """The department's DX Tracker holds what it sent; headquarters corrected a note since. The
    workbook merged there brings headquarters' note along (its base is that database's own
    value); the department fixes the item there and exports a new return, which headquarters
    merges against its own figures."""
    own = copy_db(template_db, tmp_path / "department.sqlite3")
    with open_database(own) as department:
        set_actual(department, "P03-K3", FY, "120", department=DEPT)
        assert merged(department, sent_back, tmp=tmp_path / "d").exit_code == 0
        assert stored_actual(department, "P03-K3", DEPT, FY) == "120"
        set_actual(department, "P03-K3", FY, "12", department=DEPT)
        with department.read() as session:
            answer = export_return(session, DEPT, FY, tmp_path / "answer.xlsx")
    # Exported on the department's machine in the second of headquarters' merge, which the
    # diff cannot place before or after the export (the log stamps whole seconds): it would
    # be a conflict; in this test it is the department's figure that must arrive.
    report = merged(db, answer, tmp=tmp_path, take="theirs")
    assert report.exit_code == 0, [str(e) for e in report.files[0].preview.errors]
    assert stored_actual(db, "P03-K3", DEPT, FY) == "12"
    assert review_state(db) == "received"


def test_headquarters_edits_reach_the_department_through_the_workbook(
        template_db, db, exported, folder, tmp_path):
    assert merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}}),
                  tmp=tmp_path).exit_code == 0
    set_actual(db, "P03-K3", FY, "120", department=DEPT, note="本部で補記")
    _, result = send_back_return(db, DEPT, FY, reason="確認", items={"P03-K3": "備考"},
                                 directory=folder)
    own = copy_db(template_db, tmp_path / "department.sqlite3")
    with open_database(own) as department:
        set_actual(department, "P03-K3", FY, "120", department=DEPT)
        assert merged(department, result.path, tmp=tmp_path / "d").exit_code == 0
        with department.read() as session:
            note = export_return(session, DEPT, FY, tmp_path / "check.xlsx")
    sheet = load_workbook(note)[layout.KPI_SHEET]
    assert sheet.cell(_row(sheet, "P03-K3"), _column(sheet, "備考")).value == "本部で補記"


def test_accepted_figures_refuse_a_later_return_field_by_field(db, exported, folder, tmp_path):
    assert merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}}),
                  tmp=tmp_path).exit_code == 0
    accepted = change_review(db, DEPT, FY, "accept")
    with db.read() as session:
        later = export_return(session, DEPT, FY, folder / "later.xlsx")
    fill(later, kpis={"P03-K3": {"actual": 130, "note": "訂正"}},
         proposals=[{"kpi_code": "P03-K3", "fiscal_year": "令和5年度", "value": 200,
                     "reason": "上方修正"}])
    report = merged(db, later, tmp=tmp_path)
    assert report.exit_code == 1 and report.files[0].outcome == "refused"
    errors = report.files[0].preview.errors
    assert [(e.sheet, e.cell) for e in errors] == [(layout.KPI_SHEET, "J5"),
                                                    (layout.KPI_SHEET, "K5")]
    assert all(f"{accepted.accepted_at:%Y-%m-%d}" in e.message_ja and accepted.accepted_by
               in e.message_ja for e in errors)
    assert "承認済み「120」、回答「130」" in errors[0].message_ja
    assert stored_actual(db, "P03-K3", DEPT, FY) == "120"
    # Remembered across sessions, with every reason; once.
    assert merged(db, later, tmp=tmp_path).exit_code == 1
    with db.read() as session:
        refusals = list_refusals(session, fiscal_year=FY)
    assert len(refusals) == 1 and refusals[0].department_name == DEPT
    assert [p.cell for p in refusals[0].reasons] == ["J5", "K5"]
    # Reopened, the same file merges whole; the refusal is settled.
    change_review(db, DEPT, FY, "reopen", reason="訂正を受け付ける")
    assert merged(db, later, tmp=tmp_path).exit_code == 0
    assert stored_actual(db, "P03-K3", DEPT, FY) == "130"
    with db.read() as session:
        assert list_refusals(session, unresolved=True) == []
        assert list_refusals(session)[0].resolved_at is not None


def test_a_dry_run_remembers_refusals_only_when_asked(db, exported, tmp_path):
    bad = fill(exported, kpis={"P03-K3": {"actual": "十二"}}, target=tmp_path / "bad.xlsx")
    assert merged(db, bad, tmp=tmp_path, dry_run=True).exit_code == 1
    with db.read() as session:
        assert list_refusals(session) == []
    merged(db, bad, tmp=tmp_path, dry_run=True, record_refused=True)
    with db.read() as session:
        [refusal] = list_refusals(session)
    assert refusal.file_name == "bad.xlsx" and refusal.fiscal_year == FY
    assert "十二" in refusal.first_reason() and refusal.reasons[0].cell.startswith("J")


def test_undo_puts_the_review_state_back_and_respects_the_lock(db, exported, folder, tmp_path):
    assert merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}}),
                  tmp=tmp_path).exit_code == 0
    change_review(db, DEPT, FY, "send_back", reason="要修正", items={"P03-K3": "誤り"})
    with db.read() as session:
        fix = fill(export_return(session, DEPT, FY, folder / "fix.xlsx"),
                   kpis={"P03-K3": {"actual": 12}})
    assert merged(db, fix, tmp=tmp_path).exit_code == 0 and review_state(db) == "received"
    undo_last_merge(db)
    assert review_state(db) == "sent_back" and stored_actual(db, "P03-K3", DEPT, FY) == "120"
    assert merged(db, fix, tmp=tmp_path).exit_code == 0
    change_review(db, DEPT, FY, "accept")
    with pytest.raises(UndoRefused, match="承認済み"):
        undo_last_merge(db)
    assert stored_actual(db, "P03-K3", DEPT, FY) == "12"
    change_review(db, DEPT, FY, "reopen", reason="取消しのため")
    with pytest.raises(ReviewRefused, match="確認状況"):  # reviewed since the merge
        undo_last_merge(db)
    assert stored_actual(db, "P03-K3", DEPT, FY) == "12"


def test_undoing_the_first_merge_leaves_no_review(db, exported, tmp_path):
    assert merged(db, fill(exported, kpis={"P03-K3": {"actual": 120}}),
                  tmp=tmp_path).exit_code == 0
    assert review_state(db) == "received"
    undo_last_merge(db)
    assert review_state(db) is None
