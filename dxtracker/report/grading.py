"""Grading a KPI for a fiscal year: achievement rate and grade, direction-aware.

The rules (issue 5, FACTS.md "Published KPI grading"):
- a numeric target: rate = (actual − start) / (target − start), where `start` is the baseline
  (現状) or, when the plan has none ("—"), the KPI's first actual before the year (the seed's
  "現状3"). It works in both directions. Cumulative KPIs (累計) store running totals
  (docs/plan-format.md), so they are measured on their running total by the same formula;
- a target equal to the start (a "hold the level" target): met when the actual is at or
  beyond it in the KPI's direction;
- a range target is met inside the range (or beyond it in the KPI's better direction); a
  lower bound ("50以上") is met at or above it, an upper bound ("20以下") at or below it; not
  met, they are rated against the edge they aim at;
- a word target ("半数", "全業務") is graded by hand (ManualGrade), never computed;
- a composite KPI ("県設置:165 他機関:179") is graded part by part; the KPI as a whole gets
  the common grade of its parts, or 評価不能 with the parts in the reason;
- no actual → 未把握 (`unknown`); no way to judge → 評価不能 (`not_assessable`), always with
  the reason. Blank is never zero.

Grades come from the plan's `GradeScheme` (thresholds and labels are settings, not code).
Everything here works on plain values; the database side is `dxtracker.report.grade_store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value, from_json
from dxtracker.figures.values import Bound, Composite, Number, Range, Value, Words

UNKNOWN = "unknown"  # 未把握: no actual yet
NOT_ASSESSABLE = "not_assessable"  # 評価不能: no way to judge
SPECIAL_GRADES = (UNKNOWN, NOT_ASSESSABLE)
HUNDRED = Decimal(100)


# --------------------------------------------------------------------------- the grade scheme


@dataclass(frozen=True)
class GradeLevel:
    label: str
    min_percent: Decimal | None  # None: the bottom level (everything below the others)


@dataclass(frozen=True)
class GradeScheme:
    """Levels best first; the last one has no threshold. Labels of the two special grades."""

    levels: tuple[GradeLevel, ...]
    unknown_label: str = "未把握"
    not_assessable_label: str = "評価不能"

    @property
    def top(self) -> str:
        return self.levels[0].label

    @property
    def bottom(self) -> str:
        return self.levels[-1].label

    @property
    def labels(self) -> list[str]:
        return [level.label for level in self.levels]

    @property
    def all_grades(self) -> list[str]:
        """Every grade in display order: the levels, then 未把握 and 評価不能."""
        return [*self.labels, UNKNOWN, NOT_ASSESSABLE]

    def for_percent(self, percent: Decimal) -> str:
        for level in self.levels:
            if level.min_percent is None or percent >= level.min_percent:
                return level.label
        return self.bottom

    def display(self, grade: str, language: str = "ja") -> str:
        """The grade as shown. In English the two special grades read in English while their
        labels are the defaults; labels a prefecture chose are its own words, kept."""
        if grade == UNKNOWN:
            label, default, english = self.unknown_label, "未把握", "Not yet known"
        elif grade == NOT_ASSESSABLE:
            label, default, english = (self.not_assessable_label, "評価不能",
                                       "Cannot be assessed")
        else:
            return grade
        return english if language == "en" and label == default else label

    def describe(self, language: str = "ja") -> str:
        """"A ≥ 100%、B ≥ 80%、C ≥ 50%、D それ未満" — for the CLI and the report's notes."""
        parts = [f"{lv.label} ≥ {lv.min_percent}%" for lv in self.levels[:-1]]
        if language == "en":
            return ", ".join([*parts, f"{self.bottom} below"])
        return "、".join([*parts, f"{self.bottom} それ未満"])

    def to_json(self) -> dict[str, Any]:
        return {
            "levels": [{"label": lv.label, "min_percent": None if lv.min_percent is None
                        else str(lv.min_percent)} for lv in self.levels],
            "unknown_label": self.unknown_label,
            "not_assessable_label": self.not_assessable_label,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GradeScheme:
        levels = tuple(
            GradeLevel(str(lv["label"]), None if lv.get("min_percent") is None
                       else Decimal(str(lv["min_percent"])))
            for lv in data["levels"]
        )
        return cls(levels, str(data.get("unknown_label", "未把握")),
                   str(data.get("not_assessable_label", "評価不能")))


# The scheme several prefectures publish (e.g. Aichi): A ≥ 100 %, B ≥ 80 %, C ≥ 50 %, D below.
DEFAULT_SCHEME = GradeScheme((
    GradeLevel("A", Decimal(100)), GradeLevel("B", Decimal(80)), GradeLevel("C", Decimal(50)),
    GradeLevel("D", None),
))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ManualEntry:
    """A grade entered by hand, with its reason."""

    grade: str
    reason: str
    updated_by: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Grade:
    """The grade of a KPI (or of one part of a composite KPI) for a fiscal year.

    `grade` is a level label of the scheme, `unknown` or `not_assessable`; `rate` the
    achievement rate as a fraction (1 = 100 %) when one was computed; `met` whether the target
    was reached (None when not judged); `reason` says why, in Japanese, and `reason_en` in
    English ("" for a grade entered by hand: its reason is the person's own words).
    """

    grade: str
    rate: Decimal | None = None
    met: bool | None = None
    reason: str = ""
    manual: bool = False
    part: str = ""
    parts: tuple[Grade, ...] = field(default=())
    reason_en: str = ""

    @property
    def percent(self) -> Decimal | None:
        return None if self.rate is None else percent_of(self.rate)

    def achievement_text(self, language: str = "ja") -> str:
        """"287.6%", or "達成"/"未達成" for a met-or-not target, or "" when not judged."""
        if self.percent is not None:
            return f"{self.percent}%"
        if self.met is None:
            return ""
        if language == "en":
            return "met" if self.met else "not met"
        return "達成" if self.met else "未達成"

    def reason_in(self, language: str) -> str:
        return self.reason_en if language == "en" and self.reason_en else self.reason


class _Reason(TypedDict):
    reason: str
    reason_en: str


def _why(ja: str, en: str) -> _Reason:
    """A grade's reason in both languages (keyword arguments of Grade)."""
    return {"reason": ja, "reason_en": en}


Note = tuple[str, str]  # a note added to a reason: (Japanese, English)
NO_NOTE: Note = ("", "")


def percent_of(rate: Decimal) -> Decimal:
    """The rate in percent, to one decimal: grades are decided on the figure people see."""
    return (rate * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- grading


def grade_figures(
    *,
    start: Value | None,
    target: Value | None,
    actual: Value | None,
    direction: str,
    scheme: GradeScheme,
    manual: Mapping[str, ManualEntry] | None = None,
    target_note: str = "",
    start_note: Note = NO_NOTE,
) -> Grade:
    """Grade one KPI-year from its figures. `manual` maps part label ("" = whole KPI) to a
    grade entered by hand; a whole-KPI entry wins over everything computed."""
    manual = manual or {}
    if isinstance(target, Composite):
        graded = _grade_composite(start, target, actual, direction, scheme, manual, start_note)
        if "" not in manual:
            return graded
        whole = manual[""]
        return Grade(whole.grade, reason=whole.reason, manual=True, parts=graded.parts)
    if "" in manual:
        return _manual(manual[""])
    if target is None:
        ja, en = (f"（{target_note}）", f" ({target_note})") if target_note else NO_NOTE
        return Grade(NOT_ASSESSABLE, **_why(f"この年度の目標値がありません{ja}",
                                            f"No target for this fiscal year{en}"))
    if actual is None:
        return Grade(UNKNOWN, **UNKNOWN_ACTUAL)
    return _grade_simple(start, target, actual, direction, scheme, start_note)


UNKNOWN_ACTUAL = _why("実績が未把握です", "The actual is not known yet")


def _manual(entry: ManualEntry, part: str = "") -> Grade:
    return Grade(entry.grade, reason=entry.reason, manual=True, part=part)


def _grade_simple(start: Value | None, target: Value, actual: Value, direction: str,
                  scheme: GradeScheme, start_note: Note) -> Grade:
    if isinstance(target, Words):
        return Grade(NOT_ASSESSABLE, **_why(f"文言の目標（{target.text}）のため手動で評価します",
                                            f"The target is in words ({target.text}): graded "
                                            "by hand"))
    if not isinstance(actual, Number):
        shown = format_value(actual)
        return Grade(NOT_ASSESSABLE, **_why(
            f"実績（{shown}）が数値でないため達成率を計算できません",
            f"The actual ({shown}) is not a number: no achievement rate"))
    begin = start.value if isinstance(start, Number) else None
    if isinstance(target, Number):
        return _grade_number(begin, target.value, actual.value, direction, scheme, start_note)
    if isinstance(target, Range):
        met = target.low <= actual.value <= target.high or _beyond(actual.value, target,
                                                                   direction)
        edge = target.low if direction != "lower" else target.high
        return _grade_edge(begin, edge, actual.value, met, direction, scheme,
                           (f"目標範囲（{format_value(target)}）",
                            f"the target range ({format_value(target)})"), start_note)
    if isinstance(target, Bound):
        met = (actual.value >= target.value if target.kind == "at_least"
               else actual.value <= target.value)
        bound_direction = "higher" if target.kind == "at_least" else "lower"
        return _grade_edge(begin, target.value, actual.value, met, bound_direction, scheme,
                           (f"目標（{format_value(target)}）",
                            f"the target ({format_value(target)})"), start_note)
    return Grade(NOT_ASSESSABLE, **_why("目標と実績の形式が合わないため評価できません",
                                        "The target and the actual differ in kind: no grade"))


def _beyond(value: Decimal, target: Range, direction: str) -> bool:
    return value > target.high if direction != "lower" else value < target.low


def _grade_number(begin: Decimal | None, target: Decimal, actual: Decimal, direction: str,
                  scheme: GradeScheme, start_note: Note) -> Grade:
    if begin is None:
        return Grade(NOT_ASSESSABLE, **_why("現状値がないため達成率を計算できません",
                                            "No baseline: no achievement rate"))
    if target == begin:
        met = actual >= target if direction != "lower" else actual <= target
        ja = "目標が現状値と同じ（維持目標）: " + ("実績が目標に達しています" if met
                                                 else "実績が目標に届いていません")
        en = "The target is the baseline (hold the level): " + (
            "the actual reaches it" if met else "the actual falls short of it")
        return Grade(scheme.top if met else scheme.bottom, met=met,
                     **_why(ja + start_note[0], en + start_note[1]))
    rate = (actual - begin) / (target - begin)
    grade = scheme.for_percent(percent_of(rate))
    ja, en = _rate_reason(actual, begin, target, rate)
    return Grade(grade, rate=rate, met=rate >= 1, **_why(ja + start_note[0], en + start_note[1]))


def _grade_edge(begin: Decimal | None, edge: Decimal, actual: Decimal, met: bool,
                direction: str, scheme: GradeScheme, what: Note, start_note: Note) -> Grade:
    """Range and bound targets: met or not; when not met, rated against the edge aimed at."""
    if met:
        return Grade(scheme.top, met=True, **_why(f"{what[0]}を達成しています", f"Meets {what[1]}"))
    short = (f"{what[0]}に届いていません", f"Falls short of {what[1]}")
    if begin is None or (edge <= begin if direction != "lower" else edge >= begin):
        # No start, or the start already lies past the edge: a rate would mean nothing.
        return Grade(scheme.bottom, met=False,
                     **_why(short[0] + start_note[0], short[1] + start_note[1]))
    rate = (actual - begin) / (edge - begin)
    ja, en = _rate_reason(actual, begin, edge, rate)
    return Grade(scheme.for_percent(percent_of(rate)), rate=rate, met=False,
                 **_why(f"{short[0]}: {ja}{start_note[0]}", f"{short[1]}: {en}{start_note[1]}"))


def _rate_reason(actual: Decimal, begin: Decimal, target: Decimal, rate: Decimal) -> Note:
    """"(7,541 − 5,945) ÷ (6,500 − 5,945) = 287.6%": the figures behind the rate."""
    a, b, t = (format_value(Number(v)) for v in (actual, begin, target))
    formula = f"({a} − {b}) ÷ ({t} − {b}) = {percent_of(rate)}%"
    return f"達成率 {formula}", f"Achievement {formula}"


def _grade_composite(start: Value | None, target: Composite, actual: Value | None,
                     direction: str, scheme: GradeScheme, manual: Mapping[str, ManualEntry],
                     start_note: Note) -> Grade:
    if actual is not None and not isinstance(actual, Composite):
        return Grade(NOT_ASSESSABLE, **_why("目標は内訳ごと、実績は内訳なしのため評価できません",
                                            "The target is given by part, the actual is not: "
                                            "no grade"))
    start_parts = dict(start.parts) if isinstance(start, Composite) else {}
    actual_parts = dict(actual.parts) if isinstance(actual, Composite) else {}
    parts = []
    for label, part_target in target.parts:
        if label in manual:
            parts.append(_manual(manual[label], label))
            continue
        part_actual = actual_parts.get(label)
        if part_actual is None:
            parts.append(Grade(UNKNOWN, part=label, **UNKNOWN_ACTUAL))
            continue
        graded = _grade_simple(start_parts.get(label), part_target, part_actual, direction,
                               scheme, start_note)
        parts.append(_with_part(graded, label))
    return _combine(parts, scheme)


def _with_part(grade: Grade, part: str) -> Grade:
    return replace(grade, part=part)


def _combine(parts: list[Grade], scheme: GradeScheme) -> Grade:
    def summary(language: str, comma: str, brackets: str) -> str:
        return comma.join(f"{p.part} {scheme.display(p.grade, language)}"
                          + (brackets.format(p.achievement_text(language))
                             if p.achievement_text() else "") for p in parts)

    ja, en = summary("ja", "、", "（{}）"), summary("en", ", ", " ({})")
    grades = {p.grade for p in parts}
    if grades == {UNKNOWN}:
        return Grade(UNKNOWN, parts=tuple(parts), **UNKNOWN_ACTUAL)
    if len(grades) == 1:
        met = all(p.met for p in parts) if all(p.met is not None for p in parts) else None
        return Grade(parts[0].grade, met=met, parts=tuple(parts),
                     **_why(f"全ての内訳が同じ評価: {ja}", f"Every part has the same grade: {en}"))
    return Grade(NOT_ASSESSABLE, parts=tuple(parts),
                 **_why(f"内訳ごとに評価: {ja}", f"Graded by part: {en}"))


# --------------------------------------------------------------------------- from the snapshot


def start_of(kpi: Mapping[str, Any], fiscal_year: int) -> tuple[Value | None, Note]:
    """The figure a year is measured from: the baseline, or (when the plan has none) the KPI's
    first actual of an earlier year, with a note saying so."""
    baseline = from_json(kpi.get("baseline"))
    if baseline is not None:
        return baseline, NO_NOTE
    for year in sorted(int(fy) for fy in kpi.get("actuals", {})):
        value = from_json(kpi["actuals"][str(year)])
        if year < fiscal_year and value is not None:
            shown = format_value(value)
            return value, (f"（現状値がないため{fiscal_year_label(year)}の実績{shown}を起点に計算）",
                           f" (no baseline: measured from the actual of FY{year}, {shown})")
    return None, NO_NOTE


def grade_kpi(
    kpi: Mapping[str, Any],
    fiscal_year: int,
    scheme: GradeScheme = DEFAULT_SCHEME,
    manual: Mapping[str, ManualEntry] | None = None,
) -> Grade:
    """Grade a KPI of `plan_snapshot()` for a fiscal year (manual: part label → entry)."""
    fy = str(fiscal_year)
    start, start_note = start_of(kpi, fiscal_year)
    return grade_figures(
        start=start,
        target=from_json(kpi["targets"].get(fy)),
        actual=from_json(kpi["actuals"].get(fy)),
        direction=kpi.get("direction", "higher"),
        scheme=scheme,
        manual=manual,
        target_note=kpi.get("target_notes", {}).get(fy, ""),
        start_note=start_note,
    )
