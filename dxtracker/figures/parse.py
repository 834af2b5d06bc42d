"""The one parser for figures that people type: baselines, targets, actuals, contributions.

A plan mixes plain numbers ("3,300", "44.1"), ranges ("90~100"), bounds ("50以上"),
word targets ("半数") and breakdowns ("県設置:165 他機関:179"); forms and returns add
full-width digits ("１，２３４件"), approximations ("約1,900"), multipliers ("12万人") and
the accounting minus ("▲12"). Everything is parsed here into a small set of typed values,
and `format_value` writes the canonical text that parses back to an equal value, so that the
database, the plan file and the workbooks all store the same text for the same figure.

Blank (None) is never zero: "", "—" and friends parse to None.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from dxtracker.errors import DxTrackerError

__all__ = [
    "Bound",
    "Composite",
    "Number",
    "Range",
    "Value",
    "ValueParseError",
    "Words",
    "format_value",
    "from_json",
    "number_of",
    "parse_value",
    "to_json",
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


# --------------------------------------------------------------------------- errors

# Reasons after which the text is still acceptable as a word target when words are allowed:
# it simply was not meant as a figure. Every other reason (wrong unit, 100~90, …) means the
# person did type a figure, so we tell them rather than silently keep it as words.
_WORDS_FALLBACK = frozenset(
    {"not_a_number", "kanji_numeral", "bad_range", "bad_bound", "bad_composite"}
)

_EXAMPLES_JA = "1,234、約1,900、12万、▲12 のように数値で入力してください。"
_EXAMPLES_EN = "Enter a figure such as 1,234, 約1,900 (about), 12万 (×10,000) or ▲12 (minus)."


class ValueParseError(DxTrackerError, ValueError):
    """A typed figure that cannot be read. `str()` is the Japanese message."""

    def __init__(self, text: str, reason_code: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en)
        self.text = text
        self.reason_code = reason_code

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through their args; ours has four constructor arguments.
        return (type(self), (self.text, self.reason_code, self.message_ja, self.message_en))


def _not_a_number(text: str) -> ValueParseError:
    return ValueParseError(
        text, "not_a_number",
        f"「{text}」は数値として読めません。{_EXAMPLES_JA}",
        f'"{text}" cannot be read as a number. {_EXAMPLES_EN}',
    )


def _kanji_numeral(text: str) -> ValueParseError:
    return ValueParseError(
        text, "kanji_numeral",
        f"「{text}」は数値として読めません。漢数字ではなく、1,234、約1,900、12万、▲12 のように"
        "算用数字で入力してください。",
        f'"{text}" cannot be read as a number: write it in digits, not kanji numerals. '
        f"{_EXAMPLES_EN}",
    )


def _unit_error(text: str, found: str, unit: str) -> ValueParseError:
    if not unit:
        return ValueParseError(
            text, "unexpected_unit",
            f"「{text}」には単位「{found}」が付いていますが、この指標には単位がありません。"
            "数値だけを入力してください。",
            f'"{text}" has the unit "{found}", but this indicator has no unit. '
            "Enter the number only.",
        )
    return ValueParseError(
        text, "unit_mismatch",
        f"「{text}」の単位「{found}」はこの指標の単位「{unit}」と違います。"
        f"「{unit}」で数えた数値を、単位なしか「{unit}」を付けて入力してください。",
        f'The unit "{found}" in "{text}" differs from this indicator\'s unit "{unit}". '
        f'Enter the figure counted in "{unit}", with or without the unit.',
    )


def _bad_range(text: str) -> ValueParseError:
    return ValueParseError(
        text, "bad_range",
        f"「{text}」は範囲として読めません。90~100 のように「~」の両側に数値を入力してください。",
        f'"{text}" cannot be read as a range. Enter numbers on both sides of "~", e.g. 90~100.',
    )


def _range_order(text: str) -> ValueParseError:
    return ValueParseError(
        text, "range_order",
        f"「{text}」は範囲の下限が上限より大きくなっています。"
        "90~100 のように小さい方から入力してください。",
        f'In "{text}" the lower end is greater than the upper end. '
        "Enter the smaller number first, e.g. 90~100.",
    )


def _bad_bound(text: str) -> ValueParseError:
    return ValueParseError(
        text, "bad_bound",
        f"「{text}」は読めません。50以上、20以下 のように"
        "数値の後に「以上」か「以下」を付けてください。",
        f'"{text}" cannot be read. Write a number followed by 以上 (at least) or 以下 (at most), '
        "e.g. 50以上.",
    )


def _unsupported_bound(text: str, word: str) -> ValueParseError:
    return ValueParseError(
        text, "unsupported_bound",
        f"「{text}」の「{word}」は使えません。50以上、20以下 のように「以上」か「以下」で"
        "入力してください。",
        f'"{word}" in "{text}" is not supported. Use 以上 (at least) or 以下 (at most), '
        "e.g. 50以上.",
    )


def _approximate_not_allowed(text: str) -> ValueParseError:
    return ValueParseError(
        text, "approximate_not_allowed",
        f"「{text}」の「約」は範囲や「以上」「以下」には付けられません。「約」を外して入力してください。",
        f'"約" (about) in "{text}" cannot be used with a range or a bound. Remove it.',
    )


def _bad_composite(text: str, detail_ja: str = "", detail_en: str = "") -> ValueParseError:
    return ValueParseError(
        text, "bad_composite",
        f"「{text}」は内訳として読めません。{detail_ja}"
        "県設置:165 他機関:179 のように「名前:数値」を空白で区切って入力してください。",
        f'"{text}" cannot be read as a breakdown. {detail_en}'
        'Enter "label:figure" pairs separated by spaces, e.g. 県設置:165 他機関:179.',
    )


def _composite_label(text: str, label: str, reason: str) -> ValueParseError:
    problem_ja = "が重複しています" if reason == "duplicate" else "は数値なので名前にできません"
    problem_en = "is repeated" if reason == "duplicate" else "is a number and cannot be a label"
    return ValueParseError(
        text, "composite_label",
        f"「{text}」の内訳の名前「{label}」{problem_ja}。"
        "県設置:165 他機関:179 のように、名前ごとに1回ずつ入力してください。",
        f'In "{text}" the label "{label}" {problem_en}. '
        "Give each part its own name, e.g. 県設置:165 他機関:179.",
    )


def _bad_type(text: str, type_name: str) -> ValueParseError:
    return ValueParseError(
        text, "bad_type",
        f"「{text}」は数値として読めません（{type_name} 型）。{_EXAMPLES_JA}",
        f'"{text}" ({type_name}) cannot be read as a figure. {_EXAMPLES_EN}',
    )


def _not_finite(text: str) -> ValueParseError:
    return ValueParseError(
        text, "not_finite",
        f"「{text}」は有限の数値ではありません。{_EXAMPLES_JA}",
        f'"{text}" is not a finite number. {_EXAMPLES_EN}',
    )


# --------------------------------------------------------------------------- parsing

# Dash-like characters people put in a cell to mean "no figure". NFKC already turns the
# full-width hyphen "－" into "-"; the others survive NFKC and are listed one by one.
_BLANK_RE = re.compile(r"[-—―–ー−‐‒─]+")
# Wave dash (U+301C) survives NFKC; the full-width tilde has become "~" by then.
_TILDES = str.maketrans({"〜": "~", "∼": "~"})
_MINUS_SIGNS = "-▲△−"  # "−" (U+2212) is what some IMEs and Word produce for minus
_NUMBER_RE = re.compile(
    r"(?P<approx>約)?"
    r"(?P<sign>[-+▲△−])?"
    r"(?P<int>[0-9]+(?:,[0-9]+)*)"  # loose grouping; an empty group ("1,,2") does not match
    r"(?:\.(?P<frac>[0-9]+))?"
    r"(?P<mult>[万億])?"
)
_MULTIPLIER_EXPONENT = {"万": 4, "億": 8}
# What a trailing unit can look like: short, no digits and no figure punctuation. Longer or
# digit-bearing tails ("%に近づける", "(8,000からの修正)") are words, not a wrong unit.
_UNIT_LIKE_RE = re.compile(r"[^0-9\s~:()\[\],.+\-▲△−約]{1,4}")
_KANJI_NUMERAL_RE = re.compile(r"約?[▲△-]?[〇零一二三四五六七八九十百千万億兆壱弐参]+")
_UNSUPPORTED_BOUNDS = ("未満", "超え", "超", "以内")
_LABEL_RE = re.compile(r"[^\s:：]+")
# A part of a breakdown starts at "label:" after whitespace; the lookahead keeps a unit
# or a word value ("165 台", "更なる 拡大") with its part.
_PART_SPLIT_RE = re.compile(r"\s+(?=[^\s:：]+\s*[:：])")
_COLON_RE = re.compile(r"[:：]")


def _is_valid_label(label: object) -> bool:
    """What parse_value can produce as a breakdown label: normalised, no space or colon, and
    not a number (a numeric label would read as a figure)."""
    return (
        isinstance(label, str)
        and _LABEL_RE.fullmatch(label) is not None
        and _normalise(label) == label
        and _match_number(label) is None
    )


def _normalise(text: str) -> str:
    """NFKC (full-width digits, commas, ％, ～, ：) plus the tildes NFKC leaves alone."""
    return unicodedata.normalize("NFKC", text).translate(_TILDES).strip()


def _normalise_unit(unit: str) -> str:
    return re.sub(r"\s+", "", _normalise(unit))


def _is_blank(normalised: str) -> bool:
    return not normalised or _BLANK_RE.fullmatch(normalised) is not None


def parse_value(
    text: str | int | float | Decimal | None, *, unit: str = "", allow_words: bool = False
) -> Value | None:
    """Read what a person typed (or a spreadsheet cell held) into a typed value.

    None and blank markers give None. `unit` is the indicator's unit: a trailing unit in the
    text must equal it. With `allow_words`, text that is not a figure becomes `Words`; a figure
    with a wrong unit or a reversed range is an error even then.
    Raises `ValueParseError`.
    """
    if text is None:
        return None
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        raise _bad_type(str(text), type(text).__name__)
    if not isinstance(text, str):
        return Number(_decimal_from_number(text))
    # `or ""`: a plan file may say "unit": null for a unitless indicator.
    return _parse_text(text, _normalise_unit(unit or ""), allow_words, shown="")


def _parse_text(text: str, unit: str, allow_words: bool, shown: str) -> Value | None:
    """`shown` is the text that error messages name: a part of a breakdown names the whole
    breakdown, because that is what the person typed into one cell."""
    original = text.strip()
    normalised = _normalise(text)
    if _is_blank(normalised):
        return None
    try:
        return _parse_figure(original, normalised, unit, allow_words, shown or original)
    except ValueParseError as err:
        if allow_words and err.reason_code in _WORDS_FALLBACK:
            return Words(original)
        raise


def _decimal_from_number(number: int | float | Decimal) -> Decimal:
    if isinstance(number, float):
        if number != number or number in (float("inf"), float("-inf")):
            raise _not_finite(str(number))
        # Spreadsheet readers hand whole numbers over as floats (3300.0); the cell did not
        # mean one decimal place, so keep whole floats whole.
        if number.is_integer():
            return Decimal(int(number))
        return Decimal(str(number))
    value = Decimal(number)
    if not value.is_finite():
        raise _not_finite(str(number))
    return _integral_exponent(value)


def _parse_figure(
    original: str, normalised: str, unit: str, allow_words: bool, shown: str
) -> Value:
    if ":" in normalised:
        return _parse_composite(original, shown, unit, allow_words)
    compact = re.sub(r"\s+", "", normalised)
    if re.search(r"[0-9]\s+[0-9]", normalised):
        # "1 234" might be 1234 or two figures; do not guess.
        raise _not_a_number(shown)
    if "~" in compact:
        return _parse_range(shown, compact, unit)
    if compact.endswith(("以上", "以下")):
        return _parse_bound(shown, compact, unit)
    return _parse_number(shown, compact, unit)


def _parse_number(original: str, compact: str, unit: str) -> Number:
    """A single number with optional 約, sign, 万/億 and the indicator's unit."""
    if unit and compact.casefold().endswith(unit.casefold()) and len(compact) > len(unit):
        # Try the unit first so that a unit starting with a multiplier ("万人") wins.
        number = _match_number(compact[: -len(unit)])
        if number is not None:
            return number
    match = _NUMBER_RE.match(compact)
    if match is None:
        if _KANJI_NUMERAL_RE.fullmatch(compact):
            raise _kanji_numeral(original)
        raise _not_a_number(original)
    rest = compact[match.end():]
    if not rest:
        return _number_from_match(match)
    tail = rest[len(unit):] if unit and rest.startswith(unit) else rest  # "50件未満" -> "未満"
    if tail in _UNSUPPORTED_BOUNDS:
        raise _unsupported_bound(original, tail)
    if _UNIT_LIKE_RE.fullmatch(rest):
        raise _unit_error(original, rest, unit)
    raise _not_a_number(original)


def _match_number(compact: str) -> Number | None:
    match = _NUMBER_RE.fullmatch(compact)
    return None if match is None else _number_from_match(match)


def _number_from_match(match: re.Match[str]) -> Number:
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    exponent = -len(match["frac"] or "") + _MULTIPLIER_EXPONENT.get(match["mult"] or "", 0)
    negative = match["sign"] is not None and match["sign"] in _MINUS_SIGNS
    # Build from the digit tuple: exact at any length, unlike multiplying in a 28-digit context.
    value = Decimal((int(negative), tuple(int(d) for d in digits), exponent))
    return Number(_integral_exponent(value), approximate=match["approx"] is not None)


def _parse_range(original: str, compact: str, unit: str) -> Range:
    sides = compact.split("~")
    if len(sides) != 2 or not all(sides):
        raise _bad_range(original)
    try:
        low, high = (_parse_number(original, side, unit) for side in sides)
    except ValueParseError as err:
        if err.reason_code in ("not_a_number", "kanji_numeral"):
            raise _bad_range(original) from None
        raise
    if low.approximate or high.approximate:
        raise _approximate_not_allowed(original)
    if low.value > high.value:
        raise _range_order(original)
    return Range(low.value, high.value)


def _parse_bound(original: str, compact: str, unit: str) -> Bound:
    kind: BoundKind = "at_least" if compact.endswith("以上") else "at_most"
    inner = compact[:-2]
    if not inner:
        raise _bad_bound(original)
    try:
        number = _parse_number(original, inner, unit)
    except ValueParseError as err:
        if err.reason_code in ("not_a_number", "kanji_numeral"):
            raise _bad_bound(original) from None
        raise
    if number.approximate:
        raise _approximate_not_allowed(original)
    return Bound(number.value, kind)


def _parse_composite(typed: str, shown: str, unit: str, allow_words: bool) -> Composite:
    """ "県設置:165 他機関:179": split the typed text (not the normalised one) so that word
    values keep exactly what was typed. Messages name `shown`."""
    parts: list[tuple[str, Value]] = []
    for chunk in _PART_SPLIT_RE.split(typed):
        pieces = _COLON_RE.split(chunk, maxsplit=1)
        if len(pieces) != 2:
            raise _bad_composite(shown)
        label = _normalise(pieces[0])
        value_text = pieces[1].strip()
        if not _LABEL_RE.fullmatch(label) or not value_text:
            raise _bad_composite(shown)
        if _COLON_RE.search(value_text):
            raise _bad_composite(
                shown, "内訳の中に内訳は書けません。", "A part cannot have its own breakdown. "
            )
        if _match_number(label) is not None:
            raise _composite_label(shown, label, "numeric")
        if any(label == seen for seen, _ in parts):
            raise _composite_label(shown, label, "duplicate")
        parts.append((label, _parse_part(value_text, shown, unit, allow_words)))
    return Composite(tuple(parts))


def _parse_part(value_text: str, shown: str, unit: str, allow_words: bool) -> Value:
    try:
        value = _parse_text(value_text, unit, allow_words, shown=shown)
    except ValueParseError as err:
        if err.reason_code in _WORDS_FALLBACK:
            # Say which part failed; the message already names the whole breakdown.
            raise _bad_composite(
                shown, f"「{value_text}」が数値として読めません。",
                f'"{value_text}" is not a number. ',
            ) from None
        raise
    if value is None:
        raise _bad_composite(shown, "空の内訳があります。", "A part is blank. ")
    return value


# --------------------------------------------------------------------------- formatting


def format_value(
    value: Value | None, *, unit: str = "", blank: str = "", minus: str = "-"
) -> str:
    """The canonical text of a value; `parse_value` reads it back to an equal value.

    With `unit`, numbers carry it ("1,234 件", "44.1%") and parse back with the same unit.
    `minus="▲"` gives the accounting style for display; it parses back as well.
    """
    if value is None:
        return blank
    if isinstance(value, Words):
        return value.text
    if isinstance(value, Composite):
        return " ".join(
            f"{label}:{format_value(part, unit=unit, minus=minus)}" for label, part in value.parts
        )
    return _format_figure(value, unit, minus)


def _format_figure(value: Number | Range | Bound, unit: str, minus: str) -> str:
    suffix = _unit_suffix(unit)
    if isinstance(value, Number):
        prefix = "約" if value.approximate else ""
        return f"{prefix}{_format_decimal(value.value, minus)}{suffix}"
    if isinstance(value, Range):
        # The unit once, at the end: "90~100%" reads better than "90%~100%".
        return f"{_format_decimal(value.low, minus)}~{_format_decimal(value.high, minus)}{suffix}"
    if isinstance(value, Bound):
        word = "以上" if value.kind == "at_least" else "以下"
        return f"{_format_decimal(value.value, minus)}{suffix}{word}"
    raise TypeError(f"not a value: {value!r}")


def _unit_suffix(unit: str) -> str:
    unit = (unit or "").strip()
    if not unit:
        return ""
    # "%" sticks to the number as in the plan ("44.1%"); word units get a space ("1,234 件").
    return unit if unit in ("%", "％") else f" {unit}"


# A plain number as `format_value` writes it without a unit: "1,234", "44.1", "0.50".
_CANONICAL_NUMBER_RE = re.compile(r"(?:0|[1-9][0-9]{0,2}(?:,[0-9]{3})*)(?:\.[0-9]+)?")


def is_canonical_number(text: str, unit: str = "") -> bool:
    """True when `text` is a plain number exactly as `format_value` writes it, so that parsing
    it with `unit` and formatting it again gives `text` back: known without parsing.

    Not with a unit that could end a number: "2.50" with the unit "0" reads as 2.5."""
    return _CANONICAL_NUMBER_RE.fullmatch(text) is not None and _unit_cannot_end_a_number(unit)


@functools.lru_cache(maxsize=256)
def _unit_cannot_end_a_number(unit: str) -> bool:
    return not any(ch.isdigit() or ch in ",." for ch in unicodedata.normalize("NFKC", unit))


def _format_decimal(number: Decimal, minus: str) -> str:
    # ",f" keeps the scale ("40.0" stays "40.0") and never switches to exponent notation.
    text = format(number.copy_abs(), ",f")  # abs() would round to the 28-digit context
    return f"{minus}{text}" if number.is_signed() else text


def number_of(value: Value | None) -> Decimal | None:
    """The figure of a plain Number; None for blank, ranges, bounds, words and breakdowns."""
    return value.value if isinstance(value, Number) else None


# --------------------------------------------------------------------------- JSON


def _json_number(number: Decimal) -> int | float:
    # JSON consumers want numbers; the exact typed form is kept in "display".
    return int(number) if number == number.to_integral_value() else float(number)


def to_json(value: Value | None) -> dict[str, Any] | None:
    """A stable JSON form: "display" (canonical text) plus the typed fields."""
    if value is None:
        return None
    data: dict[str, Any] = {"display": format_value(value)}
    if isinstance(value, Number):
        data.update(kind="number", value=_json_number(value.value), approximate=value.approximate)
    elif isinstance(value, Range):
        data.update(kind="range", low=_json_number(value.low), high=_json_number(value.high))
    elif isinstance(value, Bound):
        data.update(kind=value.kind, value=_json_number(value.value))
    elif isinstance(value, Words):
        data.update(kind="words", text=value.text)
    elif isinstance(value, Composite):
        data.update(
            kind="composite",
            parts=[{"label": label, "value": to_json(part)} for label, part in value.parts],
        )
    else:
        raise TypeError(f"not a value: {value!r}")
    return data


def from_json(data: dict[str, Any] | None) -> Value | None:
    """Inverse of `to_json`. Figures are re-read from "display" (which keeps the typed scale,
    "40.0"), and checked against the typed fields so that a hand-edited file cannot say two
    different things. Raises ValueError on inconsistent or unknown data."""
    if data is None:
        return None
    try:
        return _from_json(data)
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"malformed value in JSON: {data!r}") from err


def _from_json(data: dict[str, Any]) -> Value:
    kind = data.get("kind")
    if kind == "words":
        return Words(str(data["text"]))
    if kind == "composite":
        return Composite(
            tuple((str(part["label"]), _part_from_json(part["value"])) for part in data["parts"])
        )
    value = parse_value(str(data.get("display", "")))
    if value is None or to_json(value) != {**data, "display": format_value(value)}:
        raise ValueError(f"inconsistent value in JSON: {data!r}")
    return value


def _part_from_json(data: dict[str, Any]) -> Value:
    value = from_json(data)
    if value is None:
        raise ValueError("a composite part cannot be blank")
    return value
