"""Fonts of the charts and the PDF: Japanese text that renders, and a PDF that can be searched.

matplotlib ≥ 3.6 falls back glyph by glyph through a list in `font.family`; the list is
filtered to the fonts installed, once (FACTS.md). Drawing happens inside `chart_style()` so
that the process-wide rcParams are left alone.

The PDF embeds its fonts as TrueType (`pdf.fonttype` 42: CID fonts with a ToUnicode map, so
the text can be searched and copied) and therefore uses only fonts with TrueType outlines:
IPAex Gothic (Debian `fonts-ipaexfont-gothic`), Yu Gothic, Meiryo or MS Gothic on Windows.
Noto Sans CJK, the other Debian font, has CFF outlines, which matplotlib embeds as Type 42
into files that poppler and Acrobat flag as broken (matplotlib issue #20870): it is left out
of the PDF's list. Without any TrueType Japanese font the PDF falls back to Type 3 (drawn
glyphs; still readable, less well searchable) and says so in the log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

if TYPE_CHECKING:  # the key names of rcParams (matplotlib.typing: type checking only)
    from matplotlib.typing import RcKeyType

log = logging.getLogger(__name__)

FONT_FALLBACK = ("Yu Gothic", "Meiryo", "MS Gothic", "IPAexGothic", "Noto Sans CJK JP",
                 "DejaVu Sans")
LATIN_FONT = "DejaVu Sans"  # matplotlib's own font, TrueType: ≥ and the like, missing in IPAex


@functools.cache
def font_families() -> tuple[str, ...]:
    """FONT_FALLBACK filtered to the fonts installed (resolved once per process)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = tuple(name for name in FONT_FALLBACK if name in installed)
    return found or (LATIN_FONT,)


def has_japanese_font() -> bool:
    return any(name != LATIN_FONT for name in font_families())


# The files of the TrueType Japanese fonts above (IPAex Gothic; Yu Gothic, Meiryo, MS Gothic).
TRUETYPE_FILES = ("ipaexg.ttf", "yugothr.ttc", "yugothm.ttc", "meiryo.ttc", "msgothic.ttc")


@functools.cache
def truetype_families() -> tuple[str, ...]:
    """The installed Japanese fonts of FONT_FALLBACK whose outlines are TrueType (a `glyf`
    table), in the list's order: the ones a PDF can embed as Type 42."""
    found = _truetype_families()
    if not found and _add_fonts_missing_from_the_cache():
        font_families.cache_clear()
        found = _truetype_families()
    return found


def _add_fonts_missing_from_the_cache() -> bool:
    """matplotlib lists the system's fonts once, in a cache file: a font installed later (say,
    by scripts/setup.sh on a machine that already had matplotlib) is unknown to it. Adds such a
    TrueType Japanese font; True if one was added."""
    from matplotlib import font_manager

    known = {Path(entry.fname).name.lower() for entry in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts(fontext="ttf"):
        name = Path(path).name.lower()
        if name in TRUETYPE_FILES and name not in known:
            font_manager.fontManager.addfont(path)
            known.add(name)
            added = True
    return added


def _truetype_families() -> tuple[str, ...]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # ships no type hints
    from matplotlib import font_manager

    entries: dict[str, list[Any]] = {}
    for entry in font_manager.fontManager.ttflist:
        entries.setdefault(entry.name, []).append(entry)
    found = []
    for name in font_families():
        if name == LATIN_FONT:
            continue
        entry = entries[name][0]  # the faces of a family share their kind of outlines
        try:
            with TTFont(entry.fname, fontNumber=getattr(entry, "index", 0), lazy=True) as font:
                if "glyf" in font:
                    found.append(name)
        except (OSError, ValueError, KeyError, AssertionError) as exc:
            log.info("font %s (%s) left out of the PDF: %s", name, entry.fname, exc)
    return tuple(found)


def style_rc() -> dict[RcKeyType, Any]:
    return {"font.family": list(font_families()), "font.size": 9,
            "axes.titlesize": 9.5, "legend.fontsize": 7.5}


def pdf_rc() -> dict[RcKeyType, Any]:
    """`style_rc()` for the PDF: TrueType fonts embedded as Type 42 where there are any."""
    truetype = truetype_families()
    if not truetype:
        log.warning("no Japanese font with TrueType outlines (e.g. fonts-ipaexfont-gothic): "
                    "the PDF's fonts are embedded as Type 3")
        return {**style_rc(), "pdf.fonttype": 3}
    return {**style_rc(), "font.family": [*truetype, LATIN_FONT], "pdf.fonttype": 42}


@contextmanager
def chart_style() -> Iterator[None]:
    with matplotlib.rc_context(style_rc()):
        yield


class _NoBoldWarning(logging.Filter):
    """IPAex Gothic has no bold face: matplotlib says so for every bold text. The regular
    face is drawn instead, which is all there is to do about it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to find font weight" not in record.getMessage()


logging.getLogger("matplotlib.font_manager").addFilter(_NoBoldWarning())
