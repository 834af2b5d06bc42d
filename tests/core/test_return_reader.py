"""Reading returns that people filled in: by code, not position; every value validated again."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import openpyxl
import pytest

from dxtracker.errors import NotFound
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns import export_return, layout
from tests.core.test_merge_support import read

FY = 2022
DEPT = "商工労働部"  # reports P01-K1, P01-K3 (全部局), P03-K1, P03-K3; measures P01-M1…, P03-M1


class Edit:
    """A workbook opened with openpyxl as a person would edit it in Excel, saved on exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)

    def __enter__(self) -> Edit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.book.save(self.path)

    def sheet(self, name: str):
        return self.book[name]

    def row_of(self, sheet: str, code: str) -> int:
        ws = self.book[sheet]
        return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)

    def cell(self, sheet: str, code: str, header_start: str):
        ws = self.book[sheet]
        column = next(c.column for c in ws[1] if str(c.value).startswith(header_start))
        return ws.cell(self.row_of(sheet, code), column)


def kpi(parsed, code):
    return next(e for e in parsed.kpis if e.kpi_code == code)


def measure(parsed, code):
    return next(e for e in parsed.measures if e.measure_code == code)


def errors(parsed) -> list[str]:
    return [str(p) for p in parsed.problems if p.severity == "error"]


def test_a_file_edited_by_hand_reads_correctly(db, exported):
    set_actual(db, "P03-K3", FY, "5")  # headquarters' value at export: the merge base
    with db.read() as session:
        export_return(session, DEPT, FY, exported)
    with Edit(exported) as edit:
        edit.cell("KPI実績", "P03-K1", "実績値").value = "４５．５％"
        edit.cell("KPI実績", "P03-K3", "実績値").value = "１，２３４件 "
        edit.cell("KPI実績", "P01-K1", "実績値").value = "約1,900"
        edit.cell("KPI実績", "P01-K1", "備考").value = "見込み\n（3月末）"
        edit.cell("施策進捗", "P03-M1", "進捗状況").value = " 概ね順調 "
        edit.cell("施策進捗", "P03-M1", "取組実績").value = "セミナーを3回開催"
        kpis = edit.sheet("KPI実績")
        # Reorder: the last row moves to the top; blank rows inserted; a row hidden.
        last = [c.value for c in kpis[kpis.max_row]]
        kpis.delete_rows(kpis.max_row)
        kpis.insert_rows(2, amount=3)
        for column, value in enumerate(last, start=1):
            kpis.cell(3, column).value = value
        kpis.row_dimensions[edit.row_of("KPI実績", "P03-K1")].hidden = True
        edit.sheet("施策進捗").insert_rows(2)
    parsed = read(db, exported, expected_department=DEPT, expected_fiscal_year=FY)
    assert parsed.problems == ()
    assert kpi(parsed, "P03-K1").value == "45.5"
    assert kpi(parsed, "P03-K3").value == "1,234"
    assert kpi(parsed, "P03-K3").base_value == "5"  # the value it was exported with
    assert kpi(parsed, "P01-K1").value == "約1,900"
    assert kpi(parsed, "P01-K1").note == "見込み\n（3月末）"
    assert measure(parsed, "P03-M1").status == "概ね順調"
    assert measure(parsed, "P03-M1").record == "セミナーを3回開催"
    assert measure(parsed, "P03-M1").base_status is None
    assert {e.row for e in parsed.kpis} == {3, 5, 6, 7}
    assert kpi(parsed, "P03-K3").row == 3  # the moved row, read by its code


def test_full_width_codes_and_number_cells(db, exported):
    with Edit(exported) as edit:
        edit.cell("KPI実績", "P03-K3", "実績値").value = 12
        edit.sheet("KPI実績").cell(edit.row_of("KPI実績", "P03-K1"), 1).value = "Ｐ０３－Ｋ１ "
    parsed = read(db, exported)
    assert parsed.ok, parsed.problems
    assert kpi(parsed, "P03-K3").value == "12"
    assert kpi(parsed, "P03-K1").value is None


def test_a_percentage_typed_in_excel_is_read_as_percent(db, exported):
    # Excel stores a typed "45.5%" as 0.455 in a percent-formatted cell.
    with Edit(exported) as edit:
        cell = edit.cell("KPI実績", "P03-K1", "実績値")
        cell.value, cell.number_format = 0.455, "0.0%"
        cell = edit.cell("KPI実績", "P03-K3", "実績値")  # unit 件: a percentage is wrong
        cell.value, cell.number_format = 0.5, "0%"
    parsed = read(db, exported)
    assert kpi(parsed, "P03-K1").value == "45.5"
    messages = errors(parsed)
    assert len(messages) == 1 and "単位" in messages[0] and "P03-K3" in messages[0]


def test_kanji_numerals_are_refused_naming_the_cell(db, exported):
    with Edit(exported) as edit:
        cell = edit.cell("KPI実績", "P03-K1", "実績値")
        cell.value = "十二"
        where = cell.coordinate
    parsed = read(db, exported)
    assert not parsed.ok
    (message,) = errors(parsed)
    assert f"KPI実績!{where}:" in message and "「十二」" in message
    assert message.startswith(exported.name)
    assert "P03-K1" not in [e.kpi_code for e in parsed.kpis]


def test_every_value_is_validated_again(db, exported):
    with Edit(exported) as edit:
        edit.cell("施策進捗", "P03-M1", "進捗状況").value = "とても順調"
        edit.cell("KPI実績", "P03-K1", "実績値").value = "=40+5"
        edit.cell("KPI実績", "P03-K3", "実績値").value = datetime.datetime(2022, 4, 1)
        edit.cell("KPI実績", "P01-K1", "備考").value = "=A1"
        edit.cell("KPI実績", "P01-K3", "実績値").value = True
    parsed = read(db, exported)
    by_cell = {p.where: p.message_ja for p in parsed.problems}
    assert len(parsed.problems) == 5
    assert any("進捗状況「とても順調」" in m for m in by_cell.values())
    assert sum("数式" in m for m in by_cell.values()) == 2
    assert any("日付" in m for m in by_cell.values())
    assert all(w.startswith(("KPI実績!", "施策進捗!")) for w in by_cell)


def test_a_row_pasted_from_another_department_is_refused(db, tmp_path, exported):
    other = tmp_path / "other"
    other.mkdir()
    with db.read() as session:
        theirs = export_return(session, "農林水産部", FY, directory=other)
    source = openpyxl.load_workbook(theirs)["KPI実績"]
    with Edit(exported) as edit:
        kpis = edit.sheet("KPI実績")
        row = next([c.value for c in r] for r in source.iter_rows(min_row=2)
                   if r[0].value == "P04-K1")  # reported by 農林水産部 only
        row[9] = 700
        kpis.append(row)
        kpis.append(["P99-K9", "", "", "", "", "", "", "", "", 1, ""])
    parsed = read(db, exported)
    messages = errors(parsed)
    assert len(messages) == 2
    assert f"KPI実績!A{kpis.max_row - 1}:" in messages[0] and "P04-K1" in messages[0]
    assert "商工労働部が報告する指標ではありません" in messages[0]
    assert "P99-K9" in messages[1] and "この計画にありません" in messages[1]
    assert "P04-K1" not in [e.kpi_code for e in parsed.kpis]


def test_duplicate_rows_and_entries_without_a_code(db, exported):
    with Edit(exported) as edit:
        kpis = edit.sheet("KPI実績")
        kpis.append([c.value for c in kpis[2]])
        kpis.append([None] * 9 + [5, None])
    parsed = read(db, exported)
    messages = errors(parsed)
    assert len(messages) == 2
    assert "重複" in messages[0] and "2行目" in messages[0]
    assert "コードが空欄" in messages[1]


def test_an_edited_locked_cell_is_named(db, exported):
    with Edit(exported) as edit:
        cell = edit.cell("KPI実績", "P03-K1", "目標値")
        cell.value = 99
        where = cell.coordinate
        edit.cell("施策進捗", "P03-M1", "工程").value = "書き換えた工程"
    parsed = read(db, exported)
    messages = errors(parsed)
    assert len(messages) == 2
    assert f"KPI実績!{where}:" in messages[0] and "「40」→「99」" in messages[0]
    assert "施策進捗!E" in messages[1] and "書き換えた工程" in messages[1]


def test_a_deleted_row_is_a_warning(db, exported):
    with Edit(exported) as edit:
        edit.sheet("KPI実績").delete_rows(edit.row_of("KPI実績", "P03-K3"))
    parsed = read(db, exported)
    assert parsed.ok
    (warning,) = parsed.problems
    assert warning.severity == "warning" and "P03-K3" in warning.message_ja


def test_an_inserted_column_is_fine(db, exported):
    with Edit(exported) as edit:
        edit.sheet("KPI実績").insert_cols(3)
        edit.cell("KPI実績", "P03-K1", "実績値").value = 41
    parsed = read(db, exported)
    assert parsed.ok, parsed.problems
    assert kpi(parsed, "P03-K1").value == "41"


def test_a_renamed_header_is_reported(db, exported):
    with Edit(exported) as edit:
        edit.sheet("KPI実績")["J1"].value = "実績"
    parsed = read(db, exported)
    assert not parsed.ok and "列「実績値（令和4年度）【入力】」が見つかりません" in errors(parsed)[0]


def test_proposals(db, exported):
    with Edit(exported) as edit:
        sheet = edit.sheet("目標修正提案")
        sheet.append(["P03-K1", "令和5年度", "５０％", "国の方針が変わったため"])
        sheet.append(["p03-k3", 2022, "半数", ""])
        sheet.append(["P04-K1", "R5", 700, "理由"])
        sheet.append(["P03-K1", "令和3年度", 40, "過去の年度"])
        sheet.append(["P03-K1", "2023", 51, "重複"])
        sheet.append(["P03-K3", None, 10, "年度なし"])
    parsed = read(db, exported)
    assert [(p.kpi_code, p.fiscal_year, p.value, p.reason) for p in parsed.proposals] == [
        ("P03-K1", 2023, "50", "国の方針が変わったため"), ("P03-K3", 2022, "半数", "")]
    problems = [(p.severity, p.message_ja) for p in parsed.problems]
    assert problems[0][0] == "warning" and "理由" in problems[0][1]
    assert "P04-K1" in problems[1][1]
    assert "令和3年度の目標は提案できません" in problems[2][1]
    assert "重複" in problems[3][1]
    assert "年度が空欄" in problems[4][1]
    assert len(problems) == 5


def test_expected_department_and_year(db, exported):
    parsed = read(db, exported, expected_department="土木部", expected_fiscal_year=2023)
    messages = errors(parsed)
    assert len(messages) == 2 and parsed.kpis == ()
    assert "商工労働部の回答です" in messages[0] and "土木部" in messages[0]
    assert "令和4年度の回答です" in messages[1] and "令和5年度" in messages[1]
    assert read(db, exported, expected_department="D03", expected_fiscal_year=FY).ok
    with pytest.raises(NotFound):
        read(db, exported, expected_department="存在しない部")


def test_reading_never_writes_to_the_database(db, db_path, exported):
    set_progress(db, "P03-M1", FY, DEPT, status="順調")
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with Edit(exported) as edit:
        edit.cell("KPI実績", "P03-K1", "実績値").value = 50
        edit.cell("施策進捗", "P03-M1", "進捗状況").value = "遅れ"
    parsed = read(db, exported)
    assert kpi(parsed, "P03-K1").value == "50"
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_the_parsed_return_carries_the_file_identity(db, exported):
    parsed = read(db, exported)
    assert parsed.file_name == exported.name and parsed.path == exported
    assert parsed.sha256 == hashlib.sha256(exported.read_bytes()).hexdigest()
    meta = parsed.meta
    assert (meta.department_code, meta.department_name, meta.fiscal_year) == ("D03", DEPT, FY)
    assert meta.format_version == layout.FORMAT_VERSION and meta.plan_code
    assert meta.exported_at.year >= 2024 and meta.app_version
