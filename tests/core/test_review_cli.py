"""`return review`, and the review states and refused files in `status` and `return history`:
what headquarters does from the command line."""

from __future__ import annotations

from openpyxl import load_workbook

from dxtracker.returns import layout
from tests.core.test_merge_support import cli, copy_db, export, fill, kpi, show

DEPT, FY = "土木部", 2022


def _status_line(out: str, department: str) -> list[str]:
    return next(line.split("\t") for line in out.splitlines()
                if "\t" in line and line.split("\t")[1] == department)


def test_send_back_fix_accept_and_a_later_change_refused(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    first = fill(export(hq, DEPT, FY, tmp_path / "first.xlsx"), kpis={"P03-K2": {"actual": 26}})
    assert cli(hq, "return", "merge", first)[0] == 0
    code, out, _ = cli(hq, "status", "--fy", "R4")
    assert _status_line(out, DEPT)[-2] == "受付" and "承認 0" in out

    code, out, err = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--send-back",
                         "--reason", "P03-K2を確認してください", "--item", "P03-K2=単位が違います",
                         "-o", tmp_path)
    assert code == 0, err
    workbook = tmp_path / "令和4年度_DX推進計画_回答_土木部_差戻し.xlsx"
    assert workbook.exists() and str(workbook) in out and "差戻し" in out
    sheet = load_workbook(workbook)[layout.KPI_SHEET]
    assert any(c.value == layout.FIX_MARK + "単位が違います" for row in sheet.iter_rows()
               for c in row)
    code, out, _ = cli(hq, "status", "--fy", "R4")
    assert _status_line(out, DEPT)[-2] == "差戻し" and "P03-K2を確認してください" in out
    code, out, _ = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--show")
    assert "差戻し（1回）" in out and "P03-K2: 単位が違います" in out

    fixed = fill(workbook, kpis={"P03-K2": {"actual": 24}}, target=tmp_path / "fixed.xlsx")
    assert cli(hq, "return", "merge", fixed)[0] == 0
    code, out, err = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--accept")
    assert code == 0 and "承認" in out and "変更できません" in out, err
    code, out, _ = cli(hq, "status", "--fy", "R4")
    assert _status_line(out, DEPT)[-2] == "承認" and "承認 1" in out

    code, _, err = cli(hq, "actual", "set", "--kpi", "P03-K2", "--fy", "R4", "--value", "25")
    assert code == 1 and "承認済み" in err and "再開" in err
    late = fill(export(hq, DEPT, FY, tmp_path / "late.xlsx"), kpis={"P03-K2": {"actual": 25}})
    code, out, _ = cli(hq, "return", "merge", late)
    assert code == 1 and "承認済み" in out and "KPI実績!J" in out
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 24

    code, _, err = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--reopen")
    assert code == 1 and "理由" in err
    code, out, _ = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--reopen",
                       "--reason", "訂正を受け付ける")
    assert code == 0 and "確認中" in out
    code, out, _ = cli(hq, "audit", "list", "--entity", "return_review")
    assert code == 0 and "訂正を受け付ける" in out
    code, out, err = cli(hq, "return", "merge", late)
    assert code == 0, out + err
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 25


def test_refused_files_are_listed_in_later_sessions(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    bad = fill(export(hq, DEPT, FY, tmp_path / "bad.xlsx"), kpis={"P03-K2": {"actual": "十二"}})
    assert cli(hq, "return", "merge", bad)[0] == 1
    # Each command is a session of its own: the refusal comes from the database.
    code, out, _ = cli(hq, "return", "history")
    assert code == 0 and "取り込めなかったファイル" in out
    line = next(line for line in out.splitlines() if "bad.xlsx" in line)
    assert "令和4年度" in line and DEPT in line and "十二" in line and "不受理" in line
    code, out, _ = cli(hq, "status", "--fy", "R4")
    status = _status_line(out, DEPT)
    assert status[0] == "★不受理" and "不受理1件（bad.xlsx）" in status[7]


def test_review_usage_errors(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    code, _, err = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--accept",
                       "--item", "P03-K2=x")
    assert code == 2 and "--send-back" in err
    code, _, err = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--accept")
    assert code == 1 and "まだ統合されていません" in err
    code, out, _ = cli(hq, "return", "review", "--dept", DEPT, "--fy", "R4", "--show")
    assert code == 0 and "まだ統合されていません" in out
