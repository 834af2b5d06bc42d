"""前年度比較: every KPI and measure, previous and current value side by side, changed marked —
since last year, and since the department's last accepted (or merged) return."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.report.comparison import (
    ComparedValue,
    Comparison,
    build_comparison,
    changed_mark,
    checkpoint_text,
    field_label,
)
from dxtracker.report.comparison_sheet import write_comparison_sheet
from dxtracker.report.wording import Wording
from dxtracker.returns import review
from dxtracker.returns.apply import merge_returns
from dxtracker.store.db import Database
from tests.core.test_merge_support import fill

DEPT = "商工労働部"  # reports P01-K1, P01-K3 (全部局, summed), P03-K1, P03-K3; P03-M1 and others


def compare(db: Database, fiscal_year: int, **options: object) -> Comparison:
    with db.read() as session:
        return build_comparison(session, fiscal_year, **options)  # type: ignore[arg-type]


def rows_of(comparison: Comparison, code: str, department: str | None = None
            ) -> dict[str, ComparedValue]:
    """field → row of one item (and department: "" the KPI as a whole)."""
    return {r.field: r for r in comparison.rows if r.code == code
            and (department is None or r.department == department)}


def test_since_last_year_shows_targets_actuals_and_notes_of_both_years(db: Database) -> None:
    set_actual(db, "P03-K1", 2021, "30", department=DEPT, note="前年の備考")
    set_actual(db, "P03-K1", 2022, "45", department=DEPT, note="前年の備考")
    comparison = compare(db, 2022)
    rows = rows_of(comparison, "P03-K1", "")
    snapshot_rows = {r.field for r in comparison.rows if r.code == "P03-K1"}
    assert snapshot_rows == {"target", "actual", "note"}
    assert (rows["actual"].previous, rows["actual"].current) == ("30", "45")
    assert rows["actual"].changed and rows["actual"].difference == "+15"
    assert rows["note"].previous == rows["note"].current == "前年の備考"
    assert not rows["note"].changed and rows["note"].difference == ""
    target = rows["target"]  # the seed's targets: 令和3年度 36, 令和4年度 40
    assert (target.previous, target.current) == ("36", "40") and target.changed
    assert comparison.since == "year" and comparison.previous_year == 2021
    changed = {r.field for r in comparison.changed_rows if r.code == "P03-K1"}
    assert changed == {"target", "actual"}


def test_the_first_plan_year_is_compared_with_the_baseline(db: Database) -> None:
    comparison = compare(db, 2021)
    with db.read() as session:
        from dxtracker.plan.snapshot import plan_snapshot

        kpi = next(k for p in plan_snapshot(session)["projects"] for k in p["kpis"]
                   if k["code"] == "P01-K3")
    actual = rows_of(comparison, "P01-K3", "")["actual"]
    assert kpi["baseline_fiscal_year"] == 2020
    assert actual.previous == kpi["baseline"]["display"] == "5,945"
    assert actual.current == kpi["actuals"]["2021"]["display"]
    assert rows_of(comparison, "P01-K3", "")["target"].previous is None  # no 2020 target


def test_contributions_of_a_summed_kpi_per_department(db: Database) -> None:
    set_actual(db, "P01-K3", 2021, "100", department=DEPT)
    set_actual(db, "P01-K3", 2022, "100", department=DEPT)
    set_actual(db, "P01-K3", 2022, "250", department="土木部")
    comparison = compare(db, 2022)
    mine, theirs = rows_of(comparison, "P01-K3", DEPT), rows_of(comparison, "P01-K3", "土木部")
    assert (mine["contribution"].previous, mine["contribution"].current) == ("100", "100")
    assert not mine["contribution"].changed
    assert (theirs["contribution"].previous, theirs["contribution"].current) == (None, "250")
    assert theirs["contribution"].changed and theirs["contribution"].difference == ""
    assert set(rows_of(comparison, "P01-K3", "")) == {"target", "actual"}  # the KPI's total
    # Departments that have reported nothing in either year are left out of headquarters' view
    # (thirteen blank blocks of a 全部局 KPI); a department's own view keeps its blanks.
    assert rows_of(comparison, "P01-K3", "企業局") == {}
    own = rows_of(compare(db, 2022, department="企業局"), "P01-K3", "企業局")
    assert (own["contribution"].previous, own["contribution"].current) == (None, None)


def test_measures_per_department_and_field(db: Database) -> None:
    set_progress(db, "P03-M1", 2021, DEPT, status="順調", record="説明会", issues="人手")
    set_progress(db, "P03-M1", 2022, DEPT, status="やや遅れ", record="説明会", issues="")
    rows = rows_of(compare(db, 2022), "P03-M1", DEPT)
    assert list(rows) == ["status", "record", "issues", "next_policy"]
    assert (rows["status"].previous, rows["status"].current, rows["status"].changed) == (
        "順調", "やや遅れ", True)
    assert not rows["record"].changed
    assert (rows["issues"].previous, rows["issues"].current) == ("人手", None)
    assert not rows["next_policy"].changed  # blank both years


def test_a_department_sees_its_own_items_only(db: Database) -> None:
    set_actual(db, "P01-K3", 2022, "250", department="土木部")
    comparison = compare(db, 2022, department=DEPT)
    assert {r.department for r in comparison.rows} <= {DEPT, ""}
    codes = {r.code for r in comparison.rows}
    assert {"P01-K3", "P03-K1", "P03-M1"} <= codes and "P03-K2" not in codes  # 土木部's KPI
    summed = rows_of(comparison, "P01-K3")
    assert set(summed) == {"target", "contribution", "note"}  # its part, not the total
    assert summed["contribution"].department == DEPT


def merged_return(db: Database, exported: Path, tmp_path: Path, **values: object) -> Path:
    path = fill(exported, **values)  # type: ignore[arg-type]
    report = merge_returns(db, [path], backup_dir=tmp_path / "backups")
    assert report.exit_code == 0, [f.preview.errors for f in report.files]
    return path


def test_since_the_last_return_without_acceptance_uses_the_merged_one(
        db: Database, exported: Path, tmp_path: Path) -> None:
    path = merged_return(db, exported, tmp_path,
                         kpis={"P03-K1": {"actual": 40, "note": "回答の備考"}},
                         measures={"P03-M1": {"status": "順調", "record": "説明会を開催"}})
    set_actual(db, "P03-K1", 2022, "45", department=DEPT, source="form")
    set_progress(db, "P03-M1", 2022, DEPT, issues="人手不足", source="form")
    set_actual(db, "P03-K2", 2022, "26", department="土木部")  # no return from 土木部
    comparison = compare(db, 2022, since="return")
    actual = rows_of(comparison, "P03-K1", DEPT)
    assert (actual["actual"].previous, actual["actual"].current) == ("40", "45")
    assert actual["actual"].changed and not actual["note"].changed
    progress = rows_of(comparison, "P03-M1", DEPT)
    assert (progress["status"].previous, progress["status"].changed) == ("順調", False)
    assert (progress["issues"].previous, progress["issues"].current) == (None, "人手不足")
    other = rows_of(comparison, "P03-K2", "土木部")["actual"]
    assert (other.previous, other.current, other.changed) == (None, "26", True)
    bases = {c.department: c for c in comparison.checkpoints}
    assert (bases[DEPT].basis, bases[DEPT].file_name) == ("merged", path.name)
    assert bases["土木部"].basis == "none"
    assert path.name in checkpoint_text(Wording("ja"), bases[DEPT])
    assert "target" not in {r.field for r in comparison.rows}  # returns carry no targets


def test_an_accepted_return_is_the_basis_once_there_is_one(
        db: Database, exported: Path, tmp_path: Path) -> None:
    merged_return(db, exported, tmp_path, kpis={"P03-K1": {"actual": 40}})
    set_actual(db, "P03-K1", 2022, "42", department=DEPT, source="form")  # before accepting
    review.change_review(db, DEPT, 2022, "accept")
    review.change_review(db, DEPT, 2022, "reopen", reason="数値の確認")
    set_actual(db, "P03-K1", 2022, "47", department=DEPT, source="form")
    comparison = compare(db, 2022, since="return", department=DEPT)
    actual = rows_of(comparison, "P03-K1", DEPT)["actual"]
    assert (actual.previous, actual.current) == ("42", "47")  # as accepted, and now
    (checkpoint,) = comparison.checkpoints
    assert checkpoint.basis == "accepted" and checkpoint.at is not None
    assert "承認" in checkpoint_text(Wording("ja"), checkpoint)


def test_the_sheet_marks_changes_by_symbol_and_column(db: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    set_actual(db, "P03-K1", 2022, "45", department=DEPT)
    comparison = compare(db, 2022)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    changed = write_comparison_sheet(sheet, comparison, Wording("ja"))
    book.save(tmp_path / "c.xlsx")
    sheet = load_workbook(tmp_path / "c.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[4]]
    assert header[:9] == ["変更", "プロジェクト", "コード", "指標・施策", "部局", "項目", "令和3年度",
                          "令和4年度", "差"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == len(comparison.rows)
    marked = [r for r in rows if r[0] == changed_mark(Wording("ja"))]
    assert len(marked) == changed == len(comparison.changed_rows) > 0
    actual = next(r for r in rows if r[2] == "P03-K1" and r[5] == field_label(Wording("ja"),
                                                                              "actual"))
    assert actual[0] == "● 変更あり" and actual[7] == "45"
    assert sheet.auto_filter.ref.startswith("A4:")
    unchanged = next(r for r in rows if not r[0])
    assert unchanged[6] == unchanged[7]
