"""Grades and grade settings in the database: the plan's grade scheme and manual grades.

Each change is one transaction with an audit entry. The scheme is a setting of the plan
(`PlanSetting` "grade_scheme", JSON); without one the default scheme applies.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.entry import check_fiscal_year
from dxtracker.figures.kpi_figures import target_of
from dxtracker.figures.values import Composite
from dxtracker.report.grading import (
    DEFAULT_SCHEME,
    NOT_ASSESSABLE,
    SPECIAL_GRADES,
    GradeLevel,
    GradeScheme,
    ManualEntry,
)
from dxtracker.store.audit import current_user, now, record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_kpi, get_plan
from dxtracker.store.models import Kpi, ManualGrade, PlanSetting

SCHEME_KEY = "grade_scheme"

# (kpi code, fiscal year) → {part label ("" = whole KPI): entry}
ManualGrades = dict[tuple[str, int], dict[str, ManualEntry]]


class GradeRejected(DxTrackerError):
    """A grade or grade scheme that cannot be stored."""


# --------------------------------------------------------------------------- the scheme


def load_scheme(session: Session) -> GradeScheme:
    row = _setting(session, SCHEME_KEY)
    return GradeScheme.from_json(json.loads(row.value)) if row else DEFAULT_SCHEME


def _setting(session: Session, key: str) -> PlanSetting | None:
    plan = get_plan(session)
    return session.scalar(
        select(PlanSetting).where(PlanSetting.plan_id == plan.id, PlanSetting.key == key)
    )


def parse_levels(text: str) -> tuple[GradeLevel, ...]:
    """"A:100,B:80,C:50,D" → levels, best first; the last has no threshold."""
    chunks = [c.strip() for c in re.split(r"[,、]", unicodedata.normalize("NFKC", text))]
    levels = []
    for i, chunk in enumerate(chunks):
        label, _, threshold = chunk.partition(":")
        label = label.strip()
        last = i == len(chunks) - 1
        if not label or (last and threshold) or (not last and not threshold):
            raise _bad_levels(text)
        try:
            minimum = None if last else Decimal(threshold.strip().rstrip("%"))
        except InvalidOperation:
            raise _bad_levels(text) from None
        levels.append(GradeLevel(label, minimum))
    return tuple(levels)


def _bad_levels(text: str) -> GradeRejected:
    return GradeRejected(
        f"評価区分「{text}」を読めません。A:100,B:80,C:50,D のように「区分:下限(%)」をカンマで"
        "区切り、最後の区分は下限なしで入力してください。",
        f'Cannot read the grade levels "{text}". Write "label:minimum %" pairs separated by '
        'commas, the last label without a minimum, e.g. "A:100,B:80,C:50,D".',
    )


def check_scheme(scheme: GradeScheme) -> None:
    labels = [*scheme.labels, scheme.unknown_label, scheme.not_assessable_label]
    thresholds = [lv.min_percent for lv in scheme.levels[:-1]]
    problems = []
    if len(scheme.levels) < 2:
        problems.append(("区分は2つ以上必要です", "at least two levels are needed"))
    if len(set(labels)) != len(labels) or any(not label.strip() for label in labels):
        problems.append(("区分の名前が空か重複しています", "labels are blank or repeated"))
    if set(scheme.labels) & set(SPECIAL_GRADES):
        problems.append(("unknown / not_assessable は区分の名前に使えません",
                         "unknown / not_assessable cannot be level labels"))
    minimums = [t for t in thresholds if t is not None]
    if len(minimums) < len(thresholds) or scheme.levels[-1].min_percent is not None or any(
            a <= b for a, b in itertools.pairwise(minimums)):
        problems.append(("下限は上の区分から順に小さくし、最後の区分は下限なしにしてください",
                         "minimums must decrease from the best level; the last has none"))
    if problems:
        raise GradeRejected("評価区分を保存できません: " + "。".join(p[0] for p in problems) + "。",
                            "Cannot store the grade scheme: " + "; ".join(p[1] for p in problems))


def set_scheme(db: Database, scheme: GradeScheme | None, *, source: str = "cli") -> GradeScheme:
    """Store the plan's grade scheme (None: back to the default). Returns the scheme in force."""
    scheme = scheme or DEFAULT_SCHEME
    check_scheme(scheme)
    with db.transaction() as session:
        old = load_scheme(session)
        row = _setting(session, SCHEME_KEY)
        text = json.dumps(scheme.to_json(), ensure_ascii=False, sort_keys=True)
        if row is None:
            row = PlanSetting(plan_id=get_plan(session).id, key=SCHEME_KEY, value=text,
                              updated_at=now(), updated_by=current_user())
            session.add(row)
        elif row.value != text:
            row.value, row.updated_at, row.updated_by = text, now(), current_user()
        record_change(session, source=source, entity="plan_setting", entity_code=SCHEME_KEY,
                      field="value", old=old.describe(), new=scheme.describe())
    return scheme


# --------------------------------------------------------------------------- manual grades


@dataclass(frozen=True)
class ManualGradeChange:
    kpi_code: str
    fiscal_year: int
    part: str
    old: str | None
    new: str | None


def load_manual_grades(session: Session) -> ManualGrades:
    rows = session.execute(select(Kpi.code, ManualGrade).join(ManualGrade.kpi)).all()
    grades: ManualGrades = {}
    for code, row in rows:
        entry = ManualEntry(row.grade, row.reason, row.updated_by,
                            row.updated_at.isoformat() if row.updated_at else "")
        grades.setdefault((code, row.fiscal_year), {})[row.part] = entry
    return grades


def set_manual_grade(
    db: Database,
    kpi_code: str,
    fiscal_year: int,
    grade: str | None,
    reason: str,
    *,
    part: str = "",
    source: str = "cli",
) -> ManualGradeChange:
    """Enter (or, with grade None/"", remove) a grade by hand; a reason is always required."""
    reason = (reason or "").strip()
    if not reason:
        raise GradeRejected("手動評価には理由が必要です（--reason）。",
                            "A manual grade needs a reason (--reason).")
    with db.transaction() as session:
        kpi = find_kpi(session, kpi_code)
        check_fiscal_year(session, fiscal_year)
        part = _checked_part(kpi, fiscal_year, (part or "").strip())
        new = _canonical_grade(load_scheme(session), grade)
        row = session.scalar(select(ManualGrade).where(
            ManualGrade.kpi_id == kpi.id, ManualGrade.fiscal_year == fiscal_year,
            ManualGrade.part == part))
        old = row.grade if row else None
        if new is None and row is not None:
            session.delete(row)
        elif new is not None and row is None:
            session.add(ManualGrade(kpi=kpi, fiscal_year=fiscal_year, part=part, grade=new,
                                    reason=reason, updated_at=now(), updated_by=current_user()))
        elif new is not None and row is not None and (row.grade, row.reason) != (new, reason):
            row.grade, row.reason, row.updated_at, row.updated_by = (
                new, reason, now(), current_user())
        code = f"{kpi.code}/{fiscal_year}" + (f"/{part}" if part else "")
        record_change(session, source=source, entity="manual_grade", entity_code=code,
                      field="grade", old=old, new=new, reason=reason)
        return ManualGradeChange(kpi.code, fiscal_year, part, old, new)


def _checked_part(kpi: Kpi, fiscal_year: int, part: str) -> str:
    if not part:
        return ""
    target = target_of(kpi, fiscal_year)
    labels = [label for label, _ in target.parts] if isinstance(target, Composite) else []
    if part not in labels:
        known = "、".join(labels) or "（内訳なし）"
        raise GradeRejected(
            f"指標 {kpi.code} の{fiscal_year}年度の目標に内訳「{part}」はありません（内訳: {known}）。",
            f"The FY{fiscal_year} target of KPI {kpi.code} has no part '{part}' "
            f"(parts: {known}).",
        )
    return part


def _canonical_grade(scheme: GradeScheme, grade: str | None) -> str | None:
    text = unicodedata.normalize("NFKC", grade or "").strip()
    if not text:
        return None
    if text in (NOT_ASSESSABLE, scheme.not_assessable_label):
        return NOT_ASSESSABLE
    for label in scheme.labels:
        if text.casefold() == label.casefold():
            return label
    choices = " / ".join([*scheme.labels, scheme.not_assessable_label])
    raise GradeRejected(f"評価「{text}」は選べません。{choices} のいずれかです。",
                        f"Grade '{text}' is not one of {choices}.")
