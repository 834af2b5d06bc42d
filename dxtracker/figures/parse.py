"""The one parser for figures that people type (or a spreadsheet cell holds).

Forms and returns add to the plan's own spellings full-width digits ("１，２３４件"),
approximations ("約1,900"), multipliers ("12万人") and the accounting minus ("▲12"). All of it
is read here into the typed values of `dxtracker.figures.values`; what cannot be read raises
`ValueParseError`, whose message says what to type instead. "", "—" and friends are blank
(None), never zero.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dxtracker.errors import DxTrackerError
from dxtracker.figures.values import (
    LABEL_RE,
    NUMBER_RE,
    Bound,
    BoundKind,
    Composite,
    Number,
    Range,
    Value,
    Words,
    match_number,
    normalise,
    number_from_match,
)

__all__ = ["ValueParseError", "parse_value"]


# --------------------------------------------------------------------------- errors

# Reasons after which the text is still acceptable as a word target when words are allowed:
# it simply was not meant as a figure. Every other reason (wrong unit, 100~90, …) means the
# person did type a figure, so we tell them rather than silently keep it as words.
_WORDS_FALLBACK = frozenset(
    {"not_a_number", "kanji_numeral", "bad_range", "bad_bound", "bad_composite"}
)

_EXAMPLES_JA = "1,234、約1,900、12万、▲12 のように数値で入力してください。"
_EXAMPLES_EN = "Enter a figure such as 1,234, 約1,900 (about), 12万 (×10,000) or ▲12 (minus)."
_BREAKDOWN_EXAMPLE = "県設置:165 他機関:179"

# The messages by reason code, Japanese and English; {text} is what the person typed.
_MESSAGES: dict[str, tuple[str, str]] = {
    "not_a_number": ("「{text}」は数値として読めません。" + _EXAMPLES_JA,
                     '"{text}" cannot be read as a number. ' + _EXAMPLES_EN),
    "kanji_numeral": ("「{text}」は数値として読めません。漢数字ではなく、1,234、約1,900、12万、▲12 "
                      "のように算用数字で入力してください。",
                      '"{text}" cannot be read as a number: write it in digits, not kanji '
                      "numerals. " + _EXAMPLES_EN),
    "unexpected_unit": ("「{text}」には単位「{found}」が付いていますが、この指標には単位がありません。"
                        "数値だけを入力してください。",
                        '"{text}" has the unit "{found}", but this indicator has no unit. '
                        "Enter the number only."),
    "unit_mismatch": ("「{text}」の単位「{found}」はこの指標の単位「{unit}」と違います。"
                      "「{unit}」で数えた数値を、単位なしか「{unit}」を付けて入力してください。",
                      'The unit "{found}" in "{text}" differs from this indicator\'s unit '
                      '"{unit}". Enter the figure counted in "{unit}", with or without the unit.'),
    "bad_range": ("「{text}」は範囲として読めません。90~100 のように「~」の両側に数値を入力してください。",
                  '"{text}" cannot be read as a range. Enter numbers on both sides of "~", '
                  "e.g. 90~100."),
    "range_order": ("「{text}」は範囲の下限が上限より大きくなっています。"
                    "90~100 のように小さい方から入力してください。",
                    'In "{text}" the lower end is greater than the upper end. '
                    "Enter the smaller number first, e.g. 90~100."),
    "bad_bound": ("「{text}」は読めません。50以上、20以下 のように数値の後に「以上」か「以下」を"
                  "付けてください。",
                  '"{text}" cannot be read. Write a number followed by 以上 (at least) or 以下 '
                  "(at most), e.g. 50以上."),
    "unsupported_bound": ("「{text}」の「{word}」は使えません。50以上、20以下 のように「以上」か"
                          "「以下」で入力してください。",
                          '"{word}" in "{text}" is not supported. Use 以上 (at least) or 以下 '
                          "(at most), e.g. 50以上."),
    "approximate_not_allowed": ("「{text}」の「約」は範囲や「以上」「以下」には付けられません。"
                                "「約」を外して入力してください。",
                                '"約" (about) in "{text}" cannot be used with a range or a '
                                "bound. Remove it."),
    "bad_composite": ("「{text}」は内訳として読めません。{detail_ja}" + _BREAKDOWN_EXAMPLE
                      + " のように「名前:数値」を空白で区切って入力してください。",
                      '"{text}" cannot be read as a breakdown. {detail_en}Enter "label:figure" '
                      "pairs separated by spaces, e.g. " + _BREAKDOWN_EXAMPLE + "."),
    "composite_label": ("「{text}」の内訳の名前「{label}」{problem_ja}。" + _BREAKDOWN_EXAMPLE
                        + " のように、名前ごとに1回ずつ入力してください。",
                        'In "{text}" the label "{label}" {problem_en}. Give each part its own '
                        "name, e.g. " + _BREAKDOWN_EXAMPLE + "."),
    "bad_type": ("「{text}」は数値として読めません（{type_name} 型）。" + _EXAMPLES_JA,
                 '"{text}" ({type_name}) cannot be read as a figure. ' + _EXAMPLES_EN),
    "not_finite": ("「{text}」は有限の数値ではありません。" + _EXAMPLES_JA,
                   '"{text}" is not a finite number. ' + _EXAMPLES_EN),
}


class ValueParseError(DxTrackerError, ValueError):
    """A typed figure that cannot be read. `str()` is the Japanese message."""

    def __init__(self, text: str, reason_code: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en)
        self.text = text
        self.reason_code = reason_code

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through their args; ours has four constructor arguments.
        return (type(self), (self.text, self.reason_code, self.message_ja, self.message_en))


def _error(reason_code: str, text: str, **fields: str) -> ValueParseError:
    """The error for `reason_code` with its messages filled in. A field that differs by
    language comes twice (`detail_ja`, `detail_en`); each message uses the one it names."""
    ja, en = _MESSAGES[reason_code]
    return ValueParseError(
        text, reason_code, ja.format(text=text, **fields), en.format(text=text, **fields)
    )


def _bad_composite(text: str, detail_ja: str = "", detail_en: str = "") -> ValueParseError:
    return _error("bad_composite", text, detail_ja=detail_ja, detail_en=detail_en)


def _composite_label(text: str, label: str, reason: str) -> ValueParseError:
    duplicate = reason == "duplicate"
    return _error(
        "composite_label", text, label=label,
        problem_ja="が重複しています" if duplicate else "は数値なので名前にできません",
        problem_en="is repeated" if duplicate else "is a number and cannot be a label",
    )


# --------------------------------------------------------------------------- parsing

# Dash-like characters people put in a cell to mean "no figure". NFKC already turns the
# full-width hyphen "－" into "-"; the others survive NFKC and are listed one by one.
_BLANK_RE = re.compile(r"[-—―–ー−‐‒─]+")
# What a trailing unit can look like: short, no digits and no figure punctuation. Longer or
# digit-bearing tails ("%に近づける", "(8,000からの修正)") are words, not a wrong unit.
_UNIT_LIKE_RE = re.compile(r"[^0-9\s~:()\[\],.+\-▲△−約]{1,4}")
_KANJI_NUMERAL_RE = re.compile(r"約?[▲△-]?[〇零一二三四五六七八九十百千万億兆壱弐参]+")
_UNSUPPORTED_BOUNDS = ("未満", "超え", "超", "以内")
# A part of a breakdown starts at "label:" after whitespace; the lookahead keeps a unit
# or a word value ("165 台", "更なる 拡大") with its part.
_PART_SPLIT_RE = re.compile(r"\s+(?=[^\s:：]+\s*[:：])")
_COLON_RE = re.compile(r"[:：]")


def _normalise_unit(unit: str) -> str:
    return re.sub(r"\s+", "", normalise(unit))


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
        raise _error("bad_type", str(text), type_name=type(text).__name__)
    if not isinstance(text, str):
        return Number(_decimal_from_number(text))
    # `or ""`: a plan file may say "unit": null for a unitless indicator.
    return _parse_text(text, _normalise_unit(unit or ""), allow_words, shown="")


def _parse_text(text: str, unit: str, allow_words: bool, shown: str) -> Value | None:
    """`shown` is the text that error messages name: a part of a breakdown names the whole
    breakdown, because that is what the person typed into one cell."""
    original = text.strip()
    normalised = normalise(text)
    if _is_blank(normalised):
        return None
    try:
        return _parse_figure(original, normalised, unit, allow_words, shown or original)
    except ValueParseError as err:
        if allow_words and err.reason_code in _WORDS_FALLBACK:
            return Words(original)
        raise


def _decimal_from_number(number: int | float | Decimal) -> Decimal:
    """A number a spreadsheet cell held; `Number` writes a positive exponent out in digits."""
    if isinstance(number, float):
        if number != number or number in (float("inf"), float("-inf")):
            raise _error("not_finite", str(number))
        # Spreadsheet readers hand whole numbers over as floats (3300.0); the cell did not
        # mean one decimal place, so keep whole floats whole.
        if number.is_integer():
            return Decimal(int(number))
        return Decimal(str(number))
    value = Decimal(number)
    if not value.is_finite():
        raise _error("not_finite", str(number))
    return value


def _parse_figure(
    original: str, normalised: str, unit: str, allow_words: bool, shown: str
) -> Value:
    if ":" in normalised:
        return _parse_composite(original, shown, unit, allow_words)
    compact = re.sub(r"\s+", "", normalised)
    if re.search(r"[0-9]\s+[0-9]", normalised):
        # "1 234" might be 1234 or two figures; do not guess.
        raise _error("not_a_number", shown)
    if "~" in compact:
        return _parse_range(shown, compact, unit)
    if compact.endswith(("以上", "以下")):
        return _parse_bound(shown, compact, unit)
    return _parse_number(shown, compact, unit)


def _parse_number(original: str, compact: str, unit: str) -> Number:
    """A single number with optional 約, sign, 万/億 and the indicator's unit."""
    if unit and compact.casefold().endswith(unit.casefold()) and len(compact) > len(unit):
        # Try the unit first so that a unit starting with a multiplier ("万人") wins.
        number = match_number(compact[: -len(unit)])
        if number is not None:
            return number
    match = NUMBER_RE.match(compact)
    if match is None:
        if _KANJI_NUMERAL_RE.fullmatch(compact):
            raise _error("kanji_numeral", original)
        raise _error("not_a_number", original)
    rest = compact[match.end():]
    if not rest:
        return number_from_match(match)
    tail = rest[len(unit):] if unit and rest.startswith(unit) else rest  # "50件未満" -> "未満"
    if tail in _UNSUPPORTED_BOUNDS:
        raise _error("unsupported_bound", original, word=tail)
    if _UNIT_LIKE_RE.fullmatch(rest):
        raise _error("unit_mismatch" if unit else "unexpected_unit", original, found=rest,
                     unit=unit)
    raise _error("not_a_number", original)


def _parse_range(original: str, compact: str, unit: str) -> Range:
    sides = compact.split("~")
    if len(sides) != 2 or not all(sides):
        raise _error("bad_range", original)
    low, high = (_number_within(original, side, unit, "bad_range") for side in sides)
    if low.approximate or high.approximate:
        raise _error("approximate_not_allowed", original)
    if low.value > high.value:
        raise _error("range_order", original)
    return Range(low.value, high.value)


def _parse_bound(original: str, compact: str, unit: str) -> Bound:
    kind: BoundKind = "at_least" if compact.endswith("以上") else "at_most"
    inner = compact[:-2]
    if not inner:
        raise _error("bad_bound", original)
    number = _number_within(original, inner, unit, "bad_bound")
    if number.approximate:
        raise _error("approximate_not_allowed", original)
    return Bound(number.value, kind)


def _number_within(original: str, compact: str, unit: str, reason_code: str) -> Number:
    """A number that is part of a range or a bound: one that is no number at all is reported
    as the whole range or bound being unreadable (`reason_code`)."""
    try:
        return _parse_number(original, compact, unit)
    except ValueParseError as err:
        if err.reason_code in ("not_a_number", "kanji_numeral"):
            raise _error(reason_code, original) from None
        raise


def _parse_composite(typed: str, shown: str, unit: str, allow_words: bool) -> Composite:
    """ "県設置:165 他機関:179": split the typed text (not the normalised one) so that word
    values keep exactly what was typed. Messages name `shown`."""
    parts: list[tuple[str, Value]] = []
    for chunk in _PART_SPLIT_RE.split(typed):
        pieces = _COLON_RE.split(chunk, maxsplit=1)
        if len(pieces) != 2:
            raise _bad_composite(shown)
        label = normalise(pieces[0])
        value_text = pieces[1].strip()
        if not LABEL_RE.fullmatch(label) or not value_text:
            raise _bad_composite(shown)
        if _COLON_RE.search(value_text):
            raise _bad_composite(
                shown, "内訳の中に内訳は書けません。", "A part cannot have its own breakdown. "
            )
        if match_number(label) is not None:
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
