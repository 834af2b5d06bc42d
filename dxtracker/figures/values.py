"""The typed values that every figure people type becomes: baselines, targets, actuals,
contributions.

A plan mixes plain numbers ("3,300", "44.1"), ranges ("90~100"), bounds ("50以上"),
word targets ("半数") and breakdowns ("県設置:165 他機関:179"). Each is one small frozen
value here; `dxtracker.figures.parse.parse_value` reads typed text into them and
`dxtracker.figures.format.format_value` writes the canonical text back, so that the database,
the plan file and the workbooks all store the same text for the same figure.

Blank is None, never zero. The spelling of a number and of a breakdown label lives here too:
a breakdown checks its labels against it, and the parser reads with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias

__all__ = [
    "LABEL_RE",
    "NUMBER_RE",
    "Bound",
    "BoundKind",
    "Composite",
    "Number",
    "Range",
    "Value",
    "Words",
    "match_number",
    "normalise",
    "number_from_match",
    "number_of",
]

BoundKind = Literal["at_least", "at_most"]


# --------------------------------------------------------------------------- typed values


def _checked_decimal(value: object, what: str) -> Decimal:
    """Accept int as a convenience; refuse floats here (binary noise) and NaN/infinity."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} must be finite, not {number}")
    return _integral_exponent(number)


def _integral_exponent(number: Decimal) -> Decimal:
    """Rewrite a positive exponent ("1E+3", 12万 = 12E+4) as plain digits ("1000").

    Done on the digit tuple, which is exact at any length (quantize is bound to the
    28-digit context), so that every value prints in plain positional form.
    """
    sign, digits, exponent = number.as_tuple()
    if isinstance(exponent, int) and exponent > 0:
        return Decimal((sign, digits + (0,) * exponent, 0))
    return number


@dataclass(frozen=True)
class Number:
    """A single figure. `approximate` records a typed "約" (about)."""

    value: Decimal
    approximate: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _checked_decimal(self.value, "Number.value"))


@dataclass(frozen=True)
class Range:
    """A target range such as 90~100 (both ends included)."""

    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        low = _checked_decimal(self.low, "Range.low")
        high = _checked_decimal(self.high, "Range.high")
        if low > high:
            raise ValueError(f"Range low {low} is greater than high {high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)


@dataclass(frozen=True)
class Bound:
    """A one-sided target: "50以上" (at_least) or "20以下" (at_most)."""

    value: Decimal
    kind: BoundKind

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _checked_decimal(self.value, "Bound.value"))
        if self.kind not in ("at_least", "at_most"):
            raise ValueError(f"Bound.kind must be 'at_least' or 'at_most', not {self.kind!r}")


@dataclass(frozen=True)
class Words:
    """A target written in words ("半数", "全業務"): shown as typed, never computed with."""

    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("Words.text must be non-blank text")
        # parse_value strips what was typed; do the same so that equal texts compare equal.
        object.__setattr__(self, "text", self.text.strip())


@dataclass(frozen=True)
class Composite:
    """A figure broken down by label, e.g. 県設置:165 他機関:179. Parts are never composites."""

    parts: tuple[tuple[str, Value], ...]

    def __post_init__(self) -> None:
        parts = tuple((label, value) for label, value in self.parts)
        if not parts:
            raise ValueError("Composite needs at least one part")
        labels = [label for label, _ in parts]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Composite labels must be unique: {labels}")
        for label, value in parts:
            if not _is_valid_label(label):
                raise ValueError(f"Composite label {label!r} is not a valid label")
            if not isinstance(value, Number | Range | Bound | Words):
                raise ValueError(f"Composite part {label!r} has an invalid value {value!r}")
        object.__setattr__(self, "parts", parts)


Value: TypeAlias = Number | Range | Bound | Words | Composite


def number_of(value: Value | None) -> Decimal | None:
    """The figure of a plain Number; None for blank, ranges, bounds, words and breakdowns."""
    return value.value if isinstance(value, Number) else None


# --------------------------------------------------------------------------- spelling

# Wave dash (U+301C) survives NFKC; the full-width tilde has become "~" by then.
_TILDES = str.maketrans({"〜": "~", "∼": "~"})
_MINUS_SIGNS = "-▲△−"  # "−" (U+2212) is what some IMEs and Word produce for minus
NUMBER_RE = re.compile(
    r"(?P<approx>約)?"
    r"(?P<sign>[-+▲△−])?"
    r"(?P<int>[0-9]+(?:,[0-9]+)*)"  # loose grouping; an empty group ("1,,2") does not match
    r"(?:\.(?P<frac>[0-9]+))?"
    r"(?P<mult>[万億])?"
)
_MULTIPLIER_EXPONENT = {"万": 4, "億": 8}
LABEL_RE = re.compile(r"[^\s:：]+")


def normalise(text: str) -> str:
    """NFKC (full-width digits, commas, ％, ～, ：) plus the tildes NFKC leaves alone."""
    return unicodedata.normalize("NFKC", text).translate(_TILDES).strip()


def match_number(compact: str) -> Number | None:
    """`compact` (normalised, no spaces) as a number with optional 約, sign and 万/億."""
    match = NUMBER_RE.fullmatch(compact)
    return None if match is None else number_from_match(match)


def number_from_match(match: re.Match[str]) -> Number:
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    exponent = -len(match["frac"] or "") + _MULTIPLIER_EXPONENT.get(match["mult"] or "", 0)
    negative = match["sign"] is not None and match["sign"] in _MINUS_SIGNS
    # Build from the digit tuple: exact at any length, unlike multiplying in a 28-digit context.
    value = Decimal((int(negative), tuple(int(d) for d in digits), exponent))
    return Number(_integral_exponent(value), approximate=match["approx"] is not None)


def _is_valid_label(label: object) -> bool:
    """What parse_value can produce as a breakdown label: normalised, no space or colon, and
    not a number (a numeric label would read as a figure)."""
    return (
        isinstance(label, str)
        and LABEL_RE.fullmatch(label) is not None
        and normalise(label) == label
        and match_number(label) is None
    )
