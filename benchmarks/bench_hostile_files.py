"""Hostile and broken files: how fast `read_return` refuses each, and with how much memory.

    .venv/bin/python benchmarks/bench_hostile_files.py [--repeat 5]

Builds, from a return of the embedded plan, files made to exhaust a reader or that are simply not
returns: zip bombs (a huge member; a member that inflates beyond the size its header declares),
XML bombs in a worksheet (billion laughs, quadratic blowup, an external entity, a DTD declared
late in the part), a sheet of half a million rows, cells far away (too many columns, too many rows),
cell positions written so that a reader takes another one than a scan would (two `r`
attributes, an `r` inside another attribute's value, a non-ASCII namespace prefix, a worksheet
stored under another file name), a CSV renamed .xlsx, an .xls, a truncated zip. For each it
prints the median time `read_return` takes to refuse it, the peak memory Python allocated
meanwhile (tracemalloc) and the reason given. Goal (issue 15): every one refused in < 0.1 s.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_returns_io import run_in_work_folder

from dxtracker.plan.bootstrap import create_database
from dxtracker.returns import export_return, read_return
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.lookup import all_departments, get_plan

GOAL_SECONDS = 0.1
SHEET = "xl/worksheets/sheet2.xml"  # the KPI sheet (parts are numbered in sheet order)
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rezip(source: bytes, replace: dict[str, bytes | None] | None = None,
          add: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as new:
        for info in old.infolist():
            data = (replace or {}).get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return out.getvalue()


def with_rows(sheet: bytes, rows: bytes) -> bytes:
    return sheet.replace(b"</sheetData>", rows + b"</sheetData>")


def with_dtd(dtd: bytes, body: bytes) -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE worksheet [' + dtd + b']><worksheet xmlns="'
            + MAIN_NS + b'"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + body
            + b"</t></is></c></row></sheetData></worksheet>")


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(SHEET, "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return out.getvalue()


def lying_sizes(source: bytes, sheet: bytes) -> bytes:
    """A member whose headers declare its real size but which inflates to 60 MB more."""
    padded = sheet.replace(b"</sheetData>", b"</sheetData>" + b" " * (60 << 20))
    data = bytearray(rezip(source, {SHEET: padded}))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo(SHEET)
    data[info.header_offset + 22: info.header_offset + 26] = len(sheet).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = int.from_bytes(data[central + 28: central + 30], "little")
        if data[central + 46: central + 46 + name_length] == SHEET.encode():
            data[central + 24: central + 28] = len(sheet).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def hostile_files(source: bytes) -> dict[str, Callable[[], bytes]]:
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read(SHEET)
        rels = archive.read("xl/_rels/workbook.xml.rels")
    laughs = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    million = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n % 20000 + 1,
                                                                     n % 20000 + 1, n * 7919)
                       for n in range(500_000))
    return {
        "zip bomb (1 GiB of spaces)": zip_bomb,
        "zip member lying about its size": lambda: lying_sizes(source, sheet),
        "billion laughs": lambda: rezip(source, {SHEET: with_dtd(laughs, b"&l9;")}),
        "quadratic blowup": lambda: rezip(source, {SHEET: with_dtd(
            b'<!ENTITY a "' + b"a" * 50_000 + b'">', b"&a;" * 20_000)}),
        "external entity": lambda: rezip(source, {SHEET: with_dtd(
            b'<!ENTITY e SYSTEM "file:///etc/passwd">', b"&e;")}),
        "DTD declared late in the part": lambda: rezip(source, {
            SHEET: sheet + b'<!DOCTYPE x [<!ENTITY a "a">]>'}),
        "half a million rows": lambda: rezip(source, {SHEET: with_rows(sheet, million)}, level=1),
        "too many columns (XFD900)": lambda: rezip(source, {SHEET: with_rows(
            sheet, b'<row r="900"><c r="XFD900"><v>1</v></c></row>')}),
        "a cell far away (XFD20000)": lambda: rezip(source, {SHEET: with_rows(
            sheet, b'<row r="20000"><c r="XFD20000"><v>1</v></c></row>')}),
        "two r attributes": lambda: rezip(source, {SHEET: with_rows(
            sheet, b'<row r="900"><c r="A900" r="XFD20000"><v>1</v></c></row>')}),
        "r inside another attribute": lambda: rezip(source, {SHEET: with_rows(
            sheet, b'<row r="900"><c x=\'r="A900"\' r="XFD20000"><v>1</v></c></row>')}),
        "non-ASCII namespace prefix": lambda: rezip(source, {SHEET: with_rows(
            sheet, '<row r="900"><é:c r="XFD20000"><v>1</v></é:c></row>'.encode())}),
        "worksheet under another name": lambda: rezip(
            source, {SHEET: None, "xl/_rels/workbook.xml.rels":
                     rels.replace(b"worksheets/sheet2.xml", b"worksheets/sheet2.bin")},
            add={"xl/worksheets/sheet2.bin": with_rows(
                sheet, b'<row r="900"><c r="XFD20000"><v>1</v></c></row>')}),
        "CSV renamed .xlsx": lambda: "指標コード,実績値\r\nP01-K1,12\r\n".encode("cp932") * 50,
        ".xls renamed .xlsx": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "truncated zip": lambda: source[: len(source) // 2],
    }


def refuse_once(db: Database, path: Path) -> tuple[float, int, str]:
    tracemalloc.start()
    try:
        with db.read() as session:
            start = time.perf_counter()
            parsed = read_return(path, session)
            seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not parsed.ok and not parsed.kpis, f"{path.name} was not refused"
    return seconds, peak, parsed.errors[0].message_en


def run(work: Path, repeat: int) -> None:
    database = work / "embedded.sqlite3"
    create_database(database).close()
    with open_database(database) as db:
        with db.read() as session:
            department = all_departments(session)[0].name
            source = export_return(session, department, get_plan(session).fiscal_years[0],
                                   directory=work).read_bytes()
        worst = 0.0
        print(f"median of {repeat}; peak: memory Python allocated while refusing")
        for name, build in hostile_files(source).items():
            path = work / "hostile.xlsx"
            path.write_bytes(build())
            runs = [refuse_once(db, path) for _ in range(repeat)]
            seconds = statistics.median(r[0] for r in runs)
            worst = max(worst, seconds)
            print(f"{name:34s} {seconds * 1000:7.1f} ms  peak {runs[0][1] / 1e6:6.1f} MB  "
                  f"{path.stat().st_size / 1e6:5.1f} MB file  {runs[0][2][:70]}")
        print(f"slowest refusal {worst * 1000:.1f} ms  (goal < {GOAL_SECONDS * 1000:.0f} ms)")


def main() -> None:
    run_in_work_folder(__doc__ or "", "bench-hostile-", run, repeat=5)


if __name__ == "__main__":
    main()
