"""The `return` and `status` command line: a contract that scripts rely on."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from dxtracker.returns import layout
from tests.core.test_merge_support import (
    FIGURES_ONLY,
    cli,
    copy_db,
    count,
    dump,
    export,
    fill,
    kpi,
    plan_dump,
    show,
)


def test_export_to_a_folder_uses_the_default_file_name(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    code, out, _ = cli(hq, "return", "export", "--dept", "商工労働部", "--fy", "R4", "-o",
                       tmp_path)
    assert code == 0
    assert (tmp_path / "令和4年度_DX推進計画_回答_商工労働部.xlsx").exists()
    assert "令和4年度_DX推進計画_回答_商工労働部.xlsx" in out


def test_merge_prints_changes_and_exits_0(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "土木部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K2": {"actual": "２６件", "note": "速報"}})
    code, out, _ = cli(hq, "return", "merge", path, "--dry-run")
    assert code == 0
    assert "P03-K2 実績値" in out and "（空欄） → 26" in out
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"] is None
    code, out, _ = cli(hq, "return", "merge", path)
    assert code == 0 and "統合しました" in out
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 26


def test_conflict_exits_3_and_take_theirs_applies_it(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "土木部", 2022, tmp_path / "r.xlsx"), kpis={"P03-K2": {"actual": 26}})
    assert cli(hq, "actual", "set", "--kpi", "P03-K2", "--fy", "2022", "--value", "24")[0] == 0
    before = dump(hq)
    code, out, _ = cli(hq, "return", "merge", path, "--dry-run")
    assert code == 3 and dump(hq) == before
    code, out, _ = cli(hq, "return", "merge", path)
    assert code == 3
    assert "出力時「（空欄）」 / 回答「26」 / 本部「24」" in out
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 24
    code, out, _ = cli(hq, "return", "merge", path, "--take", "theirs")
    assert code == 0
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 26


def test_same_file_stale_force_history_and_undo(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    dept = copy_db(template_db, tmp_path / "dept.sqlite3")
    old = fill(export(dept, "土木部", 2022, tmp_path / "old.xlsx"), kpis={"P08-K1": {"actual": 21}})
    new = fill(export(dept, "土木部", 2022, tmp_path / "new.xlsx"), kpis={"P03-K2": {"actual": 22}})
    assert cli(hq, "return", "merge", new)[0] == 0
    code, out, _ = cli(hq, "return", "merge", new)
    assert code == 0 and "同じ内容のため、何も変更していません" in out
    before = plan_dump(hq)
    code, out, _ = cli(hq, "return", "merge", old)
    assert code == 1 and "古い" in out and "--force" in out
    assert plan_dump(hq) == before and count(hq, "refused_return") == 1
    assert cli(hq, "return", "merge", old, "--force")[0] == 0
    assert kpi(show(hq), "P08-K1")["actuals"]["2022"]["value"] == 21
    code, out, _ = cli(hq, "return", "history")
    assert code == 0 and "old.xlsx" in out and "new.xlsx" in out and "強制" in out
    assert "後に統合" in out  # the stale file refused at first, merged with --force later
    code, out, _ = cli(hq, "return", "undo")
    assert code == 0 and "old.xlsx" in out
    assert kpi(show(hq), "P08-K1")["actuals"]["2022"] is None
    assert kpi(show(hq), "P03-K2")["actuals"]["2022"]["value"] == 22
    code, out, _ = cli(hq, "return", "history")
    assert "取消済み" in out


def test_undo_with_nothing_to_undo_is_a_user_error(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    code, _, err = cli(hq, "return", "undo")
    assert code == 1 and "取り消せる統合はありません" in err


def _bad_files(template_db: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Bad returns, each with a piece of the message that must name what is wrong."""
    source = copy_db(template_db, tmp_path / "source.sqlite3")
    good = export(source, "土木部", 2022, tmp_path / "good.xlsx")
    bad: dict[str, tuple[Path, str]] = {}
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(os.urandom(4096))
    bad["random bytes"] = (noise, "noise.xlsx")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:3000])
    bad["truncated zip"] = (truncated, "truncated.xlsx")
    csv = tmp_path / "csv.xlsx"
    csv.write_text("指標コード,実績値\nP03-K2,26\n", encoding="utf-8")
    bad["csv renamed"] = (csv, "csv.xlsx")
    bad["value that does not parse"] = (
        fill(good, kpis={"P03-K2": {"actual": "十二"}}, target=tmp_path / "kanji.xlsx"),
        f"{layout.KPI_SHEET}!J")
    book = load_workbook(good)
    sheet = book[layout.KPI_SHEET]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet[f"A{r}"].value == "P03-K2")
    sheet[f"G{row}"].value = 1  # the target: a locked cell
    book.save(tmp_path / "locked.xlsx")
    bad["locked cell edited"] = (tmp_path / "locked.xlsx", f"{layout.KPI_SHEET}!G{row}")
    other = export(source, "商工労働部", 2022, tmp_path / "other.xlsx")
    book = load_workbook(good)
    sheet = book[layout.KPI_SHEET]
    foreign = load_workbook(other)[layout.KPI_SHEET]
    pasted = sheet.max_row + 1
    for column in range(1, foreign.max_column + 1):  # 商工労働部's row pasted into 土木部's
        sheet.cell(pasted, column).value = foreign.cell(2, column).value
    sheet.cell(pasted, 10).value = 99
    book.save(tmp_path / "foreign.xlsx")
    bad["row of another department"] = (tmp_path / "foreign.xlsx", layout.KPI_SHEET)
    return bad


def test_bad_files_are_refused_by_cell_and_change_nothing(template_db, tmp_path):
    """Nothing but the record of the refused file itself (refusals.py)."""
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    before = plan_dump(hq)
    for number, (name, (path, where)) in enumerate(
            _bad_files(template_db, tmp_path).items(), start=1):
        code, out, _ = cli(hq, "return", "merge", path)
        assert code == 1, name
        assert "統合しませんでした" in out and where in out, (name, out)
        assert plan_dump(hq) == before, name
        assert count(hq, "refused_return") == number, name


def test_a_good_file_is_merged_beside_refused_ones(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    bad = [path for path, _ in _bad_files(template_db, tmp_path).values()]
    good = fill(export(hq, "企業局", 2022, tmp_path / "kigyo.xlsx"),
                measures={"P08-M1": {"status": "順調"}})
    code, out, _ = cli(hq, "return", "merge", *bad[:3], good, *bad[3:])
    assert code == 1
    assert out.count("統合しませんでした") == len(bad)
    assert count(hq, "return_import") == 1
    assert count(hq, "merge_change", FIGURES_ONLY) == 1


def test_zip_bomb_is_refused_quickly(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(300):  # 300 MiB of blanks, about 300 KB compressed
                sheet.write(b" " * (1024 * 1024))
    before = plan_dump(hq)
    code, out, _ = cli(hq, "return", "merge", bomb)
    assert code == 1 and "bomb.xlsx" in out
    assert plan_dump(hq) == before


def test_status_shows_who_sent_what(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "企業局", 2022, tmp_path / "kigyo.xlsx"),
                measures={"P08-M1": {"status": "順調"}})
    assert cli(hq, "return", "merge", path)[0] == 0
    code, out, _ = cli(hq, "status", "--fy", "令和4年度")
    assert code == 0
    lines = {line.split("\t")[1]: line for line in out.splitlines() if "\t" in line}
    assert lines["企業局"].startswith("統合済み") and "kigyo.xlsx" in lines["企業局"]
    assert lines["土木部"].startswith("★未提出")
    assert "未提出: " in out and "企業局" not in out.splitlines()[-1]


def test_status_of_a_year_outside_the_plan_is_a_user_error(template_db, tmp_path):
    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    code, _, err = cli(hq, "status", "--fy", "2030")
    assert code == 1 and "計画期間" in err
