"""The streaming bounds on a worksheet (dxtracker/files/xlsx_scan.py): inputs crafted to slip past
a scan that reads the bytes in chunks, each refused; genuine forms read as before.

Each crafted cell below was given to python-calamine once without the guard: every one that is
refused here made it build a grid of 2,000 × 16,384 cells (1.3 GB), and a cell at XFD20000 takes
12 GB.
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from dxtracker.files.xlsx_bounds import inspect_workbook
from dxtracker.files.xlsx_scan import (
    MAX_CARRY,
    MAX_ROWS,
    SheetScan,
    SheetScanner,
    UnsafeWorkbook,
    check_xml_part,
)
from dxtracker.returns import layout
from tests.core.test_merge_support import read

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"
KPI_PART = "xl/worksheets/sheet2.xml"  # parts are numbered in sheet order


def scan(*chunks: bytes, percent: frozenset[str] = frozenset()) -> SheetScan:
    scanner = SheetScanner("KPI実績", KPI_PART, percent)
    for chunk in chunks:
        scanner.feed(chunk)
    return scanner.close()


def sheet(rows: bytes) -> bytes:
    return HEAD + rows + TAIL


def refusal(*chunks: bytes) -> str:
    with pytest.raises(UnsafeWorkbook) as caught:
        scan(*chunks)
    return caught.value.message_ja


# --------------------------------------------------------------------------- cells

FAR = {  # (row XML, what the message must say)
    "plain": (b'<row r="1"><c r="XFD2000"><v>1</v></c></row>', "XFD2000"),
    "lower case letters": (b'<row r="1"><c r="xfd2000"><v>1</v></c></row>', "xfd2000"),
    "row beyond the limit": (b'<row r="1"><c r="A20001"><v>1</v></c></row>', "A20001"),
    "column beyond BL": (b'<row r="1"><c r="BM1"><v>1</v></c></row>', "BM1"),
    "single quotes": (b"<row r='1'><c r='XFD2000'><v>1</v></c></row>", "XFD2000"),
    "spaces around =": (b'<row r="1"><c r = "XFD2000"><v>1</v></c></row>', "XFD2000"),
    "newlines around =": (b'<row r="1"><c r\n=\n"XFD2000"><v>1</v></c></row>', "XFD2000"),
    "a tab after the name": (b'<row r="1"><c\tr="XFD2000"><v>1</v></c></row>', "XFD2000"),
    "another attribute first": (b'<row r="1"><c s="0" r="XFD2000"><v>1</v></c></row>',
                                "XFD2000"),
    "no space between attributes": (b'<row r="1"><c s="1"r="XFD2000"><v>1</v></c></row>',
                                    "XFD2000"),
    "self-closing": (b'<row r="1"><c r="XFD2000"/></row>', "XFD2000"),
    "namespace prefix": (b'<row r="1"><x:c r="XFD2000"><v>1</v></x:c></row>', "XFD2000"),
    "non-ASCII prefix": ('<row r="1"><é:c r="XFD2000"><v>1</v></é:c></row>'.encode(), "XFD2000"),
    "two prefixes": (b'<row r="1"><a:b:c r="XFD2000"><v>1</v></a:b:c></row>', "XFD2000"),
    "in a comment": (b'<row r="1"><!-- <c r="XFD2000"/> --><c r="A1"/></row>', "XFD2000"),
    "in CDATA": (b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="XFD2000"/>]]>'
                 b"</t></is></c></row>", "XFD2000"),
}


@pytest.mark.parametrize("case", FAR)
def test_a_far_cell_is_refused_whatever_its_form(case):
    rows, ref = FAR[case]
    message = refusal(sheet(rows))
    assert "使用範囲が大きすぎます" in message and ref in message


UNREADABLE = {  # forms whose position a reader takes otherwise than it looks
    # calamine takes the last of two r attributes
    "two r attributes": b'<row r="1"><c r="A1" r="XFD2000"><v>1</v></c></row>',
    "r inside another attribute's value": b'<row r="1"><c foo=\'r="A1"\' r="XFD2000"/></row>',
    "a > inside a value": b'<row r="1"><c foo="a>b" r="XFD2000"><v>1</v></c></row>',
    "no r at all": b'<row r="1"><c t="n"><v>1</v></c></row>',
    "a prefixed r": b'<row r="1"><c x:r="XFD2000" xmlns:x="urn:x"><v>1</v></c></row>',
    "a character reference": b'<row r="1"><c r="&#88;FD2000"><v>1</v></c></row>',
    "leading zeros": b'<row r="1"><c r="A0001"><v>1</v></c></row>',
}


@pytest.mark.parametrize("case", UNREADABLE)
def test_a_cell_whose_position_is_not_plain_is_refused(case):
    assert "セル位置" in refusal(sheet(UNREADABLE[case]))


def test_cells_in_bounds_pass_in_any_attribute_order_and_prefix():
    rows = (b'<row r="1" spans="1:3"><c r="A1" s="3" t="s"><v>0</v></c>'
            b'<c t="n" s="1" r="B1"><v>2</v></c><x:c r="BL20000" xmlns:x="urn:x"/>'
            b'<c r="C1" s="5" t="n" /></row><row r="2"/>')
    assert scan(sheet(rows)) == SheetScan()


# --------------------------------------------------------------------------- chunks


def test_a_far_cell_is_found_wherever_the_chunks_split_it():
    xml = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><x:c r="XFD2000" '
                b's="1"><v>1</v></x:c></row>')
    for cut in range(len(xml) + 1):
        assert "XFD2000" in refusal(xml[:cut], xml[cut:])
    assert "XFD2000" in refusal(*(xml[i: i + 1] for i in range(len(xml))))


def test_formula_cells_are_found_wherever_the_chunks_split_them():
    xml = sheet(b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c></row>'
                b'<row r="2"><c r="C2" s="1"><f t="shared" si="0"/><v>3</v></c>'
                b'<c r="D2"><x:f>1+1</x:f><v>2</v></c><c r="E2"><v>5</v></c></row>')
    expected = frozenset({"B1", "C2", "D2"})
    assert scan(xml).formula_cells == expected
    for cut in range(len(xml) + 1):
        assert scan(xml[:cut], xml[cut:]).formula_cells == expected, cut
    assert scan(*(xml[i: i + 1] for i in range(len(xml)))).formula_cells == expected


def test_percent_cells_are_found_and_only_cells_count():
    xml = sheet(b'<row r="1" s="9" customFormat="1"><c r="A1" s="9"><v>0.85</v></c>'
                b'<c r="B1" s="2"><v>1</v></c><c r="C1" t="inlineStr"><is><t> s="9"</t></is></c>'
                b'<c s="9" r="D1"><v>0.5</v></c></row>')
    expected = frozenset({"A1", "D1"})
    assert scan(xml, percent=frozenset({"9"})).percent_cells == expected
    for cut in range(len(xml) + 1):
        assert scan(xml[:cut], xml[cut:], percent=frozenset({"9"})).percent_cells == expected


def test_a_dtd_declared_late_or_split_is_refused():
    doctype = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
    xml = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>' * 3000) + doctype
    assert "DTD" in refusal(xml)
    cut = xml.index(b"DOCTYPE")
    assert "DTD" in refusal(xml[:cut], xml[cut:])
    assert "DTD" in refusal(b"<!doctype worksheet>" + sheet(b""))  # quick-xml takes any case
    assert scan(b"<!-- a comment --><?pi x?>" + sheet(b"<![CDATA[ a < b ]]>")) == SheetScan()


def test_other_parts_refuse_any_declaration_but_keep_comments_and_conditions():
    vml = b'<xml><!-- note --><![if !vml]><v:shape/><![endif]></xml>'
    check_xml_part("xl/drawings/vmlDrawing1.vml", vml)  # as Office writes it: fine
    for declaration in (b"<!DOCTYPE x>", b"<!doctype x>", b"<! DOCTYPE x>", b'<!ENTITY a "b">'):
        with pytest.raises(UnsafeWorkbook, match="DTD"):
            check_xml_part("xl/sharedStrings.xml", b"<sst>" + declaration + b"</sst>")


def test_rows_are_counted_in_every_form():
    for row in (b"<row/>", b'<row r="1"/>', b"<x:row>\n</x:row>", b"<row\n>", b"<!-- <row/> -->"):
        assert "行が多すぎます" in refusal(sheet(row * (MAX_ROWS + 1))), row
    assert scan(sheet(b'<row r="1"/>' * MAX_ROWS)) == SheetScan()


def test_an_endless_element_is_refused():
    endless = sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>') + b"x" * (MAX_CARRY + 10)
    assert "異常に長い" in refusal(endless[: MAX_CARRY // 2], endless[MAX_CARRY // 2:])


# --------------------------------------------------------------------------- whole files


def rezip(source: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None,
          ) -> bytes:
    """The file at `source` with parts replaced (None: left out) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = replace.get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return out.getvalue()


def kpi_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(KPI_PART)


def test_a_worksheet_under_another_file_name_is_bounded(exported):
    with zipfile.ZipFile(exported) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    far = kpi_xml(exported).replace(b"</sheetData>", b'<row r="9"><c r="XFD9"/></row></sheetData>')
    data = rezip(exported, {KPI_PART: None, "xl/_rels/workbook.xml.rels":
                            rels.replace(b"worksheets/sheet2.xml", b"worksheets/sheet2.bin")},
                 add={"xl/worksheets/sheet2.bin": far})
    with pytest.raises(UnsafeWorkbook, match="XFD9"):
        inspect_workbook(data)


def test_two_parts_of_the_same_name_are_refused(exported):
    far = kpi_xml(exported).replace(b"</sheetData>", b'<row r="9"><c r="XFD9"/></row></sheetData>')
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = rezip(exported, {}, add={KPI_PART: far})
    with pytest.raises(UnsafeWorkbook, match="同じ名前"):
        inspect_workbook(data)


def test_a_huge_sheet_is_refused_after_reading_only_its_start(exported):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n % MAX_ROWS + 1,
                                                                  n % MAX_ROWS + 1, n * 7919)
                    for n in range(300_000))
    huge = kpi_xml(exported).replace(b"</sheetData>", rows + b"</sheetData>")
    data = rezip(exported, {KPI_PART: huge})
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeWorkbook, match="行が多すぎます"):
            inspect_workbook(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(huge) > 10 * 1024 * 1024 and peak < 4 * 1024 * 1024  # chunks, not the sheet


def prefixed(xml: bytes) -> bytes:
    """The same worksheet with every element in the prefix x: (as some writers do)."""
    xml = re.sub(rb"<(/?)([A-Za-z])", rb"<\1x:\2", xml)
    return xml.replace(b' xmlns="', b' xmlns:x="', 1)


def test_a_prefixed_worksheet_reads_as_the_plain_one(db, exported, folder):
    path = folder / "prefixed.xlsx"
    path.write_bytes(rezip(exported, {KPI_PART: prefixed(kpi_xml(exported))}))
    plain, other = read(db, exported), read(db, path)
    assert other.ok and other.kpis == plain.kpis and len(plain.kpis) > 0


def test_a_prefixed_formula_in_an_input_cell_is_found(db, exported, folder):
    xml = kpi_xml(exported)
    blank = re.search(rb'<c r="J2"[^>]*/>', xml)  # the first actual, left blank at export
    assert blank is not None
    xml = xml[:blank.start()] + b'<c r="J2"><f>1+1</f><v>2</v></c>' + xml[blank.end():]
    path = folder / "formula.xlsx"
    path.write_bytes(rezip(exported, {KPI_PART: prefixed(xml)}))
    parsed = read(db, path)  # refused or taken with a warning (the reader decides): noticed
    assert [p.sheet for p in parsed.problems if p.cell == "J2" and "数式" in p.message_ja] == \
        [layout.KPI_SHEET]
