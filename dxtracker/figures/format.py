"""The written forms of a value: the canonical text people read and type, and a stable JSON.

`format_value` writes the text that `dxtracker.figures.parse.parse_value` reads back to an equal
value, so that the database, the plan file and the workbooks all store the same text for the
same figure. `to_json` / `from_json` carry a value in the plan snapshot and the plan file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Bound, Composite, Number, Range, Value, Words

__all__ = ["format_value", "from_json", "is_canonical_number", "to_json"]


# --------------------------------------------------------------------------- text


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


def _format_decimal(number: Decimal, minus: str) -> str:
    # ",f" keeps the scale ("40.0" stays "40.0") and never switches to exponent notation.
    text = format(number.copy_abs(), ",f")  # abs() would round to the 28-digit context
    return f"{minus}{text}" if number.is_signed() else text


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
