"""Exporting department returns: round trip through the reader, and the workbook itself."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dxtracker.errors import DxTrackerError
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.figures.format import format_value
from dxtracker.files import atomic
from dxtracker.returns import (
    default_return_file_name,
    department_rows,
    export_return,
    layout,
    write_return,
)
from dxtracker.store.lookup import all_departments, find_department
from dxtracker.store.models import KpiActual, MeasureProgress
from tests.core.test_merge_support import read

FY = 2022


def enter_progress(db) -> None:
    """Figures and texts of every awkward kind, for several departments."""
    set_actual(db, "P03-K1", FY, "40.0", note="=SUM(A1:A3)")  # scale kept; formula-like note
    set_actual(db, "P03-K3", FY, "約1,900", note="+81 90 1234\r\n二行目")
    set_actual(db, "P01-K1", FY, "１，２３４件", department="商工労働部", note="@mention")
    set_actual(db, "P01-K1", FY, "12", department="土木部", note="-")
    set_actual(db, "P08-K2", FY, "県設置:170 他機関:180")
    set_actual(db, "P02-K1", FY, "0.1")
    set_actual(db, "P05-K2", FY, "123456789012345678")  # more digits than a float holds
    set_progress(db, "P03-M1", FY, "商工労働部", status="順調", record="=1+1",
                 issues="課題\n二行目", next_policy="  前後の空白  ")
    set_progress(db, "P01-M1", FY, "土木部", status="未着手")


def db_entries(db, department: str) -> tuple[dict, dict]:
    with db.read() as session:
        dept = find_department(session, department)
        actuals = {a.kpi.code: (a.value, a.note) for a in session.scalars(
            select(KpiActual).where(KpiActual.fiscal_year == FY,
                                    KpiActual.department_id == dept.id))}
        progress = {p.measure.code: (p.status, p.record, p.issues, p.next_policy)
                    for p in session.scalars(select(MeasureProgress).where(
                        MeasureProgress.fiscal_year == FY,
                        MeasureProgress.department_id == dept.id))}
    return actuals, progress


def export(db, department: str, folder: Path, fiscal_year: int = FY) -> Path:
    with db.read() as session:
        return export_return(session, department, fiscal_year, directory=folder)


def test_every_department_round_trips(db, folder):
    enter_progress(db)
    with db.read() as session:
        departments = [d.name for d in all_departments(session)]
    assert len(departments) == 13
    for name in departments:
        path = export(db, name, folder)
        parsed = read(db, path, expected_department=name, expected_fiscal_year=FY)
        assert parsed.problems == (), name
        actuals, progress = db_entries(db, name)
        with db.read() as session:
            rows = department_rows(session, name, FY)
        assert [e.kpi_code for e in parsed.kpis] == [r.kpi_code for r in rows.kpis]
        assert [e.measure_code for e in parsed.measures] == [r.measure_code for r in rows.measures]
        for entry in parsed.kpis:
            value, note = actuals.get(entry.kpi_code, (None, ""))
            assert (entry.value, entry.note) == (value, note.replace("\r\n", "\n"))
            assert (entry.base_value, entry.base_note) == (entry.value, entry.note)
        for entry in parsed.measures:
            status, record, issues, policy = progress.get(entry.measure_code, (None, "", "", ""))
            assert (entry.status, entry.record, entry.issues, entry.next_policy) == \
                (status, record, issues, policy)
            assert (entry.base_status, entry.base_record) == (entry.status, entry.record)
        assert parsed.proposals == ()


def test_round_trip_keeps_the_stored_text_of_each_figure(db, folder):
    enter_progress(db)
    parsed = read(db, export(db, "商工労働部", folder))
    by_code = {e.kpi_code: e for e in parsed.kpis}
    assert by_code["P03-K1"].value == "40.0"  # a number cell holding 40; the base keeps "40.0"
    assert by_code["P03-K3"].value == "約1,900"
    assert by_code["P01-K1"].value == "1,234"
    assert by_code["P03-K1"].note == "=SUM(A1:A3)"


def test_default_file_name_and_folder(db, folder):
    assert default_return_file_name(2022, "商工労働部") == "令和4年度_DX推進計画_回答_商工労働部.xlsx"
    assert default_return_file_name(2019, "a/b") == "令和元年度_DX推進計画_回答_a_b.xlsx"
    path = export(db, "商工労働部", folder)
    assert path == folder / "令和4年度_DX推進計画_回答_商工労働部.xlsx"
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_workbook_layout_protection_and_validation(db, folder):
    enter_progress(db)
    book = openpyxl.load_workbook(export(db, "商工労働部", folder))
    assert book.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.KPI_SHEET, layout.MEASURE_SHEET,
                               layout.PROPOSAL_SHEET, layout.META_SHEET]
    assert book[layout.META_SHEET].sheet_state == "veryHidden"
    for name, columns in ((layout.KPI_SHEET, layout.KPI_COLUMNS),
                          (layout.MEASURE_SHEET, layout.MEASURE_COLUMNS),
                          (layout.PROPOSAL_SHEET, layout.PROPOSAL_COLUMNS)):
        sheet = book[name]
        assert sheet.protection.sheet and not sheet.protection.password
        assert sheet.freeze_panes == "B2"
        assert sheet.merged_cells.ranges == set()
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, may go unwritten
        assert sheet.page_setup.fitToHeight == 0
        assert [c.value for c in sheet[1]] == [
            c.header.format(fy="令和4年度", prev="令和3年度", base="令和2年度") for c in columns]
        for row in sheet.iter_rows(min_row=2):
            for column, cell in zip(columns, row, strict=True):
                assert cell.protection.locked is not column.input, cell.coordinate
                if column.input:
                    assert cell.fill.fgColor.rgb.endswith(layout.INPUT_FILL)
                assert cell.alignment.wrap_text
        for number, column in enumerate(columns, start=1):
            width = next(d.width for d in sheet.column_dimensions.values()
                         if d.min <= number <= d.max)
            assert abs(width - column.width) < 1  # writers add a little padding


def test_drop_downs_for_status_and_proposals(db, folder):
    book = openpyxl.load_workbook(export(db, "商工労働部", folder))
    measures = book[layout.MEASURE_SHEET]
    (status,) = measures.data_validations.dataValidation
    assert status.type == "list" and str(status.sqref) == f"F2:F{measures.max_row}"
    assert status.formula1 == '"順調,概ね順調,やや遅れ,遅れ,完了,未着手"'
    assert len(status.formula1) < 255
    proposals = book[layout.PROPOSAL_SHEET].data_validations.dataValidation
    formulas = sorted(v.formula1 for v in proposals)
    kpi_rows = book[layout.KPI_SHEET].max_row
    assert formulas == ['"令和4年度,令和5年度"', f"'KPI実績'!$A$2:$A${kpi_rows}"]


def test_figures_are_number_cells_and_texts_are_never_formulas(db, folder):
    enter_progress(db)
    book = openpyxl.load_workbook(export(db, "商工労働部", folder))
    kpis = {row[0].value: row for row in book[layout.KPI_SHEET].iter_rows(min_row=2)}
    baseline, target, actual, note = 5, 6, 9, 10
    assert kpis["P03-K1"][baseline].value == 36 and kpis["P03-K1"][baseline].data_type == "n"
    assert kpis["P03-K1"][actual].value == 40 and kpis["P03-K1"][actual].number_format == "#,##0.0"
    assert kpis["P01-K1"][actual].value == 1234
    assert kpis["P03-K3"][actual].value == "約1,900"  # approximate: kept as text
    assert kpis["P01-K3"][target].value == 10000
    assert kpis["P01-K3"][target + 1].value == "10,000（8,000からの修正）"
    assert kpis["P03-K1"][note].value == "=SUM(A1:A3)"
    assert kpis["P03-K1"][note].data_type == "s"
    measures = {row[0].value: row for row in book[layout.MEASURE_SHEET].iter_rows(min_row=2)}
    assert measures["P03-M1"][6].value == "=1+1" and measures["P03-M1"][6].data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_text_that_looks_like_markup_is_kept_as_text(db, folder):
    # XlsxWriter writes a string "<r>…</r>" as raw rich-text XML unless guarded.
    notes = {"P03-K1": "<r><t>x</t></r>", "P03-K3": "<r>abc</r>"}
    for code, note in notes.items():
        set_actual(db, code, FY, "1", note=note)
    set_progress(db, "P03-M1", FY, "商工労働部", record="a<b>&amp;</b> _x0041_")
    path = export(db, "商工労働部", folder)
    book = openpyxl.load_workbook(path)
    cells = {row[0].value: row[10].value for row in book[layout.KPI_SHEET].iter_rows(min_row=2)}
    assert {code: cells[code] for code in notes} == notes
    parsed = read(db, path)
    assert {e.kpi_code: e.note for e in parsed.kpis if e.kpi_code in notes} == notes
    assert next(e for e in parsed.measures if e.measure_code == "P03-M1").record == \
        "a<b>&amp;</b> _x0041_"


def test_department_rows_read_the_plan(db):
    set_actual(db, "P01-K3", 2021, "700", department="農林水産部")
    with db.read() as session:
        rows = department_rows(session, "農林水産部", FY)
    kpis = {r.kpi_code: r for r in rows.kpis}
    assert list(kpis) == ["P01-K1", "P01-K3", "P04-K1", "P04-K2", "P04-K3", "P04-K4"]
    smart = kpis["P04-K1"]
    assert (format_value(smart.baseline), format_value(smart.target)) == ("350", "593")
    assert smart.target_note == "593（530からの修正）"
    assert format_value(smart.last_actual) == "566"  # the plan's figure for last year
    assert smart.scope == "指標全体" and smart.unit == "台"
    assert kpis["P01-K3"].aggregation == "sum" and kpis["P01-K3"].scope.startswith("部局分")
    assert format_value(kpis["P01-K3"].last_actual) == "700"  # its own contribution
    assert kpis["P01-K1"].last_actual is None  # the plan's total is not this department's
    measures = {m.measure_code: m for m in rows.measures}
    assert "P08-M1" in measures and measures["P08-M1"].departments == "土木部、農林水産部、企業局"
    assert measures["P04-M1"].title == "① スマート農業の推進"
    assert measures["P04-M1"].schedule.startswith("スマート農業普及センターの運営・研修メニ")
    assert rows.proposal_years == (2022, 2023)


def test_control_characters_are_removed_with_a_warning(db, engine, folder):
    note = "前\x00\x07後\x1b\ufffe"
    if engine == "postgresql":  # PostgreSQL's text cannot hold NUL: refused with a message
        with pytest.raises(DxTrackerError, match="U\\+0000"):
            set_actual(db, "P03-K1", FY, "41", note=note)
        note = note.replace("\x00", "")
    set_actual(db, "P03-K1", FY, "41", note=note)
    with db.read() as session:
        result = write_return(session, "商工労働部", FY, directory=folder)
    (warning,) = result.warnings
    assert warning.severity == "warning" and warning.sheet == layout.KPI_SHEET
    assert re.fullmatch(r"K\d+", warning.cell) and "制御文字" in warning.message_ja
    parsed = read(db, result.path)
    assert next(e for e in parsed.kpis if e.kpi_code == "P03-K1").note == "前後"


def test_a_figure_nobody_changed_reads_back_as_its_base(db, folder):
    # A stored "1,234" written as the number 1234 must not read as a change.
    set_actual(db, "P03-K1", FY, "1,234.50")
    parsed = read(db, export(db, "商工労働部", folder))
    entry = next(e for e in parsed.kpis if e.kpi_code == "P03-K1")
    assert entry.value == entry.base_value == "1,234.50"


def test_a_file_open_in_excel_gives_a_clear_message(db, folder, monkeypatch):
    path = export(db, "商工労働部", folder)
    before = path.read_bytes()

    def locked(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", locked)
    with pytest.raises(DxTrackerError) as exc:
        export(db, "商工労働部", folder)
    assert "Excel" in str(exc.value) and str(path) in str(exc.value)
    assert path.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_a_failed_export_leaves_the_old_file_alone(db, folder, monkeypatch):
    path = export(db, "商工労働部", folder)
    before = path.read_bytes()

    def disk_full(_handle):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        export(db, "商工労働部", folder)
    assert path.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_unknown_department_or_year_is_refused(db, folder):
    with pytest.raises(DxTrackerError, match="部局"):
        export(db, "存在しない部", folder)
    with pytest.raises(DxTrackerError, match="計画期間"):
        export(db, "商工労働部", folder, fiscal_year=2030)


# --------------------------------------------------------------------------- property tests

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def expected_text(text: str) -> str:
    """Control characters removed, line breaks as LF, nothing but spaces is blank."""
    text = _XML_ILLEGAL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else ""


notes = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("=+-@\t\r\n _x0041😀日本\x00\x1f\x7f\u2028\ufeff"),
            max_size=60),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(500, 3000)),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=notes, record=notes)
def test_any_text_survives_export_and_read(db, engine, folder, note, record):
    assume(engine == "sqlite" or "\x00" not in note + record)  # PostgreSQL refuses NUL
    set_actual(db, "P03-K1", FY, "41", note=note)
    set_progress(db, "P03-M1", FY, "商工労働部", record=record)
    parsed = read(db, export(db, "商工労働部", folder))
    assert parsed.ok, parsed.problems
    assert next(e for e in parsed.kpis if e.kpi_code == "P03-K1").note == expected_text(note)
    assert next(e for e in parsed.measures if e.measure_code == "P03-M1").record == \
        expected_text(record)


figures = st.builds(
    lambda number, places, approximate: ("約" if approximate else "") +
    format(Decimal(number).scaleb(-places), ",f"),
    st.integers(-10**12, 10**12), st.integers(0, 4), st.booleans())


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(figure=figures)
def test_any_figure_survives_export_and_read(db, folder, figure):
    change = set_actual(db, "P04-K2", FY, figure)
    parsed = read(db, export(db, "農林水産部", folder))
    assert parsed.ok, parsed.problems
    assert next(e for e in parsed.kpis if e.kpi_code == "P04-K2").value == change.new_value
