"""Writing cells of the report workbook: safe text, figures as the plan prints them, the red
revision "(8,000からの修正)", styles, and row heights for wrapped Japanese text.
"""

from __future__ import annotations

import math
import re
import unicodedata
import weakref
from collections.abc import Mapping
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Color, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dxtracker.report.wording import JAPANESE, Wording

RED = "FFD00000"
FONT_NAME = "游ゴシック"  # Yu Gothic: on every Windows 10/11; LibreOffice substitutes
FONT_SIZE = 9
LINE_POINTS = 12.5  # height of one line of 9 pt text, with leading

THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_RIGHT = Alignment(wrap_text=True, vertical="top", horizontal="right")
TOP = Alignment(vertical="top")
MIDDLE = Alignment(vertical="center")
BOTTOM = Alignment(vertical="bottom")
BODY = Font(name=FONT_NAME, size=FONT_SIZE)
BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
HEADING = Font(name=FONT_NAME, size=11, bold=True)
SMALL = Font(name=FONT_NAME, size=8, color="FF555555")
REVISED = Font(name=FONT_NAME, size=FONT_SIZE, color=RED)
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
LABEL_FILL = PatternFill("solid", fgColor="FFF2F2F2")

_RED_INLINE = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE, color=Color(RED))
_BOLD_INLINE = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE, b=True)
_PLAIN_INLINE = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE)
# Characters XML 1.0 cannot hold (openpyxl refuses them): dropped from text we write.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)


def put(ws: Worksheet, row: int, column: int, value: Any, *, font: Font = BODY,
        alignment: Alignment = WRAP, border: bool = True, fill: PatternFill | None = None
        ) -> Any:
    """Write one cell. Text is always stored as text: a note starting with "=" must never
    become a formula (FACTS.md)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"
    else:
        cell.value = value
    cell.style = style_name(ws, font, alignment, border, fill)
    return cell


# Named styles per workbook, keyed by the identity of the style objects. Setting font,
# alignment, border and fill one by one makes openpyxl hash each object for every cell, which
# cost more than everything else in writing the report; a named style is one lookup. The
# cache keeps the objects alive, so that an id is never reused for another object.
_STYLE_NAMES: weakref.WeakKeyDictionary[Any, dict[tuple[int, int, bool, int],
                                                  tuple[str, tuple[Any, ...]]]] = (
    weakref.WeakKeyDictionary())


def style_name(ws: Worksheet, font: Font, alignment: Alignment, border: bool,
               fill: PatternFill | None) -> str:
    workbook = ws.parent
    assert workbook is not None  # a sheet we write always belongs to a workbook
    names = _STYLE_NAMES.setdefault(workbook, {})
    key = (id(font), id(alignment), border, id(fill))
    found = names.get(key)
    if found is None:
        name = f"DX Tracker {len(names) + 1:02d}"
        workbook.add_named_style(NamedStyle(
            name=name, font=font, alignment=alignment, border=BORDER if border else Border(),
            fill=fill or PatternFill()))
        found = names[key] = (name, (font, alignment, fill))
    return found[0]


def box(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int,
        value: Any, **style: Any) -> Any:
    """A merged box (the seed's cells that span rows or fiscal years), bordered all round."""
    cell = put(ws, first_row, first_col, value, **style)
    if (first_row, first_col) == (last_row, last_col):
        return cell
    # openpyxl's merge_cells re-derives the edge borders and copies the protection cell by
    # cell (slow); the merged cells here simply get the box's style.
    merged = MergedCellRange(ws, f"{get_column_letter(first_col)}{first_row}:"
                                 f"{get_column_letter(last_col)}{last_row}")
    ws.merged_cells.add(merged)
    name = cell.style
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            if (r, c) != (first_row, first_col):
                inner = MergedCell(ws, row=r, column=c)
                inner.style = name
                ws._cells[(r, c)] = inner
    return cell


def figure_text(value: Mapping[str, Any] | None) -> str:
    """A figure as the plan prints it; blank is "—", never 0."""
    return value["display"] if value else "—"


def revised_target(new: Mapping[str, Any] | None, old: Mapping[str, Any] | None,
                   wording: Wording = JAPANESE) -> CellRichText:
    """"10,000 (8,000からの修正)" in red: the words carry the revision as well as the colour."""
    return CellRichText(TextBlock(_RED_INLINE, figure_text(new)),
                        TextBlock(_RED_INLINE, " " + revised_from(figure_text(old), wording)))


def revised_from(old: str, wording: Wording) -> str:
    """"(8,000からの修正)" / "(revised from 8,000)"."""
    return wording.tr("({old}からの修正)", old=old)


def labelled(parts: list[tuple[str, str]]) -> CellRichText | str:
    """Paragraphs with a bold label each ("【商工労働部】" + text)."""
    blocks: list[Any] = []
    for label, text in parts:
        if blocks:
            blocks.append(TextBlock(_PLAIN_INLINE, "\n"))
        blocks.append(TextBlock(_BOLD_INLINE, clean(label)))
        if text:
            blocks.append(TextBlock(_PLAIN_INLINE, clean(text)))
    return CellRichText(*blocks) if blocks else ""


def text_width(text: str) -> int:
    """Display width in half-width units (a kanji counts 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def line_count(text: str, column_width: float) -> int:
    """Lines a wrapped cell needs; `column_width` in Excel's character units."""
    usable = max(column_width * 0.95 - 1, 4)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in str(text).split("\n"))


def fit_height(ws: Worksheet, row: int, lines: int) -> None:
    """Grow a row (never shrink it) to hold `lines` lines of body text."""
    height = lines * LINE_POINTS + 3
    current = ws.row_dimensions[row].height or 0
    if height > current:
        ws.row_dimensions[row].height = min(height, 409)  # Excel's maximum row height


def a4_landscape(ws: Worksheet, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as needed down
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter
    assert footer is not None  # openpyxl gives every sheet its header and footer
    footer.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


# A4 landscape inside the margins of `a4_landscape` (inches → points; pixels at 96 dpi).
PRINTABLE_WIDTH_PX = (11.69 - 0.8) * 96
PRINTABLE_HEIGHT_PT = (8.27 - 1.0) * 72 - 24  # less the footer's line
DEFAULT_ROW_PT = 15.0


def row_points(ws: Worksheet, row: int) -> float:
    return ws.row_dimensions[row].height or DEFAULT_ROW_PT


def column_pixels(width: float) -> int:
    """Excel's pixel width of a column `width` characters wide (7 px digits, 5 px padding)."""
    return int(width * 7 + 5)


def anchor_at(column_widths: Mapping[int, float], x: int, row: int, width: int, height: int
              ) -> OneCellAnchor:
    """A picture's anchor `x` pixels from the sheet's left edge, at the top of `row`."""
    column, left = 1, 0
    for number in sorted(column_widths):
        step = column_pixels(column_widths[number])
        if left + step > x:
            column = number
            break
        left += step
    marker = AnchorMarker(col=column - 1, colOff=pixels_to_EMU(x - left), row=row - 1,
                          rowOff=0)
    return OneCellAnchor(_from=marker,
                         ext=XDRPositiveSize2D(pixels_to_EMU(width), pixels_to_EMU(height)))


def page_points(ws: Worksheet, column_widths: Mapping[int, float], title_rows: int) -> float:
    """Sheet points that fit on one printed page when the sheet is fitted to the page width,
    after the repeated title rows; 8 % kept in reserve for the spreadsheet's own rounding."""
    sheet_px = sum(column_pixels(width) for width in column_widths.values())
    scale = min(1.0, PRINTABLE_WIDTH_PX / sheet_px)
    titles = sum(row_points(ws, r) for r in range(1, title_rows + 1))
    return PRINTABLE_HEIGHT_PT / scale * 0.92 - titles


def paginate(ws: Worksheet, segments: list[tuple[int, int, bool]], page: float,
             first_row: int) -> None:
    """Insert page breaks so that no segment (first row, last row, break before) is split
    across pages when it fits on one; rows between segments go with the next one."""
    from openpyxl.worksheet.pagebreak import Break

    used, start = 0.0, first_row
    for first, last, break_before in segments:
        height = sum(row_points(ws, r) for r in range(start, last + 1))
        if used and (break_before or used + height > page):
            ws.row_breaks.append(Break(id=start - 1))
            used = sum(row_points(ws, r) for r in range(first, last + 1))
        else:
            used += height
        start = last + 1
