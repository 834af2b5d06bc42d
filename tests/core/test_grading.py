"""Grading: achievement rate and grade per KPI and fiscal year, manual grades, the scheme."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from dxtracker.cli import main
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.figures.parse import parse_value
from dxtracker.report.grade_store import (
    GradeRejected,
    load_scheme,
    parse_levels,
    set_manual_grade,
    set_scheme,
)
from dxtracker.report.grading import (
    DEFAULT_SCHEME,
    NOT_ASSESSABLE,
    UNKNOWN,
    GradeScheme,
    ManualEntry,
    grade_figures,
)
from dxtracker.report.summary import NOT_REPORTED, build_report_data


def grade(start, target, actual, direction="higher", scheme=DEFAULT_SCHEME, manual=None):
    return grade_figures(start=parse_value(start, allow_words=True),
                         target=parse_value(target, allow_words=True),
                         actual=parse_value(actual, allow_words=True), direction=direction,
                         scheme=scheme, manual=manual)


def report(db, fiscal_year=None):
    with db.read() as session:
        return build_report_data(session, fiscal_year)


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(("start", "target", "actual", "expected", "percent"), [
    ("102", "3,300", "1,792", "C", "52.8"),  # the seed's P01-K1 for FY2021
    ("5,945", "6,500", "7,541", "A", "287.6"),
    ("0", "10", "8", "B", "80.0"),
    ("0", "10", "4.9", "D", "49.0"),
    ("164,959", "175,000", "146,649", "D", "-182.4"),  # moved away from the target
])
def test_numeric_target_rate_and_grade(start, target, actual, expected, percent):
    result = grade(start, target, actual)
    assert (result.grade, str(result.percent)) == (expected, percent)
    assert "達成率" in result.reason


def test_lower_is_better_uses_the_same_formula():
    result = grade("100", "50", "70", direction="lower")
    assert (result.grade, result.percent) == ("C", Decimal("60.0"))
    assert grade("100", "50", "45", direction="lower").grade == "A"


def test_grade_is_decided_on_the_percent_people_see():
    # 79.96 % shows as 80.0 %: graded B, not C.
    assert grade("0", "10000", "7996").grade == "B"


def test_blank_actual_is_unknown_but_zero_is_a_figure():
    assert grade("0", "10", None).grade == UNKNOWN
    zero = grade("5", "10", "0")
    assert zero.grade == "D" and zero.percent == Decimal("-100.0")


def test_without_target_or_baseline_it_cannot_be_judged():
    no_target = grade("0", None, "3")
    assert no_target.grade == NOT_ASSESSABLE and "目標" in no_target.reason
    no_baseline = grade(None, "10", "9")
    assert no_baseline.grade == NOT_ASSESSABLE and "現状値" in no_baseline.reason


def test_hold_the_level_target():
    assert grade("36", "36", "36").grade == "A"
    missed = grade("55", "55", "50")
    assert missed.grade == "D" and missed.met is False and "維持" in missed.reason


def test_range_is_met_inside_and_rated_towards_its_edge_below():
    inside = grade("27.4", "90~100", "95")
    assert (inside.grade, inside.met, inside.rate) == ("A", True, None)
    below = grade("27.4", "90~100", "67.0")
    assert (below.grade, below.percent, below.met) == ("C", Decimal("63.3"), False)
    assert grade("27.4", "90~100", "100").grade == "A"


def test_bounds_are_met_at_or_beyond_them():
    assert grade("0", "50以上", "50").grade == "A"
    short = grade("0", "50以上", "45")
    assert (short.grade, short.percent) == ("B", Decimal("90.0"))
    assert grade("40", "20以下", "20").grade == "A"
    assert grade("40", "20以下", "30").grade == "C"  # (30-40)/(20-40) = 50 %
    # Already past the bound at the start, then fell short: no meaningful rate.
    assert grade("60", "50以上", "40").grade == "D"


def test_word_target_waits_for_a_manual_grade():
    result = grade("0", "半数", "5")
    assert result.grade == NOT_ASSESSABLE and "手動" in result.reason
    manual = grade("0", "半数", "5", manual={"": ManualEntry("B", "半数に届かず")})
    assert (manual.grade, manual.manual, manual.reason) == ("B", True, "半数に届かず")


def test_composite_is_graded_part_by_part():
    result = grade("県設置:59 他機関:32", "県設置:165 他機関:更なる拡大", "県設置:165 他機関:179")
    parts = {p.part: p.grade for p in result.parts}
    assert parts == {"県設置": "A", "他機関": NOT_ASSESSABLE}
    assert result.grade == NOT_ASSESSABLE
    assert "県設置 A" in result.reason and "他機関" in result.reason
    both = grade("県設置:59 他機関:32", "県設置:165 他機関:更なる拡大", "県設置:165 他機関:179",
                 manual={"他機関": ManualEntry("A", "179台に拡大")})
    assert both.grade == "A" and [p.manual for p in both.parts] == [False, True]


def test_custom_scheme_thresholds_and_labels():
    scheme = GradeScheme(parse_levels("A:100,B+:80,B:50,C"), "未判明", "判定不可")
    assert grade("5,395", "5,600", "5,526", scheme=scheme).grade == "B"  # 63.9 %
    assert scheme.display(UNKNOWN) == "未判明"
    assert grade("0", "10", "8.5", scheme=scheme).grade == "B+"


# --------------------------------------------------------------------------- the plan


def test_embedded_plan_grades_for_fy2021(db):
    data = report(db, 2021)
    assert data.grade("P01-K1").grade == "C"
    assert data.grade("P01-K3").grade == "A"
    assert data.grade("P03-K3").grade == NOT_ASSESSABLE  # 目標なし（現状値のみ）
    assert data.grade("P07-K2").grade == NOT_ASSESSABLE  # word target
    assert data.grade("P01-K1", 2022).grade == UNKNOWN


def test_cumulative_kpi_is_measured_on_its_running_total(db):
    set_actual(db, "P01-K1", 2022, "2,500", department="知事政策局")
    set_actual(db, "P01-K1", 2022, "1,200", department="商工労働部")
    result = report(db, 2022).grade("P01-K1")
    # (3,700 − 102) ÷ (4,300 − 102): the running total against the running-total target.
    assert (result.grade, result.percent) == ("B", Decimal("85.7"))


def test_missing_baseline_starts_from_the_first_actual(db):
    set_actual(db, "P03-K3", 2022, "8")
    result = report(db, 2022).grade("P03-K3")
    assert (result.grade, result.percent) == ("A", Decimal("100.0"))
    assert "令和3年度の実績3を起点" in result.reason


def test_project_summary_counts_grades_and_statuses(db):
    set_progress(db, "P03-M1", 2021, "商工労働部", status="順調", record="相談200件")
    data = report(db, 2021)
    p03 = next(s for s in data.summaries if s.code == "P03")
    assert sum(p03.grade_counts.values()) == 3
    assert p03.grade_counts["A"] == 2 and p03.grade_counts[NOT_ASSESSABLE] == 1
    assert p03.status_counts["順調"] == 1
    # P03-M1: 商工労働部 and 土木部; P03-M2: 知事政策局.
    assert p03.status_counts[NOT_REPORTED] == 2


# --------------------------------------------------------------------------- manual grades


def audit_rows(db_path):
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT entity, entity_code, old_value, new_value, reason "
                           "FROM audit_entry WHERE entity = 'manual_grade'").fetchall()
    finally:
        con.close()


def test_manual_grade_is_stored_with_reason_and_audit(db, db_path):
    set_manual_grade(db, "P07-K2", 2021, "b", "55%まで改善")
    result = report(db, 2021).grade("P07-K2")
    assert (result.grade, result.manual, result.reason) == ("B", True, "55%まで改善")
    assert audit_rows(db_path) == [("manual_grade", "P07-K2/2021", None, "B", "55%まで改善")]
    set_manual_grade(db, "P07-K2", 2021, None, "入力の誤り")
    assert report(db, 2021).grade("P07-K2").grade == NOT_ASSESSABLE
    assert audit_rows(db_path)[-1] == ("manual_grade", "P07-K2/2021", "B", None, "入力の誤り")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"grade": "S", "reason": "x"}, "選べません"),
    ({"grade": "A", "reason": "  "}, "理由"),
    ({"grade": "A", "reason": "x", "part": "県設置"}, "内訳"),
])
def test_bad_manual_grades_are_refused_and_nothing_is_written(db, db_path, kwargs, message):
    with pytest.raises(GradeRejected, match=message):
        set_manual_grade(db, "P07-K2", 2021, kwargs["grade"], kwargs["reason"],
                         part=kwargs.get("part", ""))
    assert audit_rows(db_path) == []


def test_manual_grade_of_one_part(db):
    set_manual_grade(db, "P08-K2", 2021, "A", "179台", part="他機関")
    result = report(db, 2021).grade("P08-K2")
    assert result.grade == "A"
    assert [(p.part, p.grade, p.manual) for p in result.parts] == [
        ("県設置", "A", False), ("他機関", "A", True)]


def test_not_assessable_can_be_entered_by_its_label(db):
    set_manual_grade(db, "P10-K3", 2021, "評価不能", "調査手法の変更")
    assert report(db, 2021).grade("P10-K3").grade == NOT_ASSESSABLE


# --------------------------------------------------------------------------- the scheme


def test_scheme_is_a_setting_of_the_plan(db):
    with db.read() as session:
        assert load_scheme(session) == DEFAULT_SCHEME
    set_scheme(db, GradeScheme(parse_levels("A:100,B+:80,B:50,C")))
    assert report(db, 2021).grade("P04-K2").grade == "B"  # 63.9 %
    set_scheme(db, None)
    assert report(db, 2021).grade("P04-K2").grade == "C"


@pytest.mark.parametrize("levels", ["A:100,B:80,C:50,D:10", "A:80,B:100,C", "A", "A:x,B",
                                    "A:100,A:50,B"])
def test_bad_schemes_are_refused(db, levels):
    with pytest.raises(GradeRejected):
        set_scheme(db, GradeScheme(parse_levels(levels)))
    with db.read() as session:
        assert load_scheme(session) == DEFAULT_SCHEME


def test_grade_commands(db_path, capsys):
    db = ["--db", str(db_path)]
    assert main([*db, "grade", "scheme", "set", "--levels", "A:100,B:80,C:40,D"]) == 0
    assert "C ≥ 40%" in capsys.readouterr().out
    assert main([*db, "grade", "scheme", "show"]) == 0
    assert "--levels A:100,B:80,C:40,D" in capsys.readouterr().out
    assert main([*db, "grade", "set", "--kpi", "p01-k2", "--fy", "R4", "--grade", "A",
                 "--reason", "半数の業務に導入"]) == 0
    assert "P01-K2 令和4年度" in capsys.readouterr().out
    assert main([*db, "grade", "show", "--fy", "2022"]) == 0
    assert "P01-K2\tA\t\t［手動］半数の業務に導入" in capsys.readouterr().out
    assert main([*db, "grade", "set", "--kpi", "P01-K2", "--fy", "2022", "--grade", "Z",
                 "--reason", "x"]) == 1
    assert "選べません" in capsys.readouterr().err
    assert main([*db, "grade", "scheme", "set", "--levels", "A:50,B:80,C"]) == 1
    assert main([*db, "grade", "scheme", "reset"]) == 0
