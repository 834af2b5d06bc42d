"""Bounds on an untrusted workbook, applied before any xlsx reader sees the file.

Every reader falls for a zip bomb, and python-calamine builds a dense grid: one cell at
XFD20000 made it allocate 12 GB here. So, working on the bytes already in memory, in one pass:

1. the file must be of bounded size; as a zip archive, it is opened within bounds by
   `xlsx_archive` (declared sizes and ratios; members inflated by us, in bounded chunks, to
   their declared size and CRC);
2. the parts we interpret ourselves (relationships, workbook, styles) are parsed with
   defusedxml; every other XML part must be UTF-8 without a DTD;
3. each worksheet is bounded by `xlsx_scan` while it is inflated, chunk by chunk, stopping at
   the first violation (rows, a cell far away or without a plain position, a DTD); it also
   locates formula cells and percent-styled cells (calamine gives only values).

A worksheet is then read once, by calamine; nothing here parses it.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TypeVar

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

# UnsafeWorkbook is what inspect_workbook raises: callers import it from here.
from dxtracker.files.xlsx_archive import UnsafeWorkbook, inflate, open_archive, read_member
from dxtracker.files.xlsx_scan import (
    MAX_COLUMNS,
    MAX_ROWS,
    SheetScan,
    SheetScanner,
    check_xml_head,
    check_xml_part,
)

__all__ = ["MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "SheetFacts", "UnsafeWorkbook",
           "WorkbookFacts", "inspect_workbook"]

MAX_FILE_BYTES = 20 * 1024 * 1024  # a return is ~20–200 KB; room for a pasted picture or two
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class SheetFacts:
    """What the guards learnt about one worksheet while bounding it."""

    member: str
    formula_cells: frozenset[str] = frozenset()  # "F7", … cells holding a formula
    # Cells shown as a percentage: Excel stores a typed "45%" as 0.45 with a % format.
    percent_cells: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkbookFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet name


def inspect_workbook(data: bytes, sheets: Collection[str] | None = None) -> WorkbookFacts:
    """Check `data` (a whole .xlsx file); raises UnsafeWorkbook with the reason.

    `sheets`: the sheets that will be parsed (all if None); facts are gathered for them only,
    though every part a reader could take for a worksheet is bounded.
    """
    if not data:
        raise UnsafeWorkbook("ファイルが空です（0バイト）。", "The file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise UnsafeWorkbook(
            f"ファイルが大きすぎます（{len(data) / 1e6:.1f} MB、上限 {MAX_FILE_BYTES // 10**6} MB）。"
            "回答様式のファイルか確かめてください。",
            f"The file is too large ({len(data) / 1e6:.1f} MB; limit "
            f"{MAX_FILE_BYTES // 10**6} MB).")
    archive = _Archive(data, open_archive(data))
    parts, styles = _workbook_parts(archive)
    percent = _percent_styles(styles, archive.part(styles) or b"") if styles else frozenset()
    names = {member: name for name, member in parts.items()}
    scans = {member: archive.scan(member, names.get(member), percent)
             for member in list(archive.members)}
    return WorkbookFacts({name: _facts(member, scans.get(member)) for name, member in parts.items()
                          if sheets is None or name in sheets})


def _facts(member: str, scan: SheetScan | None) -> SheetFacts:
    scan = scan or SheetScan()
    return SheetFacts(member, scan.formula_cells, scan.percent_cells)


class _Archive:
    """The members of one file: the few we parse are kept whole, worksheets are streamed."""

    def __init__(self, data: bytes, infos: list[zipfile.ZipInfo]) -> None:
        self.data = data
        self.members = {info.filename: info for info in infos}
        self.kept: dict[str, bytes] = {}

    def part(self, member: str) -> bytes | None:
        """A part we parse ourselves (relationships, workbook, styles), checked, kept whole."""
        if member not in self.kept:
            if member not in self.members:
                return None
            self.kept[member] = read_member(self.data, self.members[member])
            check_xml_part(member, self.kept[member])
        return self.kept[member]

    def scan(self, member: str, sheet: str | None, percent: frozenset[str]) -> SheetScan | None:
        """Bound the member: a worksheet as it is inflated; any other part whole (and as a
        worksheet too if it holds one: a crafted file may send a reader there)."""
        info = self.members[member]
        if sheet is not None:
            scanner = SheetScanner(sheet, member, percent)
            for number, chunk in enumerate(inflate(self.data, info)):
                if number == 0:
                    check_xml_head(member, chunk)
                scanner.feed(chunk)
            return scanner.close()
        content = self.kept.get(member)
        if content is None:
            content = read_member(self.data, info)
            if member.endswith(_XML_SUFFIXES):
                check_xml_part(member, content)
        if b"sheetData" not in content:
            return None
        scanner = SheetScanner(member, member, percent)
        scanner.feed(content)
        return scanner.close()


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


def _relationships(archive: _Archive, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, target part) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    content = archive.part(rels_name)
    if content is None:
        return {}
    result = {}
    for rel_id, kind, target in _relationship_entries(rels_name, content):
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


def _workbook_parts(archive: _Archive) -> tuple[dict[str, str], str | None]:
    """Sheet name → worksheet part, and the styles part, from the relationships."""
    workbook = next((target for kind, target in _relationships(archive, "").values()
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
    content = archive.part(workbook)
    if content is None:
        raise UnsafeWorkbook("xlsxファイルではありません（ブック本体がありません）。",
                             "Not an xlsx file: the workbook part is missing.")
    relationships = _relationships(archive, workbook)
    sheets: dict[str, str] = {}
    seen: set[str] = set()
    for name, rel_id in _sheet_entries(workbook, content):
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
