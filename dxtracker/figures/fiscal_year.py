"""Fiscal years (年度): April to March, stored as the western year in which they start.

People type a year as 2022, FY2022, R4 or 令和4年度; the app shows 令和4年度, R4 or FY2022.
Era labels come from our own formula, never from a calendar date: a fiscal year has one
label for all twelve months (FY2019 is 令和元年度 even in April 2019, which was still 平成31年
on the calendar), and neither datetime nor Qt knows Japanese eras.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from dxtracker.errors import DxTrackerError

__all__ = [
    "FIRST_FISCAL_YEAR",
    "LAST_FISCAL_YEAR",
    "FiscalYearError",
    "fiscal_year_label",
    "fiscal_year_label_en",
    "fiscal_year_of",
    "parse_fiscal_year",
    "short_label",
]

FIRST_FISCAL_YEAR = 1989  # 平成元年度: older labels (昭和) are not needed by any plan
LAST_FISCAL_YEAR = 2200

REIWA_OFFSET = 2018  # 令和N年度 = 2018 + N
HEISEI_OFFSET = 1988  # 平成N年度 = 1988 + N
FIRST_REIWA_FISCAL_YEAR = 2019
# FY2019 was budgeted as 平成31年度 before the era changed; accept it when typed, never show it.
LAST_HEISEI_NUMBER = 31

_ACCEPTED_JA = "2022、FY2022、R4、令和4年度 のように入力してください。"
_ACCEPTED_EN = "Enter it like 2022, FY2022, R4 or 令和4年度."

_WESTERN_RE = re.compile(r"(?:FY)?(?P<year>[0-9]{4})(?:年度)?")
_ERA_RE = re.compile(r"(?P<era>R|令和|H|平成)(?P<number>元|[0-9]{1,3})(?:年度)?")
_ERA_OFFSETS = {"R": REIWA_OFFSET, "令和": REIWA_OFFSET, "H": HEISEI_OFFSET, "平成": HEISEI_OFFSET}


class FiscalYearError(DxTrackerError, ValueError):
    """A fiscal year that cannot be read. `str()` is the Japanese message."""

    def __init__(self, text: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en)
        self.text = text

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions pickle through their args; ours has three constructor arguments.
        return (type(self), (self.text, self.message_ja, self.message_en))


def _unreadable(text: str) -> FiscalYearError:
    return FiscalYearError(
        text,
        f"「{text}」は年度として読めません。{_ACCEPTED_JA}",
        f'"{text}" cannot be read as a fiscal year. {_ACCEPTED_EN}',
    )


def _out_of_range(text: str) -> FiscalYearError:
    return FiscalYearError(
        text,
        f"「{text}」は扱える年度（{FIRST_FISCAL_YEAR}年度～{LAST_FISCAL_YEAR}年度）の範囲外です。"
        f"{_ACCEPTED_JA}",
        f'"{text}" is outside the fiscal years handled ({FIRST_FISCAL_YEAR}–{LAST_FISCAL_YEAR}). '
        f"{_ACCEPTED_EN}",
    )


def _checked(fy: int, text: str) -> int:
    if not FIRST_FISCAL_YEAR <= fy <= LAST_FISCAL_YEAR:
        raise _out_of_range(text)
    return fy


def parse_fiscal_year(text: str | int) -> int:
    """Read a typed fiscal year: 2022, "FY2022", "2022年度", "R4", "令和4年度", "令和元年度",
    "H30", "平成30年度" (full-width digits too). Raises `FiscalYearError`."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise _unreadable(str(text))
    if isinstance(text, int):
        return _checked(text, str(text))
    shown = text.strip()
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if match := _WESTERN_RE.fullmatch(compact):
        return _checked(int(match["year"]), shown)
    if match := _ERA_RE.fullmatch(compact):
        return _checked(_era_year(match["era"], match["number"], shown), shown)
    raise _unreadable(shown)


def _era_year(era: str, number_text: str, shown: str) -> int:
    number = 1 if number_text == "元" else int(number_text)
    if number < 1:
        raise _unreadable(shown)
    if _ERA_OFFSETS[era] == HEISEI_OFFSET and number > LAST_HEISEI_NUMBER:
        raise _unreadable(shown)  # 平成32年度 never existed: the era ended in FY2019
    return _ERA_OFFSETS[era] + number


def _checked_year(fy: int) -> int:
    """Labels are display only; a year outside the range is a bug in the caller."""
    if isinstance(fy, bool) or not isinstance(fy, int):
        raise TypeError(f"fiscal year must be an int, not {type(fy).__name__}")
    return _checked(fy, str(fy))


def _era_number(fy: int) -> tuple[str, str, int]:
    """(Japanese era, initial, number within the era) of a fiscal year."""
    if fy >= FIRST_REIWA_FISCAL_YEAR:
        return "令和", "R", fy - REIWA_OFFSET
    return "平成", "H", fy - HEISEI_OFFSET


def fiscal_year_label(fy: int) -> str:
    """令和4年度 for 2022; the first year of an era is 元 (2019 → 令和元年度)."""
    era, _, number = _era_number(_checked_year(fy))
    return f"{era}{'元' if number == 1 else number}年度"


def fiscal_year_label_en(fy: int) -> str:
    """FY2022 for 2022."""
    return f"FY{_checked_year(fy)}"


def short_label(fy: int) -> str:
    """R4 for 2022 (2019 → R1, 2018 → H30): for narrow column headers."""
    _, initial, number = _era_number(_checked_year(fy))
    return f"{initial}{number}"


def fiscal_year_of(day: date) -> int:
    """The fiscal year a calendar date falls in: April–December → that year, January–March →
    the year before. Use it for the default "current" year, never for labels."""
    return day.year if day.month >= 4 else day.year - 1
