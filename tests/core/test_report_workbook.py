"""The consolidated workbook: read it back and find every figure of the seed's KPI tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText

from dxtracker.cli import main
from dxtracker.figures.entry import set_progress
from dxtracker.report.data_sheet import HEADER
from dxtracker.report.summary import build_report_data
from dxtracker.report.workbook import DATA_SHEET, SUMMARY_SHEET, project_sheet_name, write_report
from tests.core.conftest import SEED_DOCUMENT

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")
RED = "FFD00000"


def write(db, path: Path, fiscal_year=None):
    with db.read() as session:
        data = build_report_data(session, fiscal_year)
    write_report(data, path)
    return data


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, template_db):
    """The report of the embedded plan, untouched: written once for the module."""
    from dxtracker.store.connect import open_database

    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    with open_database(template_db) as db:
        data = write(db, path)
    return data, load_workbook(path, rich_text=True)


def text_of(value) -> str:
    return "" if value is None else str(value)


def kpi_rows(sheet):
    """KPI code → its row on a project sheet (codes sit in column A)."""
    rows = {}
    for row in sheet.iter_rows(min_col=1, max_col=1):
        value = row[0].value
        if isinstance(value, str) and re.fullmatch(r"P\d+-K\d+", value):
            rows[value] = row[0].row
    return rows


def figure(value) -> str:
    return value["display"] if value else "—"


def test_every_figure_of_the_kpi_tables_is_in_the_workbook(embedded):
    data, book = embedded
    years = data.fiscal_years
    checked = 0
    for project in data.projects:
        sheet = book[project_sheet_name(project)]
        rows = kpi_rows(sheet)
        for kpi in project["kpis"]:
            cells = [c.value for c in sheet[rows[kpi["code"]]]]
            assert text_of(cells[2]) == figure(kpi["baseline"]), kpi["code"]
            for i, fy in enumerate(years):
                target, actual = text_of(cells[3 + 2 * i]), text_of(cells[4 + 2 * i])
                expected = figure(kpi["targets"][str(fy)])
                revisions = [r for r in kpi["revisions"] if r["fiscal_year"] == fy]
                if revisions:
                    expected += f" ({figure(revisions[0]['old_value'])}からの修正)"
                assert target.split("\n")[0] == expected, (kpi["code"], fy)
                value = kpi["actuals"][str(fy)]
                assert actual.split("\n")[0] == (value["display"] if value else ""), kpi["code"]
                checked += 1
    assert checked == 28 * 3


def test_revisions_read_as_in_the_seed_in_words_and_in_red(embedded):
    data, book = embedded
    sheet = book[project_sheet_name(data.projects[0])]
    cell = sheet.cell(row=kpi_rows(sheet)["P01-K3"], column=6)  # 令和4年度 目標
    assert isinstance(cell.value, CellRichText)
    assert str(cell.value) == "10,000 (8,000からの修正)"
    assert "10,000 (8,000からの修正)" in SEED
    assert all(block.font.color.rgb == RED for block in cell.value)
    red_cells = [c for ws in book.worksheets[1:-1] for row in ws.iter_rows() for c in row
                 if isinstance(c.value, CellRichText) and "からの修正" in str(c.value)]
    assert len(red_cells) == SEED.count("からの修正")
    for c in red_cells:
        new, old = re.fullmatch(r"(.+) \((.+)からの修正\)", str(c.value)).groups()
        assert f"{new} ({old}からの修正)" in SEED


def test_project_sheets_follow_the_seed_layout(embedded):
    data, book = embedded
    project = data.projects[7]  # (8) with the composite KPI and three schedule rows
    sheet = book[project_sheet_name(project)]
    values = [text_of(c.value) for row in sheet.iter_rows() for c in row]
    assert "ビジョン" in values and "主管部局" in values and "概ね3年後の姿" in values
    assert "(8)DXによる安全・安心とやま推進プロジェクト" in values
    assert "土木部" in values
    assert any(v.startswith("①デジタル技術を活用し") for v in values)
    for header in ("指標項目", "現状\n(令和2年度)", "目標", "実績", "主な施策", "担当部局"):
        assert header in values
    assert "県設置:165 他機関:更なる拡大" in values
    assert any(v.startswith("施策推進にあたっての留意点") for v in values)
    assert any(v.startswith("左の対応方針") for v in values)
    # A schedule box spanning two fiscal years is one merged box over their four columns.
    box = next(c for row in sheet.iter_rows() for c in row
               if text_of(c.value).startswith("監視カメラによる路面状況等"))
    merged = next(r for r in sheet.merged_cells.ranges if box.coordinate in r)
    assert (merged.min_col, merged.max_col) == (4, 9)


def test_progress_from_the_returns_is_labelled_by_department(db, tmp_path):
    set_progress(db, "P01-M1", 2021, "知事政策局", status="順調", record="3,700件に対応")
    set_progress(db, "P01-M1", 2021, "商工労働部", status="やや遅れ",
                 record="=HYPERLINK(\"x\") 補助金の電子化", issues="市町村経由の手続")
    write(db, tmp_path / "r.xlsx", 2021)
    book = load_workbook(tmp_path / "r.xlsx", rich_text=True)
    sheet = book["P01 スマート県庁推進プロジェクト"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    record = next(c for c in cells if "3,700件に対応" in text_of(c.value))
    text = text_of(record.value)
    assert "【知事政策局】" in text and "【商工労働部】" in text and "［課題］市町村経由の手続" in text
    assert record.data_type == "s"  # the typed "=" stays text, never a formula
    status = next(c for c in cells if text_of(c.value).startswith("令和3年度の進捗状況"))
    assert "知事政策局: 順調" in status.value and "商工労働部: やや遅れ" in status.value
    assert "未報告: 地方創生局" in status.value


def test_data_sheet_is_machine_readable(embedded):
    data, book = embedded
    sheet = book[DATA_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert not sheet.merged_cells.ranges
    assert all(any(v is not None for v in row) for row in rows)  # no blank layout rows
    index = {(r[0], r[3] or "", r[5], r[7]): r for r in rows[1:]}
    assert index[("P01-K1", "", 2020, "baseline")][9] == 102
    assert index[("P01-K1", "", 2021, "target")][6] == "令和3年度"
    assert index[("P02-K1", "", 2022, "target")][9] == "90~100"
    assert index[("P05-K1", "", 2023, "target")][9] == 40.0
    assert index[("P06-K4", "", 2021, "target")][9] is None  # blank, not 0
    assert index[("P04-K3", "", 2021, "actual")][9] == 0  # zero, not blank
    assert index[("P08-K2", "他機関", 2021, "actual")][9] == 179
    revised = sorted(r[9] for r in rows[1:] if r[0] == "P01-K3" and r[7] == "revised_from")
    assert revised == [8000, 10000]
    assert all("へ修正" in r[10] for r in rows[1:] if r[7] == "revised_from")
    for kpi in (k for p in data.projects for k in p["kpis"]):
        for fy in data.fiscal_years:
            assert any(r[0] == kpi["code"] and r[5] == fy and r[7] == "target"
                       for r in rows[1:])


def test_summary_sheet_grades_statuses_and_returns(embedded):
    data, book = embedded
    sheet = book[SUMMARY_SHEET]
    values = [text_of(c.value) for row in sheet.iter_rows() for c in row]
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows()
            if isinstance(row[0].value, str) and re.fullmatch(r"P\d+-K\d+", row[0].value)}
    assert len(rows) == 28
    assert rows["P01-K1"][7:9] == ["52.8%", "C"]
    assert rows["P01-K3"][7:9] == ["287.6%", "A"]
    assert rows["P07-K2"][8] == "評価不能" and "手動" in rows["P07-K2"][10]
    assert "└ 内訳: 県設置" in values
    assert any(v.startswith("回答の提出状況") for v in values)
    assert data.submissions.rows or data.submissions.note in values
    assert len(sheet._images) == 1  # the overview


def test_print_layout(embedded):
    data, book = embedded
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # "9"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    project = book[project_sheet_name(data.projects[0])]
    assert project.print_title_rows == "$1:$4"
    assert project.row_breaks.brk  # the charts start on a page of their own
    assert len(project._images) == len(data.projects[0]["kpis"])


def test_report_command(db_path, tmp_path, capsys):
    out = tmp_path / "報告書.xlsx"
    pdf = tmp_path / "報告書.pdf"
    assert main(["--db", str(db_path), "report", "-o", str(out), "--fy", "R3",
                 "--pdf", str(pdf)]) == 0
    printed = capsys.readouterr().out
    assert "令和3年度" in printed and "PDF" in printed
    assert load_workbook(out).sheetnames[0] == SUMMARY_SHEET
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_report_command_refuses_what_it_cannot_do(db_path, tmp_path, capsys):
    assert main(["--db", str(db_path), "report", "-o", str(tmp_path / "x.xlsx"),
                 "--fy", "2030"]) == 1
    assert "計画期間" in capsys.readouterr().err
    assert main(["--db", str(db_path), "report", "-o", str(tmp_path / "no" / "x.xlsx")]) == 1
    assert "フォルダ" in capsys.readouterr().err
