"""One streaming pass over a worksheet's XML that bounds it before any reader parses it.

python-calamine builds a dense grid from the cells' positions (one cell at XFD20000 cost it
12 GB) and takes a cell's position from its `r` attribute as quick-xml reads it: any namespace
prefix on the tag, single or double quotes, spaces around `=`, attributes without a space between
them, lower-case column letters, and the *last* of two `r` attributes. So the scan does not try to
read cells the way a reader might; it accepts a cell tag only in a form whose position nobody can
read differently, and refuses anything else:

    <c r="B7" s="3" t="s">   every attribute `name="value"` separated by white space, exactly
                             one `r`, in bounds (A1…BL20000); any prefix (`<x:c …>`) alike

The form every writer here uses (r first, then s, t, cm, vm) is recognised by one regular
expression over the whole chunk; a tag in another form is read attribute by attribute.

The inflated bytes arrive in chunks; every token the scan looks at starts with `<` and ends before
the next `<`, so each chunk is scanned up to its last `<` and the rest is carried into the next
one (a tag split across chunks is scanned whole, once). The first violation raises at once, so a
hostile sheet costs only the chunks up to it. The scan treats comments and CDATA as markup: a tag
inside them counts as a tag (over-counting only ever refuses, never lets through), and a DTD
(`<!DOCTYPE`, `<!ENTITY`, anywhere in the part) is refused.

What the reader needs besides the bounds is collected on the way: the cells holding a formula
(calamine gives only their cached values) and the cells with a percent style (Excel stores a
typed "45%" as 0.45).

The fast checks below run in C (bytes.count, regular expressions with a literal start); Python
code runs per cell only for the rare sheets written in another form (another attribute order, a
formula, a percent style in use).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from dxtracker.files.xlsx_archive import UnsafeWorkbook

MAX_ROWS = 20_000  # per sheet
MAX_COLUMNS = 64  # furthest column a sheet may use (the tables have at most 11): BL
MAX_CARRY = 1 << 20  # markup and text between two tags: a cell holds at most 32,767 characters

# An in-bounds cell reference, upper case, no leading zero: A1 … BL20000.
_REF = rb"(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,3}|1[0-9]{4}|20000)"
# The plain form Excel, LibreOffice, openpyxl and XlsxWriter write: r first, then s, t, cm, vm
# in this order (a fixed sequence is cheaper to match than any attribute in any order).
_PLAIN_REST = (rb' r="' + _REF + rb'"(?: s="[0-9]++")?+(?: t="[a-zA-Z]++")?+'
               rb'(?: cm="[0-9]++")?+(?: vm="[0-9]++")?+ ?/?>')
_PREFIX = rb"(?:[^\s<>/:!?]*+:)"  # a namespace prefix as quick-xml splits it off, possessive
_ODD_CELL = re.compile(rb"<c(?=[\s/>])(?!" + _PLAIN_REST + rb")")
_ODD_PREFIXED_CELL = re.compile(rb"<" + _PREFIX + rb"++c(?=[\s/>])(?!" + _PLAIN_REST + rb")")
# A cell tag of any form whose attributes are all `name="value"`: what the slow path reads.
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb'*+c((?:\s++[A-Za-z_][\w.:-]*+="[^"<]*+")*+)\s*+/?>')
_ATTRIBUTE = re.compile(rb'([A-Za-z_][\w.:-]*+)="([^"<]*+)"')
_IN_BOUNDS_TEXT = re.compile(_REF.decode())
_LOOSE_R = re.compile(rb"""(?:^|[\s"'])r\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")
_PREFIXED_TAG = re.compile(rb":(?:c|f|row)[\s/>]")  # also in end tags: only a hint
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"*+row[\s/>]")
_FORMULA = re.compile(rb"<f[\s/>]")
_FORMULA_ANY = re.compile(rb"<" + _PREFIX + rb"*+f[\s/>]")
_BANG = re.compile(rb"<!(?!--|\[)")  # a declaration (<!DOCTYPE, <!ENTITY); not <!-- nor <![


@dataclass(frozen=True)
class SheetScan:
    """What the scan learnt about one worksheet: the cells a reader must know more about."""

    formula_cells: frozenset[str] = frozenset()  # "F7", … cells holding a formula
    percent_cells: frozenset[str] = frozenset()  # cells whose style shows a percentage


def refuse_dtd(member: str) -> UnsafeWorkbook:
    # Excel never writes a DTD; entity declarations are how XML bombs expand.
    return UnsafeWorkbook(
        f"xlsxファイルとして異常なため読み込みません（{member} にDTD（実体宣言）があります）。"
        "Excelで開いて内容を確かめ、回答様式に入力し直してください。",
        f"Refused an abnormal xlsx file ({member} carries a DTD).")


def has_dtd(content: bytes, start: int = 0, end: int | None = None) -> bool:
    return _BANG.search(content, start, len(content) if end is None else end) is not None


def check_xml_head(member: str, head: bytes) -> None:
    """An XML part must be UTF-8: in UTF-16 a DTD would hide from a byte scan."""
    if head[:4].startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise UnsafeWorkbook(
            f"xlsxファイルの {member} がUTF-8ではありません。Excelで保存し直してください。",
            f"{member} in the xlsx file is not UTF-8.")


def check_xml_part(member: str, content: bytes) -> None:
    """A whole XML part that is not a worksheet: UTF-8, and no DTD anywhere in it."""
    check_xml_head(member, content)
    if has_dtd(content):
        raise refuse_dtd(member)


class SheetScanner:
    """Feed a worksheet's bytes in order with `feed`, then `close`; raises UnsafeWorkbook at the
    first violation. `name` is how messages call the sheet; `percent_styles` the style indices
    (as in s="…") that show a percentage."""

    def __init__(self, name: str, member: str, percent_styles: frozenset[str]) -> None:
        self.name, self.member = name, member
        self.percent = _percent_attribute(percent_styles) if percent_styles else None
        self.carry = b""
        self.rows = 0
        self.last_cell = ""  # of the chunks before: a formula tag may open the next chunk
        self.formulas: set[str] = set()
        self.percent_cells: set[str] = set()

    def feed(self, chunk: bytes) -> None:
        buffer = self.carry + chunk if self.carry else chunk
        cut = buffer.rfind(b"<")
        if cut < 0:  # text only: no token starts here, nothing to carry
            self.carry = b""
            return
        if len(buffer) - cut > MAX_CARRY:
            raise UnsafeWorkbook(
                f"シート「{self.name}」に異常に長い要素があります。Excelで開いて保存し直してください。",
                f"Sheet '{self.name}' holds an abnormally long element. Open and save it in Excel.")
        self._scan(buffer, cut)
        self.carry = buffer[cut:]

    def close(self) -> SheetScan:
        if self.carry:
            self._scan(self.carry, len(self.carry))
            self.carry = b""
        return SheetScan(frozenset(self.formulas), frozenset(self.percent_cells))

    # -- one region: buffer[:end], every token in it whole

    def _scan(self, buffer: bytes, end: int) -> None:
        if has_dtd(buffer, 0, end):
            raise refuse_dtd(self.member)
        prefixed = _PREFIXED_TAG.search(buffer, 0, end) is not None
        self._count_rows(buffer, end, prefixed)
        self._check_cells(buffer, end, _ODD_CELL)
        if prefixed:
            self._check_cells(buffer, end, _ODD_PREFIXED_CELL)
        if (_FORMULA_ANY if prefixed else _FORMULA).search(buffer, 0, end):
            self._find_formulas(buffer, end)
        if self.percent is not None:
            self._find_percent(buffer, end)
        self.last_cell = _last_cell(buffer, end, prefixed) or self.last_cell

    def _count_rows(self, buffer: bytes, end: int, prefixed: bool) -> None:
        # `<row` also counts <rowBreaks>: a few too many at worst, never too few.
        self.rows += len(_ROW_TAG.findall(buffer, 0, end)) if prefixed else \
            buffer.count(b"<row", 0, end)
        if self.rows > MAX_ROWS:
            raise UnsafeWorkbook(
                f"シート「{self.name}」の行が多すぎます（{MAX_ROWS:,}行を超えています）。",
                f"Sheet '{self.name}' has too many rows (more than {MAX_ROWS:,}).")

    def _check_cells(self, buffer: bytes, end: int, odd: re.Pattern[bytes]) -> None:
        """Every cell tag in the plain form; another form is read attribute by attribute."""
        found = odd.search(buffer, 0, end)
        while found:
            self._check_odd_cell(buffer, found.start(), end)
            found = odd.search(buffer, found.end(), end)

    def _check_odd_cell(self, buffer: bytes, start: int, end: int) -> None:
        tag = _CELL_TAG.match(buffer, start, end)
        refs = _references(tag[1]) if tag else []
        if len(refs) == 1 and _IN_BOUNDS_TEXT.fullmatch(refs[0]):
            return  # attributes in another order, a prefix: fine
        closing = buffer.find(b">", start, end)
        self._refuse_cell(buffer[start: closing + 1 if closing >= 0 else end])

    def _refuse_cell(self, tag: bytes) -> None:
        loose = _LOOSE_R.findall(tag)
        if len(loose) == 1 and _far(*loose[0]):
            ref = (loose[0][0] + loose[0][1]).decode("ascii")
            raise UnsafeWorkbook(
                f"シート「{self.name}」の使用範囲が大きすぎます（{ref}にセルがあります）。"
                "表の外の不要なセルを削除してください。",
                f"Sheet '{self.name}' uses too large a range (a cell at {ref}). "
                "Delete stray cells outside the table.")
        raise UnsafeWorkbook(
            f"シート「{self.name}」にセル位置のないセル（または位置の読めないセル）があります。"
            "Excelで開いて保存し直してください。",
            f"Sheet '{self.name}' has cells without a position (or with one that cannot be "
            "read). Open and save it in Excel.")

    # -- facts for the reader (every cell is known to be in the plain form or checked)

    def _find_formulas(self, buffer: bytes, end: int) -> None:
        """Cells holding a formula tag: a formula belongs to the last cell opened before it."""
        starts, refs = _cells(buffer, end)
        for formula in _FORMULA_ANY.finditer(buffer, 0, end):
            index = bisect.bisect(starts, formula.start()) - 1
            owner = refs[index] if index >= 0 else self.last_cell
            if owner:
                self.formulas.add(owner)

    def _find_percent(self, buffer: bytes, end: int) -> None:
        assert self.percent is not None
        for style in self.percent(buffer, end):
            tag = _CELL_TAG.match(buffer, max(buffer.rfind(b"<", 0, style), 0), end)
            if tag is not None and tag.end() > style:  # not a row's style, nor text
                self.percent_cells.update(_references(tag[1]))


def _far(letters: bytes, digits: bytes) -> bool:
    """Whether the cell a reader would place at letters+digits lies out of bounds."""
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column > MAX_COLUMNS or int(digits) > MAX_ROWS


def _references(attributes: bytes) -> list[str]:
    """The values of the `r` attributes among a cell tag's `name="value"` attributes."""
    return [value.decode("ascii", "replace") for key, value in _ATTRIBUTE.findall(attributes)
            if key == b"r"]


def _cells(buffer: bytes, end: int) -> tuple[list[int], list[str]]:
    """Start and reference of every cell tag in buffer[:end], in order."""
    starts, refs = [], []
    for tag in _CELL_TAG.finditer(buffer, 0, end):
        for ref in _references(tag[1]):
            starts.append(tag.start())
            refs.append(ref)
    return starts, refs


def _last_cell(buffer: bytes, end: int, prefixed: bool) -> str:
    """The reference of the last cell tag in buffer[:end] ("" if none): looked for from the
    end, usually a few bytes before it."""
    position = end
    while position > 0:
        start = buffer.rfind(b"<c", 0, position)
        colon = buffer.rfind(b":c", 0, position) if prefixed else -1
        if colon >= 0:
            start = max(start, buffer.rfind(b"<", 0, colon))
        if start < 0:
            return ""
        tag = _CELL_TAG.match(buffer, start, end)
        refs = _references(tag[1]) if tag else []
        if refs:
            return refs[-1]
        position = start
    return ""


@functools.lru_cache(maxsize=16)
def _percent_attribute(styles: frozenset[str]) -> Callable[[bytes, int], list[int]]:
    """Where s="…" names one of `styles` in a region (the positions of the attributes)."""
    pattern = re.compile(rb'\ss="(?:' + b"|".join(s.encode() for s in sorted(styles)) + rb')"')
    quick = [b's="%s"' % s.encode() for s in styles]

    def positions(buffer: bytes, end: int) -> list[int]:
        if not any(buffer.find(q, 0, end) >= 0 for q in quick):
            return []
        return [m.start() for m in pattern.finditer(buffer, 0, end)]
    return positions
