"""The report's fixed text has its English: every `tr("…")` literal in dxtracker/report/ is a key
of resources/translations/en.json with the same {placeholders}, and English words."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from dxtracker.report.grading import DEFAULT_SCHEME, NOT_ASSESSABLE, UNKNOWN, Grade
from dxtracker.report.wording import Wording, catalogue

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "dxtracker" / "report"
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


def tr_literals() -> list[tuple[str, str]]:
    """(where, text) of every tr() call's first argument in the report package; a call
    without a literal is reported with text None."""
    found = []
    for path in sorted(REPORT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (
                    getattr(node.func, "attr", None) == "tr"
                    or getattr(node.func, "id", None) == "tr"):
                first = node.args[0] if node.args else None
                text = first.value if isinstance(first, ast.Constant) else None
                found.append((f"{path.name}:{node.lineno}", text))
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_report_text_is_a_literal_with_an_english_translation() -> None:
    english = json.loads((ROOT / "resources" / "translations" / "en.json").read_text("utf-8"))
    literals = tr_literals()
    assert len(literals) > 100  # the scan does find the report's texts
    problems = []
    for where, text in literals:
        if not isinstance(text, str):
            problems.append(f"{where}: tr() needs a string literal")
        elif text not in english:
            problems.append(f"{where}: {text!r} is not in en.json")
        elif placeholders(text) != placeholders(english[text]) or JAPANESE.search(english[text]):
            problems.append(f"{where}: {text!r} → {english[text]!r}")
    assert not problems, "\n".join(problems)


def test_wording_in_both_languages() -> None:
    ja, en = Wording("ja"), Wording("en")
    assert ja.tr("{year}の進捗と評価", year="令和4年度") == "令和4年度の進捗と評価"
    assert not JAPANESE.search(en.tr("{year}の進捗と評価", year=en.year(2022)))
    assert (ja.year(2019), en.year(2022), en.era_year(2022)) == ("令和元年度", "FY2022", "R4")
    assert (ja.status("やや遅れ"), en.status("やや遅れ")) == ("やや遅れ", "Slightly behind")
    assert en.grade(DEFAULT_SCHEME, UNKNOWN) == "Not yet known"
    assert ja.grade(DEFAULT_SCHEME, NOT_ASSESSABLE) == "評価不能"
    assert en.scheme(DEFAULT_SCHEME) == "A ≥ 100%, B ≥ 80%, C ≥ 50%, D below"
    assert en.achievement(Grade("A", met=True)) == "met"
    assert (ja.label("土木部"), en.label("土木部")) == ("【土木部】", "[土木部]")
    assert catalogue() is catalogue()  # read once
    with pytest.raises(ValueError):
        Wording("fr")


def test_a_scheme_with_its_own_labels_keeps_them_in_english() -> None:
    from dataclasses import replace

    scheme = replace(DEFAULT_SCHEME, unknown_label="実績なし")
    assert Wording("en").grade(scheme, UNKNOWN) == "実績なし"  # the prefecture's own word
    assert Wording("en").grade(scheme, NOT_ASSESSABLE) == "Cannot be assessed"
