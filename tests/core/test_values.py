"""The value parser: every figure the plan prints, what people type, and round trips."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxtracker.errors import DxTrackerError
from dxtracker.figures.format import format_value, from_json, is_canonical_number, to_json
from dxtracker.figures.parse import ValueParseError, parse_value
from dxtracker.figures.values import Bound, Composite, Number, Range, Value, Words, number_of

D = Decimal


def num(text: str, approximate: bool = False) -> Number:
    return Number(D(text), approximate)


# --------------------------------------------------------------------------- the plan's figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,300", num("3300")),
        ("102", num("102")),
        ("0", num("0")),
        ("5,945", num("5945")),
        ("164,959", num("164959")),
        ("44.1", num("44.1")),
        ("27.4", num("27.4")),
        ("40.0", num("40.0")),
        ("90~100", Range(D(90), D(100))),
        ("50以上", Bound(D(50), "at_least")),
        ("20以上", Bound(D(20), "at_least")),
        ("20以下", Bound(D(20), "at_most")),
        ("県設置:59 他機関:32", Composite((("県設置", num("59")), ("他機関", num("32"))))),
        ("県設置:165 他機関:179", Composite((("県設置", num("165")), ("他機関", num("179"))))),
        ("約1,900", num("1900", approximate=True)),
        ("▲12", num("-12")),
        ("△3.5", num("-3.5")),
    ],
)
def test_figures_printed_in_the_plan(text: str, expected: Value) -> None:
    assert parse_value(text) == expected
    assert parse_value(text, allow_words=True) == expected


@pytest.mark.parametrize(
    "text", ["半数", "全業務", "できるだけ100%に近づける", "更なる拡大を目指す"]
)
def test_word_targets(text: str) -> None:
    assert parse_value(text, allow_words=True) == Words(text)
    assert parse_value(text, unit="%", allow_words=True) == Words(text)
    with pytest.raises(ValueParseError):
        parse_value(text)


def test_words_keep_what_was_typed_not_normalised() -> None:
    assert parse_value("  全業務（予定）  ", allow_words=True) == Words("全業務（予定）")


def test_composite_with_a_word_part_needs_words_allowed() -> None:
    expected = Composite((("県設置", num("165")), ("他機関", Words("更なる拡大"))))
    assert parse_value("県設置:165 他機関:更なる拡大", allow_words=True) == expected
    with pytest.raises(ValueParseError) as info:
        parse_value("県設置:165 他機関:更なる拡大")
    assert info.value.reason_code == "bad_composite"
    assert "県設置:165 他機関:更なる拡大" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "県設置：165　他機関：179",
        "県設置: 165  他機関 :179",
        " 県設置:165 他機関:179 ",
        "県設置:１６５ 他機関:179",
    ],
)
def test_composite_spellings(text: str) -> None:
    assert parse_value(text) == Composite((("県設置", num("165")), ("他機関", num("179"))))


def test_composite_parts_follow_the_same_rules() -> None:
    assert parse_value("県設置:165台 他機関:約1,790台", unit="台") == Composite(
        (("県設置", num("165")), ("他機関", num("1790", approximate=True)))
    )
    assert parse_value("国:90~100 県:50以上") == Composite(
        (("国", Range(D(90), D(100))), ("県", Bound(D(50), "at_least")))
    )
    assert parse_value("県設置:165") == Composite((("県設置", num("165")),))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("県設置:165 他機関", "unit_mismatch"),  # "他機関" reads as a unit stuck to 165
        ("165 他機関:179", "bad_composite"),
        ("県設置: 他機関:179", "bad_composite"),
        ("県設置:— 他機関:179", "bad_composite"),
        ("県設置:a:1", "bad_composite"),
        ("12:30", "composite_label"),
        ("県設置:1 県設置:2", "composite_label"),
        ("県設置:12台", "unit_mismatch"),
    ],
)
def test_bad_composites(text: str, reason: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value(text, unit="件")
    assert info.value.reason_code == reason
    assert f"「{text}」" in str(info.value)


# --------------------------------------------------------------------------- what people type


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("１，２３４件", "件", num("1234")),
        ("1,234件", "件", num("1234")),
        ("1234", "件", num("1234")),
        ("1,234 件", "件", num("1234")),
        ("12万人", "人", num("120000")),
        ("12万", "", num("120000")),
        ("1.5万", "", num("15000")),
        ("1.23456万", "", num("12345.6")),
        ("3億", "", num("300000000")),
        ("2,363千件", "千件", num("2363")),
        ("44.1%", "%", num("44.1")),
        ("44.1％", "%", num("44.1")),
        ("４４．１％", "%", num("44.1")),
        ("5,600ha", "ha", num("5600")),
        ("5,600HA", "ha", num("5600")),
        ("12万人", "万人", num("12")),  # a unit that starts with a multiplier wins
        ("約1,900件", "件", num("1900", approximate=True)),
        ("約 1,900", "", num("1900", approximate=True)),
        ("-12", "", num("-12")),
        ("－12", "", num("-12")),
        ("−12", "", num("-12")),
        ("+12", "", num("12")),
        ("▲1,234.5", "", num("-1234.5")),
        ("△0.25", "", num("-0.25")),
        ("約▲12", "", num("-12", approximate=True)),
        ("1,2,3", "", num("123")),  # comma placement is checked loosely
        ("007", "", num("7")),
        ("0.000", "", num("0.000")),
    ],
)
def test_typed_numbers(text: str, unit: str, expected: Number) -> None:
    value = parse_value(text, unit=unit)
    assert value == expected
    assert isinstance(value, Number) and value.approximate == expected.approximate


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("90～100", "", Range(D(90), D(100))),
        ("90〜100", "", Range(D(90), D(100))),
        ("90 ~ 100", "", Range(D(90), D(100))),
        ("90%~100%", "%", Range(D(90), D(100))),
        ("90～100％", "%", Range(D(90), D(100))),
        ("▲5~-3", "", Range(D(-5), D(-3))),
        ("7~7", "", Range(D(7), D(7))),
        ("1.5万~2万", "", Range(D(15000), D(20000))),
        ("50%以上", "%", Bound(D(50), "at_least")),
        ("50件以上", "件", Bound(D(50), "at_least")),
        ("▲3以下", "", Bound(D(-3), "at_most")),
        ("１，０００以下", "", Bound(D(1000), "at_most")),
    ],
)
def test_typed_ranges_and_bounds(text: str, unit: str, expected: Value) -> None:
    assert parse_value(text, unit=unit) == expected


def test_typed_scale_is_kept() -> None:
    value = parse_value("40.0")
    assert isinstance(value, Number)
    assert str(value.value) == "40.0"
    assert format_value(value) == "40.0"
    assert format_value(parse_value("1,234.50")) == "1,234.50"
    assert format_value(parse_value("90.0~100")) == "90.0~100"


@pytest.mark.parametrize(
    "text", [None, "", " ", "　", "\t\n", "—", "－", "-", "―", "–", "ー", "――", "ｰ"]
)
def test_blank_is_none_never_zero(text: str | None) -> None:
    assert parse_value(text) is None
    assert parse_value(text, unit="件", allow_words=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (3300, num("3300")),
        (-12, num("-12")),
        (44.1, num("44.1")),
        (0.1, num("0.1")),
        (3300.0, num("3300")),  # spreadsheet readers hand whole numbers over as floats
        (D("40.0"), num("40.0")),
        (D("1E+3"), num("1000")),
    ],
)
def test_numbers_that_are_already_numbers(text: int | float | Decimal, expected: Number) -> None:
    value = parse_value(text)
    assert value == expected
    assert isinstance(value, Number)
    assert str(value.value) == str(expected.value)


def test_whole_float_formats_without_a_decimal_point() -> None:
    assert format_value(parse_value(3300.0)) == "3,300"
    assert format_value(parse_value(D("1E+3"))) == "1,000"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (True, "bad_type"),
        (False, "bad_type"),
        ([1], "bad_type"),
        ({"a": 1}, "bad_type"),
        (float("nan"), "not_finite"),
        (float("inf"), "not_finite"),
        (D("NaN"), "not_finite"),
        (D("-Infinity"), "not_finite"),
    ],
)
def test_non_figure_inputs_are_errors(text: object, reason: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value(text, allow_words=True)  # type: ignore[arg-type]
    assert info.value.reason_code == reason


# --------------------------------------------------------------------------- errors


def test_not_a_number_message() -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value("abc")
    err = info.value
    assert str(err) == (
        "「abc」は数値として読めません。1,234、約1,900、12万、▲12 のように数値で入力してください。"
    )
    assert err.text == "abc"
    assert err.reason_code == "not_a_number"
    assert err.message_ja == str(err)
    assert "abc" in err.message_en and "1,234" in err.message_en
    # One error type for the app to catch; still a ValueError for plain Python callers.
    assert isinstance(err, ValueError) and isinstance(err, DxTrackerError)


def test_kanji_numerals_are_not_parsed() -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value("十二")
    assert str(info.value).startswith("「十二」は数値として読めません。")
    assert info.value.reason_code == "kanji_numeral"
    assert parse_value("十二", allow_words=True) == Words("十二")


def test_wrong_unit_names_both_units() -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value("12台", unit="件")
    err = info.value
    assert str(err).startswith("「12台」の単位「台」はこの指標の単位「件」と違います。")
    assert err.reason_code == "unit_mismatch"
    assert '"台"' in err.message_en and '"件"' in err.message_en


def test_wrong_unit_is_an_error_even_when_words_are_allowed() -> None:
    # A figure with a wrong unit is a slip to report, not a word target to keep.
    with pytest.raises(ValueParseError, match="「台」"):
        parse_value("12台", unit="件", allow_words=True)


def test_unit_on_an_indicator_without_unit() -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value("12件")
    assert info.value.reason_code == "unexpected_unit"
    assert str(info.value).startswith("「12件」には単位「件」が付いていますが")


@pytest.mark.parametrize(
    ("text", "unit", "reason"),
    [
        ("abc", "", "not_a_number"),
        ("1,,2", "", "not_a_number"),
        ("1,", "", "not_a_number"),
        (",1", "", "not_a_number"),
        ("1.", "", "not_a_number"),
        (".5", "", "not_a_number"),
        ("1.2.3", "", "not_a_number"),
        ("1 234", "", "not_a_number"),
        ("約", "", "not_a_number"),
        ("▲", "", "not_a_number"),
        ("--12", "", "not_a_number"),
        ("12万万", "", "unexpected_unit"),
        ("2,363,000件", "千件", "unit_mismatch"),
        ("44.1%", "", "unexpected_unit"),
        ("44.1%", "件", "unit_mismatch"),
        ("12万人", "件", "unit_mismatch"),
        ("100~90", "", "range_order"),
        ("90~", "", "bad_range"),
        ("~100", "", "bad_range"),
        ("1~2~3", "", "bad_range"),
        ("a~b", "", "bad_range"),
        ("90台~100", "件", "unit_mismatch"),
        ("約90~100", "", "approximate_not_allowed"),
        ("以上", "", "bad_bound"),
        ("abc以上", "", "bad_bound"),
        ("約50以上", "", "approximate_not_allowed"),
        ("50台以上", "件", "unit_mismatch"),
        ("50未満", "", "unsupported_bound"),
        ("50件未満", "件", "unsupported_bound"),
        ("10超", "", "unsupported_bound"),
    ],
)
def test_parse_errors(text: str, unit: str, reason: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value(text, unit=unit)
    err = info.value
    assert err.reason_code == reason
    assert err.text == text
    assert f"「{text}」" in str(err)
    assert err.message_en


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("100~90", "range_order"),
        ("約90~100", "approximate_not_allowed"),
        ("50未満", "unsupported_bound"),
        ("44.1件", "unit_mismatch"),
    ],
)
def test_figure_slips_stay_errors_when_words_are_allowed(text: str, reason: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value(text, unit="%", allow_words=True)
    assert info.value.reason_code == reason


@pytest.mark.parametrize(
    "text", ["10,000 (8,000からの修正)", "R4~R5に検討", "現状以上", "100%に近づける", "目標:"]
)
def test_text_that_is_not_a_figure_becomes_words(text: str) -> None:
    assert parse_value(text, unit="%", allow_words=True) == Words(text)


def test_error_survives_pickling() -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value("12台", unit="件")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.text, copy.reason_code, copy.message_ja, copy.message_en, str(copy)) == (
        "12台", "unit_mismatch", info.value.message_ja, info.value.message_en, str(info.value)
    )


# --------------------------------------------------------------------------- the value types


def test_values_are_hashable_and_compared_by_value() -> None:
    assert Number(D("40.0")) == Number(D("40"))
    assert hash(Number(D("40.0"))) == hash(Number(D("40")))
    assert Number(D(1)) != Number(D(1), approximate=True)
    assert Bound(D(5), "at_least") != Bound(D(5), "at_most")
    assert Number(D(5)) != Bound(D(5), "at_least")
    values = {parse_value("3,300"), parse_value("3300"), parse_value("90~100")}
    assert len(values) == 2


def test_constructors_check_their_fields() -> None:
    assert Number(5) == Number(D(5))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Number(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Number(D("NaN"))
    with pytest.raises(ValueError):
        Range(D(2), D(1))
    with pytest.raises(ValueError):
        Bound(D(1), "more")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Words("  ")
    with pytest.raises(ValueError):
        Composite(())
    with pytest.raises(ValueError):
        Composite((("a", num("1")), ("a", num("2"))))
    with pytest.raises(ValueError):
        Composite((("12", num("1")),))
    with pytest.raises(ValueError):
        Composite((("a b", num("1")),))
    with pytest.raises(ValueError):
        Composite((("a", Composite((("b", num("1")),))),))
    assert Words(" 半数 ") == Words("半数")
    assert Composite([["a", num("1")]]).parts == (("a", num("1")),)  # type: ignore[list-item]


def test_number_of() -> None:
    assert number_of(parse_value("3,300")) == D(3300)
    assert number_of(parse_value("約1,900")) == D(1900)
    assert number_of(None) is None
    assert number_of(parse_value("90~100")) is None
    assert number_of(parse_value("50以上")) is None
    assert number_of(Words("半数")) is None
    assert number_of(parse_value("県設置:59 他機関:32")) is None


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (num("3300"), "", "3,300"),
        (num("1234567.891"), "", "1,234,567.891"),
        (num("44.1"), "", "44.1"),
        (num("40.0"), "", "40.0"),
        (num("-12"), "", "-12"),
        (num("-0.5"), "", "-0.5"),
        (num("1900", True), "", "約1,900"),
        (Range(D(90), D(100)), "", "90~100"),
        (Bound(D(50), "at_least"), "", "50以上"),
        (Bound(D(20), "at_most"), "", "20以下"),
        (Words("半数"), "", "半数"),
        (Composite((("県設置", num("165")), ("他機関", num("179")))), "", "県設置:165 他機関:179"),
        (num("1234"), "件", "1,234 件"),
        (num("44.1"), "%", "44.1%"),
        (num("1900", True), "件", "約1,900 件"),
        (Range(D(90), D(100)), "%", "90~100%"),
        (Bound(D(50), "at_least"), "%", "50%以上"),
        (Bound(D(50), "at_least"), "件", "50 件以上"),
        (Words("半数"), "%", "半数"),
        (
            Composite((("県設置", num("165")), ("他機関", Words("更なる拡大")))),
            "台",
            "県設置:165 台 他機関:更なる拡大",
        ),
    ],
)
def test_format_value(value: Value, unit: str, expected: str) -> None:
    assert format_value(value, unit=unit) == expected
    assert parse_value(expected, unit=unit, allow_words=True) == value


def test_format_blank_and_minus() -> None:
    assert format_value(None) == ""
    assert format_value(None, blank="—") == "—"
    assert format_value(num("-12"), minus="▲") == "▲12"
    assert format_value(Range(D(-5), D(-3)), minus="▲") == "▲5~▲3"
    assert format_value(num("12"), minus="▲") == "12"
    assert parse_value(format_value(num("-3.5"), minus="△")) == num("-3.5")


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,300", {"display": "3,300", "kind": "number", "value": 3300, "approximate": False}),
        ("44.1", {"display": "44.1", "kind": "number", "value": 44.1, "approximate": False}),
        ("約1,900", {"display": "約1,900", "kind": "number", "value": 1900, "approximate": True}),
        ("90~100", {"display": "90~100", "kind": "range", "low": 90, "high": 100}),
        ("50以上", {"display": "50以上", "kind": "at_least", "value": 50}),
        ("20以下", {"display": "20以下", "kind": "at_most", "value": 20}),
        ("半数", {"display": "半数", "kind": "words", "text": "半数"}),
        (
            "県設置:165 他機関:更なる拡大",
            {
                "display": "県設置:165 他機関:更なる拡大",
                "kind": "composite",
                "parts": [
                    {
                        "label": "県設置",
                        "value": {
                            "display": "165", "kind": "number", "value": 165, "approximate": False
                        },
                    },
                    {
                        "label": "他機関",
                        "value": {"display": "更なる拡大", "kind": "words", "text": "更なる拡大"},
                    },
                ],
            },
        ),
    ],
)
def test_json_form(text: str, expected: dict[str, object]) -> None:
    value = parse_value(text, allow_words=True)
    assert to_json(value) == expected
    assert from_json(json.loads(json.dumps(expected, ensure_ascii=False))) == value


def test_json_keeps_types_and_scale() -> None:
    data = to_json(parse_value("40.0"))
    assert data is not None
    assert type(data["value"]) is int and data["display"] == "40.0"
    restored = from_json(data)
    assert isinstance(restored, Number) and str(restored.value) == "40.0"
    assert to_json(None) is None and from_json(None) is None


@pytest.mark.parametrize(
    "data",
    [
        {"display": "3,300", "kind": "number", "value": 3301, "approximate": False},
        {"display": "3,300", "kind": "range", "low": 3300, "high": 3300},
        {"display": "abc", "kind": "number", "value": 1, "approximate": False},
        {"display": "", "kind": "number", "value": 1, "approximate": False},
        {"kind": "mystery"},
        {"kind": "words"},
        {"kind": "composite", "parts": [{"label": "県設置"}]},
        {"kind": "composite", "parts": [{"label": "県設置", "value": None}]},
    ],
)
def test_inconsistent_json_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        from_json(data)


# --------------------------------------------------------------------------- round trips

decimals = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=3),
)
numbers = st.builds(Number, decimals, st.booleans())
ranges = st.builds(lambda a, b: Range(min(a, b), max(a, b)), decimals, decimals)
bounds = st.builds(Bound, decimals, st.sampled_from(["at_least", "at_most"]))
labels = st.sampled_from(["県設置", "他機関", "国", "市町村", "民間", "A", "R4", "その他"])
simple_values = numbers | ranges | bounds
composites = st.lists(
    st.tuples(labels, simple_values), min_size=1, max_size=4, unique_by=lambda p: p[0]
).map(lambda parts: Composite(tuple(parts)))
values = simple_values | composites
units = st.sampled_from(["件", "%", "千件", "台", "ha", "km", "人", "万人", "時間", "か所"])
word_texts = st.sampled_from(
    [
        "半数", "全業務", "できるだけ100%に近づける", "更なる拡大を目指す", "更なる 拡大",
        "R4~R5に検討",
    ]
)
word_composites = st.lists(
    st.tuples(labels, simple_values | word_texts.map(Words)),
    min_size=1, max_size=4, unique_by=lambda p: p[0],
).map(lambda parts: Composite(tuple(parts)))


def assert_same_display(value: Value, again: Value | None) -> None:
    # Decimal equality ignores scale ("40.0" == "40"); the display text must survive too.
    assert again is not None
    assert format_value(again) == format_value(value)


@given(values)
def test_format_then_parse_round_trip(value: Value) -> None:
    again = parse_value(format_value(value))
    assert again == value
    assert_same_display(value, again)


@given(values, units)
def test_format_then_parse_round_trip_with_unit(value: Value, unit: str) -> None:
    again = parse_value(format_value(value, unit=unit), unit=unit)
    assert again == value
    assert_same_display(value, again)


@given(values, st.sampled_from(["▲", "△", "-"]))
def test_accounting_minus_round_trip(value: Value, minus: str) -> None:
    assert parse_value(format_value(value, minus=minus)) == value


@given(word_composites | word_texts.map(Words), units)
def test_word_values_round_trip(value: Value, unit: str) -> None:
    assert parse_value(format_value(value, unit=unit), unit=unit, allow_words=True) == value


@given(values | word_composites | word_texts.map(Words))
def test_json_round_trip(value: Value) -> None:
    data = to_json(value)
    assert from_json(json.loads(json.dumps(data, ensure_ascii=False))) == value
    assert to_json(from_json(data)) == data


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_ints_of_any_size_are_exact(n: int) -> None:
    value = parse_value(n)
    assert value == Number(Decimal(n))
    assert parse_value(format_value(value)) == value
    assert number_of(parse_value(f"{n:,}")) == n


@given(st.text(max_size=20), st.sampled_from(["", "件", "%"]))
def test_any_text_either_fails_cleanly_or_round_trips(text: str, unit: str) -> None:
    try:
        value = parse_value(text, unit=unit, allow_words=True)
    except ValueParseError as err:
        assert err.message_ja and err.message_en and err.reason_code
        return
    canonical = format_value(value)
    assert parse_value(canonical, unit=unit, allow_words=True) == value
    assert format_value(parse_value(canonical, unit=unit, allow_words=True)) == canonical


@given(st.text(alphabet="0123456789,.約▲△-+万億~以上下件%:　 ", max_size=16))
def test_figure_like_text_never_crashes(text: str) -> None:
    try:
        value = parse_value(text, unit="件")
    except ValueParseError:
        return
    assert parse_value(format_value(value, unit="件"), unit="件") == value


@pytest.mark.parametrize(("text", "unit", "canonical"), [
    ("1,234", "件", True), ("0.50", "%", True), ("0", "", True), ("44.1", "％", True),
    ("1234", "", False),  # format_value groups thousands
    ("01", "", False), ("-5", "", False), ("1,234 件", "件", False),
    ("2.50", "0", False),  # with this unit "2.50" reads as 2.5
    ("1,000", "０００", False),
])
def test_canonical_numbers_are_known_without_parsing(text, unit, canonical):
    assert is_canonical_number(text, unit) is canonical
    if canonical:
        assert format_value(parse_value(text, unit=unit)) == text
