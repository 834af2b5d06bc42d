"""The report's fixed text in the reader's language: Japanese, or English for the English UI
(`dxtracker report --lang en`; the app passes its own language).

Japanese is the source text, as in the app: `Wording("en").tr("総括")` looks the English up in
the app's catalogue, `resources/translations/en.json` (one catalogue for the app and its
outputs, so that 順調 reads "On track" on the screen and in the report alike).
`tests/core/test_report_wording.py` checks that every `tr("…")` literal of the report has its
English there. What the plan writes — names of KPIs, projects and departments, units, figures,
texts of the returns — is never translated: only the words around it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass

from dxtracker.figures.fiscal_year import fiscal_year_label, fiscal_year_label_en, short_label
from dxtracker.report.grading import Grade, GradeScheme
from dxtracker.store.paths import resource_path

LANGUAGES = ("ja", "en")


@functools.cache
def catalogue() -> dict[str, str]:
    """Japanese → English (the app's catalogue). A missing or broken file gives Japanese."""
    try:
        with resource_path("translations", "en.json").open(encoding="utf-8") as handle:
            return dict(json.load(handle))
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class Wording:
    language: str = "ja"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; use one of {LANGUAGES}")

    @property
    def english(self) -> bool:
        return self.language == "en"

    def tr(self, text_ja: str, **fmt: object) -> str:
        """The text in the report's language; `fmt` fills `{name}` placeholders."""
        text = catalogue().get(text_ja, text_ja) if self.english else text_ja
        return text.format(**fmt) if fmt else text

    def year(self, fiscal_year: int) -> str:
        """令和4年度, or FY2022."""
        return fiscal_year_label_en(fiscal_year) if self.english else \
            fiscal_year_label(fiscal_year)

    def era_year(self, fiscal_year: int) -> str:
        """The year in the era the plan's papers use: 令和4年度, or R4 in English."""
        return short_label(fiscal_year) if self.english else fiscal_year_label(fiscal_year)

    def status(self, status: str) -> str:
        """A measure's status (順調 …) or 未報告, in the report's language."""
        if not self.english:
            return status
        return {"順調": self.tr("順調"), "概ね順調": self.tr("概ね順調"),
                "やや遅れ": self.tr("やや遅れ"), "遅れ": self.tr("遅れ"), "完了": self.tr("完了"),
                "未着手": self.tr("未着手"), "未報告": self.tr("未報告")}.get(status, status)

    def grade(self, scheme: GradeScheme, grade: str) -> str:
        return scheme.display(grade, self.language)

    def scheme(self, scheme: GradeScheme) -> str:
        return scheme.describe(self.language)

    def achievement(self, grade: Grade) -> str:
        return grade.achievement_text(self.language)

    def reason(self, grade: Grade) -> str:
        return grade.reason_in(self.language)

    def join(self, items: Iterable[str]) -> str:
        """A list in running text: 「、」 in Japanese, ", " in English."""
        return (", " if self.english else "、").join(items)

    def brackets(self, text: str) -> str:
        """（…） in Japanese, " (…)" in English; nothing for no text."""
        if not text:
            return ""
        return f" ({text})" if self.english else f"（{text}）"

    @property
    def gap(self) -> str:
        """Between two items on a line: an ideographic space, or two spaces."""
        return "  " if self.english else "\u3000"

    def label(self, name: str) -> str:
        """A department's (or a part's) name heading its text: 【商工労働部】 / [商工労働部]."""
        return f"[{name}]" if self.english else f"【{name}】"


JAPANESE = Wording("ja")
