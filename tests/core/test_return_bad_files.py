"""Files that are not returns, damaged, crafted or hostile: each refused with its message,
quickly and without large memory, and the database untouched."""

from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from dxtracker.returns import layout, write_return
from tests.core.test_merge_support import read

FY = 2022
DEPT = "商工労働部"
KPI_PART = "xl/worksheets/sheet2.xml"  # parts are numbered in sheet order

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
              for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
).encode()


def refused(db, path: Path, *fragments: str) -> str:
    """Read `path`, expect it refused as a whole; returns the message."""
    parsed = read(db, path)
    assert not parsed.ok and parsed.kpis == () and parsed.measures == ()
    message = str(parsed.errors[0])
    assert message.startswith(path.name + ":"), message
    for fragment in fragments:
        assert fragment in message
    return message


def rezip(source: Path, target: Path, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    replace = replace or {}
    with zipfile.ZipFile(source) as old, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def kpi_sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        xml = archive.read(KPI_PART)
    assert names[1] == layout.KPI_SHEET and b"</sheetData>" in xml
    return xml


# --------------------------------------------------------------------------- not a return


def test_not_an_xlsx_at_all(db, folder):
    cases = {
        "random.xlsx": (random.Random(3).randbytes(5000), "xlsxファイルではありません"),
        "empty.xlsx": (b"", "空"),
        "csv.xlsx": ("指標コード,実績値\r\nP03-K1,12\r\n".encode("cp932"), "CSV"),
        "old.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
    }
    for name, (data, fragment) in cases.items():
        path = folder / name
        path.write_bytes(data)
        refused(db, path, fragment)
        assert read(db, path).meta is None


def test_a_zip_of_something_else(db, folder):
    path = folder / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(db, path, "xlsxファイルではありません", "ZIP")


def test_a_truncated_file(db, exported, folder):
    data = exported.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        path = folder / f"cut{cut}.xlsx"
        path.write_bytes(data[:cut])
        refused(db, path, "壊れています")


def test_a_damaged_member(db, exported, folder):
    data = bytearray(exported.read_bytes())
    info = zipfile.ZipFile(exported).getinfo(KPI_PART)
    start = info.header_offset + 30 + len(KPI_PART.encode()) + 10
    data[start:start + 40] = bytes(40)
    path = folder / "damaged.xlsx"
    path.write_bytes(bytes(data))
    refused(db, path, "壊れています")


def test_a_workbook_that_is_not_a_return(db, folder):
    path = folder / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "指標コード"
    book.save(path)
    refused(db, path, "回答様式ではありません")


def test_a_missing_file(db, folder):
    refused(db, folder / "nowhere.xlsx", "ファイルを読めません")


# --------------------------------------------------------------------------- hostile files


def test_an_xml_bomb_is_refused(db, exported, folder):
    path = rezip(exported, folder / "bomb.xlsx", replace={KPI_PART: BILLION_LAUGHS})
    refused(db, path, "DTD")
    path = rezip(exported, folder / "bomb2.xlsx", add={"xl/extra.xml": BILLION_LAUGHS})
    refused(db, path, "DTD")


def test_a_utf16_part_cannot_hide_a_dtd(db, exported, folder):
    xml = BILLION_LAUGHS.decode().replace('encoding="', "").encode("utf-16")
    path = rezip(exported, folder / "utf16.xlsx", replace={KPI_PART: xml})
    refused(db, path, "UTF-8")


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """A few MB holding a 1 GiB member of whitespace, written in chunks."""
    path = tmp_path_factory.mktemp("bomb") / "zipbomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_without_large_memory(db, zip_bomb):
    assert zip_bomb.stat().st_size < 8 * 1024 * 1024
    tracemalloc.start()
    try:
        parsed = read(db, zip_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not parsed.ok and "異常" in parsed.errors[0].message_ja
    assert peak < 3 * zip_bomb.stat().st_size + 16 * 1024 * 1024  # the file itself, not 1 GiB


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the zip directory lie: declare `size` bytes for member `name`."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", patched, info.header_offset + 22, size)
    central = patched.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46: central + 46 + name_length] == name.encode():
            struct.pack_into("<I", patched, central + 24, size)
            return bytes(patched)
        central = patched.find(b"PK\x01\x02", central + 4)
    raise AssertionError("central directory entry not found")


def test_a_zip_that_lies_about_its_sizes_is_refused(db, exported, folder):
    xml = kpi_sheet_xml(exported)
    padded = xml.replace(b"</sheetData>", b"</sheetData>" + b" " * (60 << 20))
    path = rezip(exported, folder / "liar.xlsx", replace={KPI_PART: padded})
    path.write_bytes(_patch_declared_size(path.read_bytes(), KPI_PART, len(xml)))
    tracemalloc.start()
    try:
        message = refused(db, path, "申告より大きく")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "異常" in message
    assert peak < 16 * 1024 * 1024


def test_a_stray_cell_far_away_is_refused(db, exported, folder):
    # python-calamine builds a dense grid: this one cell would cost it gigabytes.
    xml = kpi_sheet_xml(exported).replace(
        b"</sheetData>", b'<row r="20000"><c r="XFD20000"><v>1</v></c></row></sheetData>')
    path = rezip(exported, folder / "far.xlsx", replace={KPI_PART: xml})
    refused(db, path, "使用範囲が大きすぎます", "XFD20000")
    # Also in a part the workbook does not name: relationships could be crafted to differ.
    path = rezip(exported, folder / "far2.xlsx", add={"xl/worksheets/sheet9.xml": xml})
    refused(db, path, "使用範囲が大きすぎます", "sheet9.xml")


def test_too_many_rows_are_refused(db, exported, folder):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                    for i in range(100, 20_200))
    xml = kpi_sheet_xml(exported).replace(b"</sheetData>", rows + b"</sheetData>")
    path = rezip(exported, folder / "rows.xlsx", replace={KPI_PART: xml})
    refused(db, path, "行が多すぎます")


def test_cells_without_a_position_are_refused(db, exported, folder):
    xml = kpi_sheet_xml(exported).replace(
        b"</sheetData>", b'<row r="900"><c t="n"><v>1</v></c></row></sheetData>')
    path = rezip(exported, folder / "nopos.xlsx", replace={KPI_PART: xml})
    refused(db, path, "セル位置")


# --------------------------------------------------------------------------- metadata


def meta_records(book) -> list[list[str]]:
    return [layout.trimmed(row) for row in book[layout.META_SHEET].iter_rows(values_only=True)]


def edit_meta(path: Path, key: str, value: str, *, fix_checksum: bool) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[layout.META_SHEET]
    row = next(r for r in sheet.iter_rows() if r[0].value == "meta" and r[1].value == key)
    row[2].value = value
    if fix_checksum:  # a deliberate craft, not a slip
        records = meta_records(book)
        sheet.cell(sheet.max_row, 2).value = layout.checksum(records[:-1])
    book.save(path)


def test_tampered_metadata_is_refused(db, exported):
    edit_meta(exported, "department_code", "D04", fix_checksum=False)
    refused(db, exported, "改変")


def test_missing_metadata_is_refused(db, exported):
    book = openpyxl.load_workbook(exported)
    del book[layout.META_SHEET]
    book.save(exported)
    refused(db, exported, "回答様式の情報がありません")


def test_a_formula_in_the_metadata_is_refused(db, exported):
    book = openpyxl.load_workbook(exported)
    book[layout.META_SHEET]["D1"] = "=1+1"
    book.save(exported)
    refused(db, exported, "改変")


def test_metadata_crafted_to_claim_another_department(db, exported):
    edit_meta(exported, "department_code", "D04", fix_checksum=True)
    parsed = read(db, exported, expected_department=DEPT)
    assert not parsed.ok and "土木部の回答です" in parsed.errors[0].message_ja
    # Without an expected department the rows still have to be 土木部's own.
    parsed = read(db, exported)
    refused_codes = {p.message_ja.split()[1] for p in parsed.errors}
    assert refused_codes == {"P03-K1", "P03-K3"}  # P03-M1 is 土木部's as well
    assert "P03-K1" not in [e.kpi_code for e in parsed.kpis]


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("format_version", "2", "版（2）"),
    ("plan_code", "another-plan", "別の計画"),
    ("plan_fingerprint", "0" * 64, "計画の構成"),
    ("exported_at", "yesterday", "改変"),
])
def test_metadata_for_another_format_or_plan(db, exported, key, value, fragment):
    edit_meta(exported, key, value, fix_checksum=True)
    refused(db, exported, fragment)


def test_bad_files_leave_the_database_alone(db, db_path, exported, folder):
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    (folder / "random.xlsx").write_bytes(random.Random(1).randbytes(3000))
    rezip(exported, folder / "bomb.xlsx", replace={KPI_PART: BILLION_LAUGHS})
    for path in folder.iterdir():
        read(db, path)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_corrupted_bytes_never_raise(db, folder):
    """Whatever a damaged file holds, the reader reports a problem and never a traceback."""
    with db.read() as session:  # a fixed export time: the same bytes, the same damage
        data = write_return(session, DEPT, FY, folder / "base.xlsx",
                            exported_at=datetime(2023, 3, 31, 12)).path.read_bytes()
    generator = random.Random(7)
    path = folder / "corrupt.xlsx"
    outcomes = set()
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(generator.randint(1, 8)):
            damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        path.write_bytes(bytes(damaged))
        parsed = read(db, path)  # must not raise
        outcomes.add(parsed.ok)
        assert parsed.ok or parsed.errors
    assert False in outcomes


def test_mangled_xml_never_raises(db, exported, folder):
    """Damage inside the parts (a zip that is itself sound): still problems, not tracebacks."""
    with zipfile.ZipFile(exported) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()
                 if name.endswith(".xml")}
    generator = random.Random(11)
    names = sorted(parts)
    for number in range(120):
        name = generator.choice(names)
        damaged = bytearray(parts[name])
        for _ in range(generator.randint(1, 6)):
            damaged[generator.randrange(len(damaged))] = generator.choice(b'<>/"=&;x0 \n')
        path = rezip(exported, folder / f"mangled{number}.xlsx", replace={name: bytes(damaged)})
        parsed = read(db, path)  # must not raise
        assert parsed.ok or parsed.errors
