"""Finding plan items by the codes and names people type."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxtracker.errors import NotFound
from dxtracker.store.models import Department, Kpi, Measure, Plan


def get_plan(session: Session) -> Plan:
    plan = session.scalar(select(Plan).order_by(Plan.id))
    if plan is None:
        raise NotFound("データベースに計画がありません。", "The database holds no plan.")
    return plan


def find_kpi(session: Session, code: str) -> Kpi:
    code = unicodedata.normalize("NFKC", code).strip().upper()
    kpi = session.scalar(select(Kpi).where(Kpi.code == code))
    if kpi is None:
        known = session.scalars(select(Kpi.code).order_by(Kpi.code)).all()
        raise NotFound(
            f"指標コード「{code}」はこの計画にありません（例: {', '.join(known[:3])}）。"
            "`dxtracker plan show` でコードを確かめてください。",
            f"KPI code '{code}' is not in this plan (e.g. {', '.join(known[:3])}).",
        )
    return kpi


def find_measure(session: Session, code: str) -> Measure:
    code = unicodedata.normalize("NFKC", code).strip().upper()
    measure = session.scalar(select(Measure).where(Measure.code == code))
    if measure is None:
        raise NotFound(
            f"施策コード「{code}」はこの計画にありません。`dxtracker plan show` で確かめてください。",
            f"Measure code '{code}' is not in this plan.",
        )
    return measure


def find_department(session: Session, name_or_code: str) -> Department:
    text = unicodedata.normalize("NFKC", name_or_code).strip()
    dept = session.scalar(
        select(Department).where((Department.name == text) | (Department.code == text.upper()))
    )
    if dept is None:
        names = session.scalars(select(Department.name).order_by(Department.sort_order)).all()
        raise NotFound(
            f"部局「{text}」はこの計画にありません。次のいずれかを指定してください: {'、'.join(names)}",
            f"Department '{text}' is not in this plan. Use one of: {', '.join(names)}",
        )
    return dept


def all_departments(session: Session, *, include_retired: bool = False) -> list[Department]:
    query = select(Department).order_by(Department.sort_order)
    if not include_retired:
        query = query.where(Department.retired.is_(False))
    return list(session.scalars(query))


def kpi_reporters(session: Session, kpi: Kpi) -> list[Department]:
    """The departments that report this KPI's actual (every department for 全部局)."""
    return all_departments(session) if kpi.all_departments_report else kpi.reporting_departments


def measure_departments(session: Session, measure: Measure) -> list[Department]:
    return all_departments(session) if measure.all_departments else measure.departments
