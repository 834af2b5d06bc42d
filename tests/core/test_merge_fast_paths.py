"""The shortcuts the merge takes for speed give exactly what the plain paths give: rows written
in bulk are stored as the ORM stores them, the audit log is matched on codes literally, and the
guards' single pass over a sheet still sees tags written with a namespace prefix."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dxtracker.figures.format import format_value, is_canonical_number
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.returns import export_return, layout, read_return, writer
from dxtracker.returns.bulk import insert_rows, update_rows
from dxtracker.returns.current import changes_since
from dxtracker.store.audit import record_change
from dxtracker.store.models import Department, MergeChange, MergeRun, ReturnImport

STAMP = datetime(2022, 7, 1, 9, 30, 5)
COLUMNS = ("run_id", "import_id", "entity", "item_code", "fiscal_year", "department_id",
           "field", "old_value", "new_value", "resolution", "row_created", "old_updated_at",
           "old_updated_by")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
KPI_PART, META_PART = "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml"


def _stored(db_path: Path, ids: list[int]) -> list[tuple]:
    """The stored values and their SQLite types, as another program would read them."""
    con = sqlite3.connect(db_path)
    try:
        return [con.execute("SELECT row_created, typeof(row_created), old_updated_at, "
                            "typeof(old_updated_at) FROM merge_change WHERE id = ?",
                            (i,)).fetchone() for i in ids]
    finally:
        con.close()


def test_bulk_rows_are_stored_as_the_orm_stores_them(db, db_path):
    with db.transaction() as session:
        department = session.scalars(select(Department)).first()
        run = MergeRun(started_at=STAMP, user="", backup_path="")
        record = ReturnImport(run=run, file_name="r.xlsx", sha256="0", content_sha256="0",
                              department=department, fiscal_year=2022, exported_at=STAMP,
                              imported_at=STAMP)
        session.add(record)
        session.flush()
        values = [run.id, record.id, "kpi_actual", "P01-K1", 2022, department.id, "actual",
                  None, "1", "change", True, STAMP, "someone"]
        session.add(MergeChange(**dict(zip(COLUMNS, values, strict=True))))
        session.flush()
        connection = session.connection()
        insert_rows(connection, MergeChange.__table__, COLUMNS, [list(values)])  # in place
        shuffled = COLUMNS[::-1]  # rearranged, as tuples
        insert_rows(connection, MergeChange.__table__, shuffled, [tuple(values[::-1])])
        ids = list(session.scalars(select(MergeChange.id).order_by(MergeChange.id)))
    assert set(_stored(db_path, ids)) == {(1, "integer", "2022-07-01 09:30:05.000000", "text")}
    for flag, stamp in ((False, None), (True, datetime(2023, 1, 2, 3, 4, 5))):
        with db.transaction() as session:
            orm_row = session.get(MergeChange, ids[0])
            orm_row.row_created, orm_row.old_updated_at = flag, stamp
            update_rows(session.connection(), MergeChange.__table__,
                        ("row_created", "old_updated_at"),
                        [(flag, stamp, ids[1]), [flag, stamp, ids[2]]])
        assert len(set(_stored(db_path, ids))) == 1
        with db.read() as session:
            assert {(c.row_created, c.old_updated_at)
                    for c in session.scalars(select(MergeChange))} == {(flag, stamp)}


def test_the_audit_log_is_matched_on_the_department_code_literally(db):
    since = datetime(2022, 7, 1)
    with db.transaction() as session:
        for department in ("D_1", "DX1", "D%1", "D/1"):
            record_change(session, source="form", entity="kpi_actual",
                          entity_code=f"P01-K1/2022/{department}", field="actual",
                          old=None, new=department)
    with db.read() as session:
        for department in ("D_1", "DX1", "D%1", "D/1"):
            found = changes_since(session, department, 2022, since)
            assert list(found) == [("kpi_actual", "P01-K1", "actual")]
            assert [c.new for c in found[("kpi_actual", "P01-K1", "actual")]] == [department]
        assert changes_since(session, "D_", 2022, since) == {}


def _exported(db, folder: Path) -> Path:
    with db.read() as session:
        return export_return(session, "商工労働部", 2022, directory=folder)


def _with_part(source: Path, target: Path, part: str, edit) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(source) as old, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, edit(data) if info.filename == part else data)
    return target


def _errors(db, path: Path) -> str:
    with db.read() as session:
        parsed = read_return(path, session)
    assert not parsed.ok
    return " ".join(p.message_ja for p in parsed.errors)


def test_prefixed_rows_are_counted_by_the_guards(db, tmp_path):
    rows = b"".join(b'<x:row xmlns:x="%s" r="%d"><x:c r="A%d"><x:v>1</x:v></x:c></x:row>'
                    % (MAIN_NS.encode(), i, i) for i in range(100, 20_200))
    path = _with_part(_exported(db, tmp_path), tmp_path / "rows.xlsx",
                      KPI_PART, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"))
    assert "行が多すぎます" in _errors(db, path)


def test_a_prefixed_formula_in_the_metadata_is_found(db, tmp_path):
    cell = (b'<x:row xmlns:x="%s" r="900"><x:c r="A900"><x:f>1+1</x:f><x:v>2</x:v></x:c>'
            b"</x:row>" % MAIN_NS.encode())
    exported = _exported(db, tmp_path)
    with zipfile.ZipFile(exported) as archive:  # parts are numbered in sheet order
        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
    assert names.index(layout.META_SHEET) == 4
    path = _with_part(exported, tmp_path / "formula.xlsx", META_PART,
                      lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>"))
    assert "改変" in _errors(db, path)


# Units of the embedded plan, and any short text (digits, separators and multipliers too).
_UNITS = st.one_of(st.sampled_from(["", "件", "%", "％", "人", "万人", "社", "団体", "億円", "0"]),
                   st.text(alphabet="0123456789,.万億件%約 ", max_size=3))
_DECIMALS = st.decimals(min_value=0, max_value=10**15, allow_nan=False, allow_infinity=False,
                        places=None)


def _same_as_parsing(text: str, unit: str) -> None:
    try:
        expected = writer._parsed_figure(text, unit)
    except ValueParseError:
        with pytest.raises(ValueParseError):  # refused by the shortcut as well
            writer._figure(text, unit)
        return
    assert writer._figure(text, unit) == expected


@given(number=_DECIMALS, unit=_UNITS)
@example(number=Decimal("2.50"), unit="0")  # the unit is read off the end: 2.5
@example(number=Decimal("1000"), unit="000")
@settings(max_examples=300, deadline=None)
def test_a_canonical_figure_is_stored_as_parsing_would_store_it(number, unit):
    text = format_value(parse_value(number))
    assert is_canonical_number(text), text  # what the reader hands the writer
    _same_as_parsing(text, unit)


@given(text=st.text(alphabet="0123456789,.-", max_size=12), unit=_UNITS)
@settings(max_examples=300, deadline=None)
def test_any_text_of_digits_is_stored_as_parsing_would_store_it(text, unit):
    _same_as_parsing(text, unit)
