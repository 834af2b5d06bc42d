"""Editions and target revisions: a published plan is revised, never silently overwritten.

`Plan.edition` is the current edition. While it is published, a changed target becomes a
`TargetRevision` (old value kept, shown in red as "(8,000からの修正)") and a KPI or measure added
to the plan carries the 【新】 mark of the next edition; `publish_edition` then makes that next
edition the published current one. While the current edition is a draft (a new plan not yet
published), targets are simply overwritten. A target that had no value yet, or a target of a
KPI marked new in the coming edition, is set without a revision: nothing was published that
could be revised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.store.audit import current_user, record_change
from dxtracker.store.db import Database
from dxtracker.store.lookup import find_kpi, get_plan
from dxtracker.store.models import Kpi, KpiTarget, Measure, Plan, PlanEdition, TargetRevision


class RevisionRejected(DxTrackerError):
    """A target change that is not allowed (no reason, year outside the plan)."""


@dataclass(frozen=True)
class EditionInfo:
    number: int
    label: str
    published: bool
    published_on: date | None


@dataclass(frozen=True)
class TargetChange:
    kpi_code: str
    fiscal_year: int
    old_value: str | None
    new_value: str | None
    revised: bool  # True: a TargetRevision was recorded; False: overwritten or unchanged
    edition: int | None

    @property
    def changed(self) -> bool:
        return self.old_value != self.new_value


@dataclass(frozen=True)
class RevisionRow:
    kpi_code: str
    fiscal_year: int
    old_value: str | None
    new_value: str | None
    revised_on: date | None
    reason: str
    edition: int | None
    id: int = 0  # what `withdraw_revision` is given


# --------------------------------------------------------------------------- editions


def _edition_row(session: Session, plan: Plan, number: int) -> PlanEdition | None:
    return session.scalar(select(PlanEdition).where(
        PlanEdition.plan_id == plan.id, PlanEdition.number == number))


def current_edition(session: Session) -> EditionInfo:
    plan = get_plan(session)
    row = _edition_row(session, plan, plan.edition)
    if row is None:  # loaded from a plan file: the adopted document
        return EditionInfo(plan.edition, plan.edition_label, True, None)
    return EditionInfo(row.number, row.label, row.published, row.published_on)


def is_published(session: Session) -> bool:
    return current_edition(session).published


def edition_for_changes(session: Session) -> int:
    """The edition that changes made now will appear in."""
    edition = current_edition(session)
    return edition.number + 1 if edition.published else edition.number


def list_editions(session: Session) -> list[EditionInfo]:
    plan = get_plan(session)
    rows = session.scalars(select(PlanEdition).where(PlanEdition.plan_id == plan.id)
                           .order_by(PlanEdition.number)).all()
    editions = [EditionInfo(r.number, r.label, r.published, r.published_on) for r in rows]
    if not any(e.number == plan.edition for e in editions):
        editions.append(current_edition(session))
    return sorted(editions, key=lambda e: e.number)


def publish_edition(db: Database, label: str, *, published_on: date | None = None,
                    source: str = "cli") -> EditionInfo:
    """Publish the plan as it stands: a draft current edition is published as is; after a
    published one, the next edition (holding the changes since) becomes current."""
    label = label.strip()
    if not label:
        raise RevisionRejected("版の名称を入力してください（例: 令和5年度改定）。",
                               "Give the edition a label (e.g. 令和5年度改定).")
    day = published_on or date.today()
    with db.transaction() as session:
        plan = get_plan(session)
        before = current_edition(session)
        if before.published:
            if _edition_row(session, plan, plan.edition) is None:  # keep the old one listed
                session.add(PlanEdition(plan_id=plan.id, number=plan.edition,
                                        label=plan.edition_label, published=True))
            plan.edition += 1
        row = _edition_row(session, plan, plan.edition)
        if row is None:
            row = PlanEdition(plan_id=plan.id, number=plan.edition)
            session.add(row)
        row.label, row.published, row.published_on = label, True, day
        row.published_by = current_user()
        record_change(session, source=source, entity="plan", entity_code=plan.code,
                      field="edition", old=f"{before.number} {before.label}",
                      new=f"{plan.edition} {label}", reason="版の公表")
        plan.edition_label = label
        return EditionInfo(plan.edition, label, True, day)


# --------------------------------------------------------------------------- targets


def change_target_in(session: Session, kpi: Kpi, fiscal_year: int, value_text: str | None,
                     *, reason: str = "", source: str = "cli",
                     source_detail: str = "") -> TargetChange:
    """Set a target: a revision when the published value changes, else an overwrite."""
    plan = get_plan(session)
    if fiscal_year not in plan.fiscal_years:
        raise RevisionRejected(
            f"{fiscal_year_label(fiscal_year)}は計画期間（{fiscal_year_label(plan.first_fiscal_year)}"
            f"〜{fiscal_year_label(plan.last_fiscal_year)}）の外です。"
            "先に計画期間を延長してください（dxtracker plan extend）。",
            f"FY{fiscal_year} is outside the plan period; extend the plan first.",
        )
    value = parse_value(value_text, unit=kpi.unit, allow_words=True)
    new = None if value is None else format_value(value)
    row = next((t for t in kpi.targets if t.fiscal_year == fiscal_year), None)
    old = row.value if row else None
    if old == new:
        return TargetChange(kpi.code, fiscal_year, old, new, False, None)
    pending = edition_for_changes(session)
    revise = revises(session, kpi, old)
    if revise and not reason.strip():
        raise RevisionRejected(
            f"公表済みの計画の目標（{kpi.code} {fiscal_year_label(fiscal_year)}: {old}）を変えるには"
            "修正の理由を入力してください。",
            f"The target of {kpi.code} FY{fiscal_year} is published; give a reason to revise it.",
        )
    if row is None:
        row = KpiTarget(fiscal_year=fiscal_year, value=None, note="")
        kpi.targets.append(row)
    row.value = new
    code = f"{kpi.code}/{fiscal_year}"
    if revise:
        kpi.revisions.append(TargetRevision(
            fiscal_year=fiscal_year, old_value=old, new_value=new, revised_on=date.today(),
            reason=reason.strip(), edition=pending))
    record_change(session, source=source, source_detail=source_detail,
                  entity="revision" if revise else "target", entity_code=code, field="target",
                  old=old, new=new, reason=reason.strip())
    return TargetChange(kpi.code, fiscal_year, old, new, revise, pending if revise else None)


def revises(session: Session, kpi: Kpi, old: str | None) -> bool:
    """Whether changing a target that reads `old` records a revision (else it is overwritten):
    a value was published, and the KPI is not new in the edition being made."""
    return old is not None and in_published_edition(session, kpi)


def in_published_edition(session: Session, row: Kpi | Measure) -> bool:
    """Whether a published edition of the plan carries the item (all but 【新】 items added
    for the edition not yet published, and nothing of a plan never published)."""
    return is_published(session) and not (
        row.is_new and row.new_in_edition == edition_for_changes(session))


def revise_target(db: Database, kpi_code: str, fiscal_year: int, value_text: str | None,
                  reason: str, *, source: str = "cli", source_detail: str = "") -> TargetChange:
    """Change a KPI's target for a fiscal year, keeping the old value as a revision once the
    plan is published. `value_text` goes through the value parser (words allowed)."""
    with db.transaction() as session:
        return revise_target_in(session, kpi_code, fiscal_year, value_text, reason,
                                source=source, source_detail=source_detail)


def revise_target_in(session: Session, kpi_code: str, fiscal_year: int,
                     value_text: str | None, reason: str, *, source: str = "cli",
                     source_detail: str = "") -> TargetChange:
    kpi = find_kpi(session, kpi_code)
    return change_target_in(session, kpi, fiscal_year, value_text, reason=reason,
                            source=source, source_detail=source_detail)


def list_revisions(session: Session, kpi_code: str | None = None) -> list[RevisionRow]:
    """Revisions of one KPI (or of all KPIs), oldest first."""
    query = select(TargetRevision, Kpi.code).join(Kpi)
    if kpi_code is not None:
        query = query.where(Kpi.id == find_kpi(session, kpi_code).id)
    rows = session.execute(query.order_by(Kpi.code, TargetRevision.id)).all()
    return [_revision_row(r, code) for r, code in rows]


def _revision_row(r: TargetRevision, kpi_code: str) -> RevisionRow:
    return RevisionRow(kpi_code, r.fiscal_year, r.old_value, r.new_value, r.revised_on,
                       r.reason, r.edition, r.id)


def withdraw_revision(db: Database, revision_id: int, reason: str, *,
                      source: str = "cli") -> RevisionRow:
    """Withdraw a revision recorded by mistake: the target goes back to the value it revised
    and the revision is removed (the audit log keeps both). Only the latest revision of its
    KPI and year, only while the target still reads what it set, and only one the next edition
    holds: a published revision is part of the public plan (revise again instead)."""
    if not reason.strip():
        raise RevisionRejected("取り下げの理由を入力してください。",
                               "Give a reason for withdrawing the revision.")
    with db.transaction() as session:
        revision = session.get(TargetRevision, revision_id)
        if revision is None:
            raise RevisionRejected(
                f"修正 {revision_id} はありません。`dxtracker plan revisions` で番号を確かめてください。",
                f"No revision {revision_id}; see `dxtracker plan revisions`.")
        kpi = revision.kpi
        row = _revision_row(revision, kpi.code)
        check_withdrawal(session, revision)
        target = next(t for t in kpi.targets if t.fiscal_year == revision.fiscal_year)
        target.value = revision.old_value
        kpi.revisions.remove(revision)
        code = f"{kpi.code}/{revision.fiscal_year}"
        record_change(session, source=source, entity="revision", entity_code=code,
                      field="withdrawn", old=f"{row.old_value} → {row.new_value}", new=None,
                      reason=reason.strip())
        record_change(session, source=source, entity="target", entity_code=code,
                      field="target", old=row.new_value, new=row.old_value,
                      reason=reason.strip())
        return row


def check_withdrawal(session: Session, revision: TargetRevision) -> None:
    """Raise RevisionRejected, saying why, unless `withdraw_revision` may withdraw it."""
    kpi = revision.kpi
    label = f"{kpi.code} {fiscal_year_label(revision.fiscal_year)}の修正"
    label_en = f"The revision of {kpi.code} FY{revision.fiscal_year}"
    later = [r for r in kpi.revisions
             if r.fiscal_year == revision.fiscal_year and r.id > revision.id]
    if later:
        raise RevisionRejected(f"{label}の後にも修正があります。新しいものから取り下げてください。",
                               f"{kpi.code} FY{revision.fiscal_year} was revised again later; "
                               "withdraw the latest first.")
    current = next((t.value for t in kpi.targets if t.fiscal_year == revision.fiscal_year), None)
    if current != revision.new_value:
        raise RevisionRejected(f"{label}: 目標はその後変わっています（現在 {current}）。",
                               f"{label_en}: the target has changed since (now {current}).")
    edition = current_edition(session)
    if edition.published and revision.edition is not None and revision.edition <= edition.number:
        raise RevisionRejected(
            f"{label}は第{revision.edition}版として公表済みのため取り下げられません。"
            "必要なら改めて修正してください。",
            f"{label_en} was published in edition {revision.edition}; revise the target "
            "again instead.")
