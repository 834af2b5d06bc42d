"""Bounds on an untrusted workbook, applied before any xlsx reader sees the file.

Every reader falls for a zip bomb, and python-calamine builds a dense grid: one cell at
XFD20000 made it allocate 12 GB here. So, working on the bytes already in memory:

1. the file must be of bounded size; as a zip archive, it is opened within bounds by
   `xlsx_archive` (declared sizes and ratios, members inflated by us to their declared size
   and CRC, XML parts in UTF-8 without a DTD);
2. the parts we interpret ourselves (relationships, workbook, styles) are parsed with defusedxml;
3. each worksheet's rows, cells and the furthest cell reference are bounded, so that the
   reader's grid stays small; formula cells are located (calamine only gives their results).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TypeVar

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

# UnsafeWorkbook is what inspect_workbook raises: callers import it from here.
from dxtracker.files.xlsx_archive import UnsafeWorkbook, xml_parts

MAX_FILE_BYTES = 20 * 1024 * 1024  # a return is ~20–200 KB; room for a pasted picture or two
MAX_ROWS = 20_000  # per sheet
MAX_COLUMNS = 64  # furthest column a sheet may use (the tables have at most 11)

# Two passes over a sheet's XML: its row, cell and formula tags (the names differ at their
# first letter, so one pass finds exactly what one pass per tag would), and the cells' positions.
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c|f)[\s>/]")
_CELL_REF = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')


@dataclass(frozen=True)
class SheetFacts:
    """What the guards learnt about one worksheet while bounding it."""

    member: str
    rows: int
    formula_cells: frozenset[str] = frozenset()  # "F7", … cells holding a formula
    # Cells shown as a percentage: Excel stores a typed "45%" as 0.45 with a % format.
    percent_cells: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkbookFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet name


def inspect_workbook(data: bytes, sheets: Collection[str] | None = None) -> WorkbookFacts:
    """Check `data` (a whole .xlsx file); raises UnsafeWorkbook with the reason.

    `sheets`: the sheets that will be parsed (all if None); only they are bounded and scanned
    for formulas, the others are never handed to a parser.
    """
    if not data:
        raise UnsafeWorkbook("ファイルが空です（0バイト）。", "The file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise UnsafeWorkbook(
            f"ファイルが大きすぎます（{len(data) / 1e6:.1f} MB、上限 {MAX_FILE_BYTES // 10**6} MB）。"
            "回答様式のファイルか確かめてください。",
            f"The file is too large ({len(data) / 1e6:.1f} MB; limit "
            f"{MAX_FILE_BYTES // 10**6} MB).")
    contents = xml_parts(data)
    parts, styles = _workbook_parts(contents)
    names = {member: name for name, member in parts.items()}
    scans = {}
    for member, content in contents.items():
        # Every part a reader could parse as a worksheet is bounded, whatever the workbook's
        # relationships say (a crafted one might send us to one part and a reader to another).
        if b"sheetData" in content or member in names:
            scans[member] = _bound_sheet(names.get(member, member), content)
    percent = _percent_styles(styles, contents.get(styles, b"")) if styles else frozenset()
    facts = {name: _sheet_facts(member, contents.get(member, b""),
                                scans.get(member, _EMPTY_SCAN), percent)
             for name, member in parts.items() if sheets is None or name in sheets}
    return WorkbookFacts(facts)


# --------------------------------------------------------------------------- workbook parts
# Parsed with defusedxml; the bytes were already bounded and checked by `xlsx_archive`.


def _parse(member: str, content: bytes):  # type: ignore[no-untyped-def]
    try:
        return SafeET.fromstring(content, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise UnsafeWorkbook(f"xlsxファイルの {member} が読めません（XMLの誤り）。",
                             f"{member} in the xlsx file is not well-formed XML.") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(contents: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, target part) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in contents:
        return {}
    result = {}
    for rel_id, kind, target in _relationship_entries(rels_name, contents[rels_name]):
        resolved = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
        result[rel_id] = (kind, resolved)
    return result


_Parsed = TypeVar("_Parsed")


def _kept_by_content(parse: Callable[[str, bytes], _Parsed]) -> Callable[[str, bytes], _Parsed]:
    """`parse`, with its results kept by content for small parts.

    The parts parsed here (relationships, workbook, styles) are byte for byte the same in every
    return one app exported: the same bytes parse the same, so a merge of forty returns parses
    them once. A part that fails to parse raises every time; large parts (only a crafted file
    has them) are parsed and not kept.
    """
    kept = functools.lru_cache(maxsize=16)(parse)

    @functools.wraps(parse)
    def parse_or_recall(member: str, content: bytes) -> _Parsed:
        return kept(member, content) if len(content) <= 64 * 1024 else parse(member, content)
    return parse_or_recall


@_kept_by_content
def _relationship_entries(member: str, content: bytes) -> tuple[tuple[str, str, str], ...]:
    """(Id, Type, Target) of each relationship in a .rels part."""
    return tuple((element.get("Id", ""), element.get("Type", ""), element.get("Target", ""))
                 for element in _parse(member, content).iter()
                 if _local(element.tag) == "Relationship")


@_kept_by_content
def _sheet_entries(member: str, content: bytes) -> tuple[tuple[str, str], ...]:
    """(name, relationship id) of each sheet the workbook part lists, in order."""
    return tuple((element.get("name", ""),
                  next((v for k, v in element.attrib.items() if _local(k) == "id"), ""))
                 for element in _parse(member, content).iter()
                 if _local(element.tag) == "sheet")


def _workbook_parts(contents: dict[str, bytes]) -> tuple[dict[str, str], str | None]:
    """Sheet name → worksheet part, and the styles part, from the relationships."""
    workbook = next((target for kind, target in _relationships(contents, "").values()
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
    if workbook not in contents:
        raise UnsafeWorkbook("xlsxファイルではありません（ブック本体がありません）。",
                             "Not an xlsx file: the workbook part is missing.")
    relationships = _relationships(contents, workbook)
    sheets: dict[str, str] = {}
    seen: set[str] = set()
    for name, rel_id in _sheet_entries(workbook, contents[workbook]):
        kind, target = relationships.get(rel_id, ("", ""))
        if name in seen:  # a reader might pick either: the guards must know which
            raise UnsafeWorkbook(f"シート名「{name}」が重複しています。",
                                 f"Sheet name '{name}' is repeated.")
        seen.add(name)
        if kind.endswith("/worksheet"):
            sheets[name] = target
    styles = next((t for kind, t in relationships.values() if kind.endswith("/styles")), None)
    return sheets, styles


_PERCENT_BUILTIN = {"9", "10"}  # 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.')


@_kept_by_content
def _percent_styles(member: str, content: bytes) -> frozenset[str]:
    """Indices (as in a cell's s="…") of the cell formats that show a percentage."""
    root = _parse(member, content)
    percent_formats = set(_PERCENT_BUILTIN)
    for element in root.iter():
        if _local(element.tag) == "numFmt" and \
                "%" in _QUOTED.sub("", element.get("formatCode", "")):
            percent_formats.add(element.get("numFmtId", ""))
    formats = next((e for e in root.iter() if _local(e.tag) == "cellXfs"), None)
    if formats is None:
        return frozenset()
    return frozenset(str(index) for index, xf in enumerate(formats)
                     if xf.get("numFmtId", "0") in percent_formats)


# --------------------------------------------------------------------------- worksheets


@dataclass(frozen=True)
class _SheetScan:
    rows: int
    has_formula: bool


_EMPTY_SCAN = _SheetScan(0, False)


def _bound_sheet(name: str, content: bytes) -> _SheetScan:
    """Refuse a sheet with too many rows or cells far away; its number of rows, and whether
    a formula tag occurs in it."""
    tags = _SHEET_TAG.findall(content)
    rows = tags.count(b"row")
    if rows > MAX_ROWS:
        raise UnsafeWorkbook(
            f"シート「{name}」の行が多すぎます（{rows:,}行、上限 {MAX_ROWS:,}行）。",
            f"Sheet '{name}' has too many rows ({rows:,}; limit {MAX_ROWS:,}).")
    cells = tags.count(b"c")
    positions = _CELL_REF.findall(content)
    if len(positions) != cells:
        raise UnsafeWorkbook(
            f"シート「{name}」にセル位置のないセルがあります。Excelで開いて保存し直してください。",
            f"Sheet '{name}' has cells without a position. Open and save it in Excel.")
    if positions:  # distinct values first: a sheet has many cells but few columns and rows
        last_row = max(map(int, set(map(itemgetter(1), positions))))
        last_column = max(set(map(itemgetter(0), positions)), key=_column_number)
        if last_row > MAX_ROWS or _column_number(last_column) > MAX_COLUMNS:
            raise UnsafeWorkbook(
                f"シート「{name}」の使用範囲が大きすぎます（{last_column.decode()}{last_row}まで）。"
                "表の外の不要なセルを削除してください。",
                f"Sheet '{name}' uses too large a range (up to "
                f"{last_column.decode()}{last_row}). Delete stray cells outside the table.")
    return _SheetScan(rows, b"f" in tags)


def _sheet_facts(member: str, content: bytes, scan: _SheetScan,
                 percent_styles: frozenset[str]) -> SheetFacts:
    formulas = _formula_cells(member, content) if scan.has_formula else frozenset()
    percent = _styled_cells(content, percent_styles) if percent_styles else frozenset()
    return SheetFacts(member, scan.rows, formulas, percent)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _formula_cells(member: str, content: bytes) -> frozenset[str]:
    """Cells holding a formula (rare: only then is the sheet parsed, with defusedxml)."""
    found = set()
    for cell in _parse(member, content).iter():
        if _local(cell.tag) == "c" and any(_local(child.tag) == "f" for child in cell):
            found.add(cell.get("r", ""))
    return frozenset(found)


_START_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*)>")
_REF_ATTRIBUTE = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_STYLE_ATTRIBUTE = re.compile(rb'\bs="([0-9]+)"')


def _styled_cells(content: bytes, styles: frozenset[str]) -> frozenset[str]:
    """Cells whose style index is one of `styles` (only run when such a style exists)."""
    found = set()
    for match in _START_TAG.finditer(content):
        style = _STYLE_ATTRIBUTE.search(match[1])
        if style and style[1].decode() in styles:
            ref = _REF_ATTRIBUTE.search(match[1])
            if ref:
                found.add(ref[1].decode())
    return frozenset(found)
