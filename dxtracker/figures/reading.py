"""How a typed figure was read: 「約30」→ 30（概数）.

The value parser understands what people type (full-width digits, 約, 万, ▲, a unit, a number
stored as text, a percentage cell…). Whatever it understood beyond a plain number is said
back to the user, so that headquarters sees in the dry run how each figure was taken before it
is stored. `explain_figure` returns None for a figure that needs no explaining (a number cell,
or text already in its canonical form), which is nearly every cell: it costs one comparison.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from dxtracker.figures.format import format_value
from dxtracker.figures.values import Number, Value, normalise

__all__ = ["FigureReading", "explain_figure", "percent_text"]

# Note codes and their words (Japanese, English). "{…}" fields are filled from the text.
NOTES: dict[str, tuple[str, str]] = {
    "approximate": ("概数", "approximate"),
    "full_width": ("全角", "full-width characters"),
    "multiplier_man": ("万＝×10,000", "万 = ×10,000"),
    "multiplier_oku": ("億＝×100,000,000", "億 = ×100,000,000"),
    "minus_mark": ("{mark}はマイナス", "{mark} means minus"),
    "unit": ("単位「{unit}」", "unit {unit}"),
    "text_number": ("文字列として保存された数値", "a number stored as text"),
    "percent_cell": ("パーセント表示のセル {raw}", "a percentage cell holding {raw}"),
    "spaces": ("前後の空白を除く", "spaces removed"),
    "formula": ("数式の計算結果", "the result of a formula"),
}
BLANK_JA, BLANK_EN = "空欄", "blank"

_FULL_WIDTH = re.compile("[\uff01-\uff5e]")  # ０-９, ，, ．, ％, －, ～, Ａ-Ｚ …
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_EDGE_SPACE = re.compile(r"^\s|\s$")


@dataclass(frozen=True)
class FigureReading:
    """What a cell held, the figure it was read as, and why that is so."""

    typed: str  # as the cell showed it: "約30", "85%", " 45 "
    shown: str  # the figure read, without 約 (the note says so); "" for blank
    notes: tuple[tuple[str, str], ...] = ()  # (code, text field), see NOTES

    def text(self, language: str = "ja") -> str:
        """「約30」→ 30（概数）, or in English "約30" → 30 (approximate)."""
        english = language == "en"
        shown = self.shown or (BLANK_EN if english else BLANK_JA)
        words = [_note(code, field, english) for code, field in self.notes]
        if english:
            return f'"{_visible(self.typed)}" → {shown}' + (f" ({', '.join(words)})" if words else "")
        return f"「{_visible(self.typed)}」→ {shown}" + (f"（{'、'.join(words)}）" if words else "")


def _note(code: str, field: str, english: str | bool) -> str:
    ja, en = NOTES[code]
    return (en if english else ja).format(mark=field, unit=field, raw=field)


def _visible(text: str) -> str:
    """Spaces that cannot be seen in a message, made visible; line breaks as ⏎."""
    return text.replace("\u00a0", "␣").replace("\u3000", "␣").replace("\n", "⏎")


def percent_text(number: float) -> str:
    """A percentage cell's number as the cell shows it: 0.455 → "45.5%"."""
    hundred = (Decimal(repr(number)) * 100).normalize()
    return f"{hundred:f}%"


def explain_figure(typed: object, value: Value | None, canonical: str | None, unit: str, *,
                   percent: bool = False, formula: bool = False) -> FigureReading | None:
    """How `typed` (a cell's value: text or a number) was read as `value` (canonical text
    `canonical`), or None when there is nothing to explain."""
    return _explained(typed, value, canonical, unit, percent, formula)


# Kept: the same figures recur in the returns of a merge, and a reading is immutable.
@functools.lru_cache(maxsize=4096, typed=True)
def _explained(typed: object, value: Value | None, canonical: str | None, unit: str,
               percent: bool, formula: bool) -> FigureReading | None:
    plain_cell = isinstance(typed, int | float) and not isinstance(typed, bool)
    as_typed = typed == canonical and not (canonical or "").startswith("約")
    if not formula and ((plain_cell and not percent) or as_typed):
        return None
    notes: list[tuple[str, str]] = []
    if plain_cell:
        number = float(typed)  # type: ignore[arg-type]
        text = percent_text(number) if percent else \
            str(int(number)) if number.is_integer() else repr(number)
        if percent:
            notes.append(("percent_cell", str(typed)))
    else:
        text = str(typed)
        notes += _text_notes(text, value, unit)
    if formula:
        notes.append(("formula", ""))
    return FigureReading(text, _shown(value), tuple(notes))


def _shown(value: Value | None) -> str:
    if isinstance(value, Number) and value.approximate:
        return format_value(Number(value.value))
    return format_value(value)


def _text_notes(text: str, value: Value | None, unit: str) -> list[tuple[str, str]]:
    if value is None:
        return []  # 「—」→ 空欄 says it all
    notes: list[tuple[str, str]] = []
    if _EDGE_SPACE.search(text):
        notes.append(("spaces", ""))
    if _FULL_WIDTH.search(text):
        notes.append(("full_width", ""))
    compact = re.sub(r"\s+", "", normalise(text))
    if isinstance(value, Number) and value.approximate:
        notes.append(("approximate", ""))
    for mark in ("▲", "△"):
        if mark in compact:
            notes.append(("minus_mark", mark))
    unit_text = unicodedata.normalize("NFKC", unit).strip()
    if unit_text and compact.casefold().endswith(unit_text.casefold()) and \
            len(compact) > len(unit_text):
        notes.append(("unit", unit_text))
        compact = compact[: -len(unit_text)]
    if "万" in compact:
        notes.append(("multiplier_man", ""))
    if "億" in compact:
        notes.append(("multiplier_oku", ""))
    if not notes and _PLAIN_NUMBER.fullmatch(compact):
        notes.append(("text_number", ""))  # typed as text (or with a leading apostrophe)
    return notes
