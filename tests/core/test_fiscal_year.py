"""Fiscal years: every spelling people type, the labels we show, and errors they can act on."""

from __future__ import annotations

import pickle
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxtracker.figures.fiscal_year import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    FiscalYearError,
    fiscal_year_label,
    fiscal_year_label_en,
    fiscal_year_of,
    parse_fiscal_year,
    short_label,
)

fiscal_years = st.integers(min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR)


@pytest.mark.parametrize(
    "text",
    [
        2022, "2022", " 2022 ", "２０２２", "FY2022", "fy2022", "Fy2022", "FY 2022", "ＦＹ２０２２",
        "2022年度", "２０２２年度", "R4", "r4", "Ｒ４", "R 4", "R4年度", "令和4年度", "令和４年度",
        "令和 4 年度", "令和4", "令和04年度",
    ],
)
def test_spellings_of_2022(text: str | int) -> None:
    assert parse_fiscal_year(text) == 2022


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年度", 2019), ("令和元", 2019), ("R1", 2019), ("令和1年度", 2019),
        ("H30", 2018), ("h30", 2018), ("平成30年度", 2018), ("平成30", 2018),
        ("平成元年度", 1989), ("H1", 1989),
        # FY2019 was budgeted as 平成31年度 before the era changed.
        ("平成31年度", 2019), ("H31", 2019),
        ("1989", 1989), (1989, 1989), ("2200", 2200), (2200, 2200), ("R182", 2200),
        ("令和5年度", 2023), ("2020年度", 2020), ("R2", 2020),
    ],
)
def test_era_and_edge_spellings(text: str | int, expected: int) -> None:
    assert parse_fiscal_year(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "abc", "", "   ", "22", "FY22", "2022年", "令和", "R", "R0", "令和0年度",
        "平成32年度", "H32", "昭和60年度", "S60", "2022/4", "2022-2023", "令和四年度",
        "R4.5", "2022.0", "FY2022FY",
    ],
)
def test_unreadable_text_is_an_error_naming_what_was_typed(text: str) -> None:
    with pytest.raises(FiscalYearError) as info:
        parse_fiscal_year(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert str(err) == (
        f"「{text.strip()}」は年度として読めません。"
        "2022、FY2022、R4、令和4年度 のように入力してください。"
    )
    assert err.text == text.strip()
    assert "FY2022" in err.message_en and text.strip() in err.message_en


def test_example_message_from_the_brief() -> None:
    with pytest.raises(FiscalYearError, match=r"^「abc」は年度として読めません。"):
        parse_fiscal_year("abc")


@pytest.mark.parametrize("text", [1988, "1988", 2201, "2201", "R183", "FY1900", 0, -5])
def test_years_outside_the_range_are_errors(text: str | int) -> None:
    with pytest.raises(FiscalYearError) as info:
        parse_fiscal_year(text)
    assert str(info.value).startswith(f"「{text}」は扱える年度（1989年度～2200年度）の範囲外です。")
    assert "1989" in info.value.message_en


@pytest.mark.parametrize("text", [True, False, 2022.0, None, [2022]])
def test_other_types_are_errors(text: object) -> None:
    with pytest.raises(FiscalYearError):
        parse_fiscal_year(text)  # type: ignore[arg-type]


def test_error_survives_pickling() -> None:
    with pytest.raises(FiscalYearError) as info:
        parse_fiscal_year("abc")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (str(copy), copy.text, copy.message_en) == (
        str(info.value), info.value.text, info.value.message_en
    )


@pytest.mark.parametrize(
    ("fy", "label", "short", "en"),
    [
        (1989, "平成元年度", "H1", "FY1989"),
        (2018, "平成30年度", "H30", "FY2018"),
        (2019, "令和元年度", "R1", "FY2019"),
        (2020, "令和2年度", "R2", "FY2020"),
        (2022, "令和4年度", "R4", "FY2022"),
        (2200, "令和182年度", "R182", "FY2200"),
    ],
)
def test_labels(fy: int, label: str, short: str, en: str) -> None:
    assert fiscal_year_label(fy) == label
    assert short_label(fy) == short
    assert fiscal_year_label_en(fy) == en


@pytest.mark.parametrize("fy", [1988, 2201])
def test_labels_refuse_years_outside_the_range(fy: int) -> None:
    for label in (fiscal_year_label, fiscal_year_label_en, short_label):
        with pytest.raises(FiscalYearError):
            label(fy)


@pytest.mark.parametrize("fy", ["2022", 2022.0, True])
def test_labels_refuse_non_int(fy: object) -> None:
    with pytest.raises(TypeError):
        fiscal_year_label(fy)  # type: ignore[arg-type]


@given(fiscal_years)
def test_every_label_parses_back(fy: int) -> None:
    assert parse_fiscal_year(fiscal_year_label(fy)) == fy
    assert parse_fiscal_year(short_label(fy)) == fy
    assert parse_fiscal_year(fiscal_year_label_en(fy)) == fy
    assert parse_fiscal_year(str(fy)) == fy
    assert parse_fiscal_year(fy) == fy


@given(fiscal_years)
def test_labels_follow_the_era_formula(fy: int) -> None:
    label = fiscal_year_label(fy)
    if fy >= 2019:
        assert label.startswith("令和") and short_label(fy) == f"R{fy - 2018}"
    else:
        assert label.startswith("平成") and short_label(fy) == f"H{fy - 1988}"
    assert ("元" in label) == (fy in (1989, 2019))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 4, 1), 2022),
        (date(2023, 3, 31), 2022),
        (date(2022, 3, 31), 2021),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
        (date(2019, 4, 30), 2019),  # still 平成31年 on the calendar, but 令和元年度
        (datetime(2024, 3, 31, 23, 59), 2023),
    ],
)
def test_fiscal_year_of_a_date(day: date, expected: int) -> None:
    assert fiscal_year_of(day) == expected


def test_april_2019_is_labelled_reiwa_not_heisei() -> None:
    # japanera derives 平成31 for April 2019; the fiscal-year label is 令和元年度 all year.
    assert fiscal_year_label(fiscal_year_of(date(2019, 4, 1))) == "令和元年度"


@given(st.dates(min_value=date(1989, 4, 1), max_value=date(2200, 12, 31)))
def test_fiscal_year_of_starts_in_april(day: date) -> None:
    fy = fiscal_year_of(day)
    assert date(fy, 4, 1) <= day < date(fy + 1, 4, 1)
