"""What refers to a plan item: the reasons it can only be retired, not deleted.

A KPI or measure may be deleted while nothing depends on it: no figure or progress entered
(even one entered and cleared again: the audit log names it), no merged return that changed it,
no proposal, hand grade or target revision, and it is not part of a published edition (a
published plan is a public document: what it carried is retired, not erased). A project may be
deleted once it has no KPI or measure, a vision once it has no project. Everything else is
retired instead (`dxtracker.plan.retirement`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.plan.item_state import Item
from dxtracker.plan.revisions import current_edition, in_published_edition
from dxtracker.store.models import (
    Kpi,
    KpiActual,
    ManualGrade,
    Measure,
    MeasureProgress,
    MergeChange,
    Project,
    RevisionProposal,
    Vision,
)


@dataclass(frozen=True)
class Reference:
    """One kind of thing that refers to the item: how many, in words."""

    what_ja: str
    what_en: str
    count: int | None  # None: a fact, not a number of rows

    def text(self, language: str = "ja") -> str:
        if self.count is None:
            return self.what_en if language == "en" else self.what_ja
        return f"{self.what_en}: {self.count}" if language == "en" else \
            f"{self.what_ja} {self.count}件"


def references_in(session: Session, row: Item) -> list[Reference]:
    """Everything that keeps `row` from being deleted (empty: it may be deleted)."""
    if isinstance(row, Vision):
        return _listed([("プロジェクト", "projects", len(row.projects))])
    if isinstance(row, Project):
        return _listed([("指標", "KPIs", len(row.kpis)), ("施策", "measures", len(row.measures))])
    refs = _published(session, row)
    if isinstance(row, Kpi):
        refs += _listed([
            *_entered(session, KpiActual, KpiActual.kpi_id, row, ("実績", "actuals")),
            ("部局からの目標修正の提案", "proposed target revisions",
             _count(session, RevisionProposal.kpi_id, row.id)),
            ("手入力の評価", "grades entered by hand", _count(session, ManualGrade.kpi_id, row.id)),
            ("目標の修正履歴", "target revisions", len(row.revisions)),
        ])
    else:
        refs += _listed(_entered(session, MeasureProgress, MeasureProgress.measure_id, row,
                                 ("進捗", "progress")))
    return refs


def _entered(session: Session, model, column, row: Kpi | Measure,  # type: ignore[no-untyped-def]
             what: tuple[str, str]) -> list[tuple[str, str, int]]:
    """What departments entered for the item (actuals or progress), by hand or by a merge."""
    ja, en = _years(session, model, column, row.id)
    return [(f"{what[0]}の入力（{ja}）", f"{what[1]} entered ({en})",
             _count(session, column, row.id)),
            ("取り込んだ回答による変更", "changes by merged returns",
             _merged(session, model.__tablename__, row.code))]


def _published(session: Session, row: Kpi | Measure) -> list[Reference]:
    if not in_published_edition(session, row):
        return []
    edition = current_edition(session)
    label = f"第{edition.number}版 {edition.label}".strip()
    label_en = f"edition {edition.number} {edition.label}".strip()
    return [Reference(f"公表済みの計画（{label}）に掲載", f"in the published plan ({label_en})",
                      None)]


def _listed(rows: list[tuple[str, str, int]]) -> list[Reference]:
    return [Reference(ja, en, count) for ja, en, count in rows if count]


def _count(session: Session, column, item_id: int) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).where(column == item_id)) or 0


def _years(session: Session, model, column, item_id: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The fiscal years with rows, in Japanese and in English."""
    years = session.scalars(select(model.fiscal_year).where(column == item_id)
                            .distinct().order_by(model.fiscal_year)).all()
    return "、".join(fiscal_year_label(fy) for fy in years), ", ".join(f"FY{fy}" for fy in years)


def _merged(session: Session, entity: str, code: str) -> int:
    return session.scalar(select(func.count()).select_from(MergeChange).where(
        MergeChange.entity == entity, MergeChange.item_code == code)) or 0
