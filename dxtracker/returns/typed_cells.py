"""The value of each input cell of a return, as the person meant it — or a problem naming it.

Every typed value is validated again (pasting in Excel removes data validation). What the
value parser understood beyond a plain number is recorded as a reading (「約30」→ 30（概数）)
for the dry run. A formula's saved result is taken with a warning (a formula without one is
refused); a date where a figure belongs is refused, a date in a text column kept as text with a
warning; an input cell hidden under a merged range keeps its exported value, with a warning.
A cell that cannot be taken is recorded as a problem and read as `INVALID`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.reading import explain_figure, percent_text
from dxtracker.figures.values import Number, Value
from dxtracker.returns import layout
from dxtracker.returns.layout import cell_text
from dxtracker.returns.model import ValueReading
from dxtracker.returns.opening import ReturnReading, Row
from dxtracker.returns.table import INVALID, ReturnTable, short
from dxtracker.store.models import STATUSES


def typed_value(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                key: str) -> Any:
    """The cell's value; a formula's saved result (with a warning), or INVALID."""
    raw = table.raw(key, row)
    if not table.formulas or not table.is_formula(key, number):
        return raw
    where = table.ref(key, number)
    if raw is None or raw == "":
        reading.error(table.sheet, where,
                      "数式が入力されていますが、計算結果が保存されていません（または #DIV/0! などの"
                      "エラーです）。数式ではなく値を入力してください。",
                      "The cell holds a formula without a saved result (or with an error such "
                      "as #DIV/0!): enter a value instead of a formula.")
        return INVALID
    reading.warning(table.sheet, where,
                    f"数式が入力されています。保存されていた計算結果「{short(cell_text(raw))}」を"
                    "取り込みます。数式ではなく値を入力することをお勧めします。",
                    f"The cell holds a formula: its saved result '{short(cell_text(raw))}' is "
                    "taken. Enter values rather than formulas.")
    return raw


def merged_away(reading: ReturnReading, table: ReturnTable, number: int, key: str) -> bool:
    """An input cell hidden under another cell of a merged range: the person could not type
    into it, so its row keeps what was exported there (said as a warning)."""
    span = table.covered_by(key, number)
    if span is None:
        return False
    reading.warning(table.sheet, table.ref(key, number),
                    f"セルが結合されています（{span}）。このセルは結合の左上のセルに隠れているため、"
                    "この行のこの欄は変更しません。行ごとに値を入力する場合は結合を解除してください。",
                    f"The cell is part of the merged range {span}, hidden under its top-left "
                    "cell: this row's field is left unchanged. Unmerge to enter it.")
    return True


def read_text(reading: ReturnReading, table: ReturnTable, number: int, row: Row, key: str,
              base: str) -> str:
    if table.covered and merged_away(reading, table, number, key):
        return base
    raw = typed_value(reading, table, number, row, key)
    if raw is INVALID:
        return INVALID
    if isinstance(raw, datetime | date | time):
        text = _date_text(raw)
        reading.warning(table.sheet, table.ref(key, number),
                        f"日付として保存されていたため「{text}」として取り込みます（Excelが「4/1」"
                        "などを日付に変えた可能性があります）。",
                        f"The cell holds a date: taken as the text '{text}'.")
    elif isinstance(raw, float) and table.is_percent(key, number):
        text = percent_text(raw)  # as the cell shows it
    else:
        text = cell_text(raw)
    text = layout.blank_if_space(text)
    return base if text == base else text


def _date_text(value: datetime | date | time) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime) and value.time() != time():
        return value.strftime("%Y/%m/%d %H:%M")
    return value.strftime("%Y/%m/%d")


def read_status(reading: ReturnReading, table: ReturnTable, number: int, row: Row,
                base: str) -> str | None:
    if table.covered and merged_away(reading, table, number, "status"):
        return base or None
    raw = typed_value(reading, table, number, row, "status")
    if raw is INVALID:
        return INVALID
    typed = cell_text(raw)
    status = re.sub(r"\s+", "", unicodedata.normalize("NFKC", typed))
    if not status:
        return None
    if status not in STATUSES:
        reading.error(table.sheet, table.ref("status", number),
                      f"進捗状況「{short(typed)}」は選べません。{' / '.join(STATUSES)} の"
                      "いずれかを選んでください。",
                      f"Status '{short(typed)}' is not one of {' / '.join(STATUSES)}.")
        return INVALID
    return status


def read_figure(reading: ReturnReading, table: ReturnTable, number: int, row: Row, key: str,
                unit: str, base: str | None, *, allow_words: bool, code: str) -> str | None:
    """A typed figure as canonical text; an untouched cell gives back its base text."""
    if table.covered and merged_away(reading, table, number, key):
        return base
    formula = table.is_formula(key, number)
    raw = typed_value(reading, table, number, row, key) if formula else table.raw(key, row)
    if raw is INVALID:
        return INVALID
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and base is not None and layout.normalise_newlines(raw) == base:
        return base
    percent = isinstance(raw, float) and table.is_percent(key, number)
    try:
        value, text = _parsed(_typed(raw, percent), unit, allow_words)
    except ValueParseError as exc:
        reading.error(table.sheet, table.ref(key, number), f"{exc.message_ja}（{code}）",
                      f"{exc.message_en} ({code})")
        return INVALID
    except _NotAFigure as exc:
        reading.error(table.sheet, table.ref(key, number), f"{exc.args[0]}（{code}）",
                      exc.args[1])
        return INVALID
    if isinstance(raw, str) or percent or formula:  # a number cell needs no explaining
        explained = explain_figure(raw, value, text, unit, percent=percent, formula=formula)
        if explained is not None:
            reading.readings.append(ValueReading(table.sheet, table.ref(key, number), code,
                                                 "proposal" if allow_words else key, explained))
    if value is None:
        return None
    if base is not None and _same(value, base, unit):
        return base  # the same figure as exported, kept in its exported form ("40.0")
    _check_fraction_of_percent(reading, table, number, key, value, unit, percent)
    return text


def _check_fraction_of_percent(reading: ReturnReading, table: ReturnTable, number: int,
                               key: str, value: Value, unit: str, percent: bool) -> None:
    """0.85 typed for a KPI counted in % probably means 85 %: stored as typed, and said."""
    if percent or unit.strip() not in ("%", "％") or not isinstance(value, Number):
        return
    if 0 < abs(value.value) < 1:
        shown = format_value(value)
        hundred = format_value(Number((value.value * 100).normalize()))
        reading.warning(table.sheet, table.ref(key, number),
                        f"この指標は%で数えます。「{shown}」は{shown}%として取り込みます。"
                        f"{hundred}%の意味であれば「{hundred}」と入力してください。",
                        f"This indicator is counted in %: '{shown}' is taken as {shown} %. "
                        f"If {hundred} % is meant, enter {hundred}.")


@functools.lru_cache(maxsize=4096, typed=True)
def _parsed(typed: str | int | float, unit: str, allow_words: bool
            ) -> tuple[Value | None, str | None]:
    """A typed figure as a value and its canonical text (kept: parsing is a pure function, its
    values are immutable, and the same figures recur in returns; a figure that cannot be read
    raises every time)."""
    value = parse_value(typed, unit=unit, allow_words=allow_words)
    return value, None if value is None else format_value(value)


class _NotAFigure(Exception):
    pass


def _typed(raw: Any, percent: bool) -> str | int | float:
    """What the person typed, as the value parser takes it."""
    if isinstance(raw, bool):
        raise _NotAFigure(f"「{raw}」は数値として読めません。",
                          f"'{raw}' cannot be read as a figure.")
    if isinstance(raw, datetime | date | time | timedelta):
        shown = _date_text(raw) if not isinstance(raw, timedelta) else str(raw)
        raise _NotAFigure(f"日付「{shown}」として保存されています。セルの表示形式を「標準」か"
                          "「数値」に戻して、数値を入力し直してください（Excelは「4/1」や「1-2」"
                          "のような入力を日付に変えます）。",
                          f"The cell holds the date {shown}: set the cell's format back to "
                          "General or Number and enter the figure again.")
    if isinstance(raw, float) and percent:
        return percent_text(raw)  # Excel stores a typed "45%" as 0.45 in a percent cell
    return raw if isinstance(raw, int | float) else cell_text(raw)


def _same(value: Any, base: str, unit: str) -> bool:
    try:
        return _parsed(base, unit, True)[0] == value
    except ValueParseError:
        return False
