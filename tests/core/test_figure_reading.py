"""How a typed figure was read, said back to the user: 「約30」→ 30（概数）."""

from __future__ import annotations

import pytest

from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.figures.reading import explain_figure


def explained(typed: object, unit: str = "件", *, percent: bool = False,
              formula: bool = False) -> str | None:
    value = parse_value(f"{float(typed) * 100:g}%" if percent else typed, unit=unit)  # type: ignore[arg-type]
    reading = explain_figure(typed, value, format_value(value) if value else None, unit,
                             percent=percent, formula=formula)
    return None if reading is None else reading.text()


@pytest.mark.parametrize(("typed", "unit", "said"), [
    ("約30", "件", "「約30」→ 30（概数）"),
    ("１，２３４件", "件", "「１，２３４件」→ 1,234（全角、単位「件」）"),
    ("12万人", "人", "「12万人」→ 120,000（単位「人」、万＝×10,000）"),
    ("約１２万件", "件", "「約１２万件」→ 120,000（全角、概数、単位「件」、万＝×10,000）"),
    ("▲12", "件", "「▲12」→ -12（▲はマイナス）"),
    ("1234", "件", "「1234」→ 1,234（文字列として保存された数値）"),
    (" 45\u00a0", "件", "「 45␣」→ 45（前後の空白を除く）"),
    ("—", "件", "「—」→ 空欄"),
])
def test_what_was_understood_is_said(typed, unit, said):
    assert explained(typed, unit) == said


def test_plain_figures_need_no_words():
    assert explained("1,234") is None  # typed as it is stored
    assert explained(45.0) is None and explained(7) is None  # number cells


def test_cells_and_formulas():
    assert explained(0.855, "%", percent=True) == "「85.5%」→ 85.5（パーセント表示のセル 0.855）"
    assert explained(45.0, formula=True) == "「45」→ 45（数式の計算結果）"


def test_english():
    value = parse_value("約30", unit="件")
    reading = explain_figure("約30", value, format_value(value), "件")
    assert reading is not None
    assert reading.text("en") == '"約30" → 30 (approximate)'
