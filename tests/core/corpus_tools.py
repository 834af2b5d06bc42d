"""Tools for the corpus of returns as people fill them (no tests here): export a real return,
edit it the way a person does in Excel (openpyxl: type, insert, merge, hide, rename…), change
its bytes where Excel does what openpyxl cannot (a formula's saved result), and convert it
with LibreOffice. Everything starts from a return exported by the app, so the corpus stays in
step with the format."""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from dxtracker.returns import layout, write_return
from dxtracker.store.db import Database

FY, DEPT = 2022, "商工労働部"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SHEETS = {"kpi": layout.KPI_SHEET, "measure": layout.MEASURE_SHEET,
          "proposal": layout.PROPOSAL_SHEET}


def header_start(sheet: str, key: str) -> str:
    """How the header of column `key` starts ("実績値" for "実績値（令和4年度）【入力】")."""
    sheet_key = next(k for k, name in SHEETS.items() if name == sheet)
    column = next(c for c in layout.COLUMNS[sheet_key] if c.key == key)
    return re.split(r"[（【]", column.header)[0]


class Edit:
    """A return opened as a person edits it in Excel (openpyxl), saved by `save`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)

    def sheet(self, key: str) -> Any:
        return self.book[SHEETS.get(key, key)]

    def row_of(self, key: str, code: str) -> int:
        ws = self.sheet(key)
        return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)

    def column_of(self, key: str, field: str) -> int:
        ws = self.sheet(key)
        start = header_start(ws.title, field)
        return next(c.column for c in ws[1] if str(c.value or "").startswith(start))

    def cell(self, key: str, code: str, field: str) -> Any:
        return self.sheet(key).cell(self.row_of(key, code), self.column_of(key, field))

    def type(self, key: str, code: str, field: str, value: object,
             number_format: str | None = None) -> Any:
        """Type `value` into a cell: text stays text (Excel stores typed text as a string,
        and text starting with = only when typed with a leading apostrophe)."""
        cell = self.cell(key, code, field)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if number_format:
            cell.number_format = number_format
        return cell

    def formula(self, key: str, code: str, field: str, formula: str) -> str:
        """Type a formula; returns the cell's reference."""
        cell = self.cell(key, code, field)
        cell.value = formula
        return cell.coordinate

    def save(self, target: Path | None = None) -> Path:
        out = target or self.path
        self.book.save(out)
        return out


class Maker:
    """Makes the files of one variation in `folder`, from the database `db`."""

    def __init__(self, db: Database, folder: Path) -> None:
        self.db = db
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def export(self, name: str = "return.xlsx", *, department: str = DEPT,
               fiscal_year: int = FY, exported_at: datetime | None = None) -> Path:
        with self.db.read() as session:
            return write_return(session, department, fiscal_year, self.folder / name,
                                exported_at=exported_at).path

    def filled(self, typed: Mapping[tuple[str, str, str], object] | None = None,
               then: Callable[[Edit], object] | None = None, *, name: str = "return.xlsx",
               path: Path | None = None, **export: Any) -> Path:
        """A return (exported, or `path`), `typed` into ((sheet key, code, field) → value;
        a (value, number format) pair for a formatted cell), then edited by `then`."""
        edit = Edit(path or self.export(name, **export))
        for (key, code, field), value in (typed or {}).items():
            if isinstance(value, tuple):
                edit.type(key, code, field, *value)
            else:
                edit.type(key, code, field, value)
        if then is not None:
            then(edit)
        return edit.save()

    def soffice(self, path: Path, target: str) -> Path:
        """`path` converted by LibreOffice (`target`: "xlsx", "ods", "xls", or a filter spec
        "xlsm:Calc MS Excel 2007 VBA XML"), into a folder of its own."""
        assert SOFFICE is not None
        out = self.folder / f"soffice-{re.sub(r'[^a-z]', '', target.split(':')[0])}"
        out.mkdir(exist_ok=True)
        convert(target, out, path)
        converted = out / f"{path.stem}.{target.split(':')[0]}"
        assert converted.exists(), f"LibreOffice wrote nothing for {target}"
        return converted


_PROFILE: list[Path] = []


def convert(target: str, out: Path, *paths: Path) -> None:
    """LibreOffice converts `paths` into `out`, headless, with a profile of this test session's
    own (no first-start dialogs, no lock shared with anyone's LibreOffice; made once: a new
    profile costs LibreOffice a second or two each start)."""
    assert SOFFICE is not None
    if not _PROFILE:
        _PROFILE.append(Path(tempfile.mkdtemp(prefix="dxt-soffice-")))
        atexit.register(shutil.rmtree, _PROFILE[0], ignore_errors=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={_PROFILE[0].as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)


# --------------------------------------------------------------------------- bytes


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member of a sheet, found through the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rel_id = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
    assert rel_id, sheet
    target = re.search(rf'<Relationship [^>]*Id="{rel_id[1]}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel_id[1]}"', rels)
    assert target, rel_id[1]
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def rewrite_part(path: Path, member: str, change: Callable[[str], str]) -> Path:
    """Rewrite one XML member of the xlsx at `path` in place."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(info.filename, data)
    return path


def save_formula_result(path: Path, sheet: str, ref: str, result: float | str) -> Path:
    """Give a formula cell the result Excel saves with it (openpyxl saves none)."""
    def change(xml: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v ?/>(?:</v>)?</c>')
        assert pattern.search(xml), f"no formula at {ref}"
        kind = ' t="str"' if isinstance(result, str) else ""
        return pattern.sub(lambda m: f'<c r="{ref}"{m[1]}{kind}><f>{m[2]}</f>'
                                     f"<v>{result}</v></c>", xml)
    return rewrite_part(path, sheet_part(path, sheet), change)


def add_macro_project(path: Path, target: Path) -> Path:
    """The return as a macro-enabled workbook (.xlsm): a VBA project part, and the workbook's
    content type for macros, as Excel writes them."""
    with zipfile.ZipFile(path) as old:
        members = [(info.filename, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members:
            if name == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/'
                    b'vnd.ms-office.vbaProject"/></Types>')
            new.writestr(name, data)
        new.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(2044))  # never run
    return target


def excel_owner_file(path: Path, user: str = "tanaka") -> Path:
    """The owner file Excel keeps beside a workbook it has open (`~$NAME`)."""
    lock = path.with_name("~$" + path.name)
    name = user.encode("ascii")
    lock.write_bytes(bytes([len(name)]) + name.ljust(53, b" ") + bytes([len(name), 0])
                     + user.encode("utf-16-le").ljust(110, b" "))
    return lock


def letter(number: int) -> str:
    return get_column_letter(number)
