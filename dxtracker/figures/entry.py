"""Entering progress: a KPI's actual and a measure's status and notes, one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.figures.format import format_value
from dxtracker.figures.locks import check_unlocked
from dxtracker.figures.parse import parse_value
from dxtracker.store.audit import current_user, now, record_change
from dxtracker.store.db import in_own_transaction
from dxtracker.store.lookup import (
    find_department,
    find_kpi,
    find_measure,
    get_plan,
    kpi_reporters,
    measure_departments,
)
from dxtracker.store.models import STATUSES, Department, Kpi, KpiActual, MeasureProgress, Plan
from dxtracker.store.row_versions import RowChanged, who_changed


class EntryRejected(DxTrackerError):
    """An entry that is not allowed: wrong department, year outside the plan, bad status."""


@dataclass(frozen=True)
class ActualChange:
    kpi_code: str
    fiscal_year: int
    department: str | None
    old_value: str | None
    new_value: str | None
    old_note: str
    new_note: str
    version: int = 0  # the row's version after the write: what the next save expects


@dataclass(frozen=True)
class ProgressChange:
    measure_code: str
    fiscal_year: int
    department: str
    changes: dict[str, tuple[str | None, str | None]]
    version: int = 0  # the row's version after the write (0: still no row)


_PLAN_PERIOD = select(Plan.first_fiscal_year, Plan.last_fiscal_year).order_by(Plan.id).limit(1)


def check_fiscal_year(session: Session, fiscal_year: int) -> None:
    # Two columns, not the Plan object: a merge asks once per file, in a new session each time.
    period = session.execute(_PLAN_PERIOD).first()
    if period is None:
        get_plan(session)  # raises its "no plan" message
        return
    first, last = period
    if not first <= fiscal_year <= last:
        raise EntryRejected(
            f"{fiscal_year_label(fiscal_year)}は計画期間（{fiscal_year_label(first)}〜"
            f"{fiscal_year_label(last)}）の外です。",
            f"FY{fiscal_year} is outside the plan period (FY{first}–FY{last}).",
        )


def reporting_department(session: Session, kpi: Kpi, department: str | None) -> Department:
    """The department whose figure is being entered; checks that it reports this KPI."""
    reporters = kpi_reporters(session, kpi)
    if department is None:
        if len(reporters) == 1:
            return reporters[0]
        raise EntryRejected(
            f"指標 {kpi.code} は複数の部局が実績を報告します。--dept で部局を指定してください。",
            f"Several departments report KPI {kpi.code}; name one with --dept.",
        )
    dept = find_department(session, department)
    if dept not in reporters:
        names = "、".join(d.name for d in reporters)
        raise EntryRejected(
            f"{dept.name}は指標 {kpi.code}「{kpi.name}」の実績を報告する部局ではありません"
            f"（報告する部局: {names}）。",
            f"{dept.name} does not report KPI {kpi.code} (reported by: {names}).",
        )
    return dept


def set_actual_in(
    session: Session,
    kpi_code: str,
    fiscal_year: int,
    text: str | None,
    *,
    department: str | None = None,
    note: str | None = None,
    source: str = "cli",
    source_detail: str = "",
    expected_version: int | None = None,
) -> ActualChange:
    """Parse `text` with the KPI's unit and store it; nothing is written if it does not parse.
    `expected_version`: the row's version when the form loaded it (0: no row yet); refused
    with `RowChanged` if it has changed since. `set_actual(db, ...)` does the same in a
    transaction of its own."""
    kpi = find_kpi(session, kpi_code)
    check_fiscal_year(session, fiscal_year)
    dept = reporting_department(session, kpi, department)
    value = parse_value(text, unit=kpi.unit, allow_words=False)
    new_value = None if value is None else format_value(value)
    code = f"{kpi.code}/{fiscal_year}/{dept.code}"
    if expected_version is not None:
        row = _unchanged_row(session, select(KpiActual).where(
            KpiActual.kpi_id == kpi.id, KpiActual.fiscal_year == fiscal_year,
            KpiActual.department_id == dept.id), expected_version, "kpi_actual", code,
            (f"{fiscal_year_label(fiscal_year)} 指標 {kpi.code} の実績",
             f"The FY{fiscal_year} actual of KPI {kpi.code}"),
            lambda found: _actual_text(found, kpi.unit))
    else:
        row = next((a for a in kpi.actuals
                    if a.fiscal_year == fiscal_year and a.department_id == dept.id), None)
    before = (row.value, row.note) if row is not None else (None, "")
    if (new_value, before[1] if note is None else note) != before:
        check_unlocked(session, dept.id, fiscal_year, f"指標 {kpi.code} の実績",
                       f"the actual of KPI {kpi.code}")
    if row is None:
        row = KpiActual(fiscal_year=fiscal_year, department=dept, value=None, note="")
        kpi.actuals.append(row)
    old_value, old_note = row.value, row.note
    row.value = new_value
    if note is not None:
        row.note = note
    if (old_value, old_note) != (row.value, row.note):
        row.updated_at, row.updated_by = now(), current_user()
    for field, old, new in (("actual", old_value, row.value), ("note", old_note, row.note)):
        record_change(session, source=source, source_detail=source_detail, entity="kpi_actual",
                      entity_code=code, field=field, old=old, new=new, department=dept.name)
    session.flush()  # the new version, for the form's next save
    return ActualChange(kpi.code, fiscal_year, dept.name, old_value, row.value, old_note,
                        row.note, row.version)


set_actual = in_own_transaction(set_actual_in)


PROGRESS_FIELDS = ("status", "record", "issues", "next_policy")


def set_progress_in(
    session: Session,
    measure_code: str,
    fiscal_year: int,
    department: str,
    *,
    source: str = "cli",
    source_detail: str = "",
    expected_version: int | None = None,
    **fields: str | None,
) -> ProgressChange:
    """Set any of status, record (取組実績), issues (課題), next_policy (今後の対応方針).
    `expected_version` as for `set_actual_in`. `set_progress(db, ...)` does the same in a
    transaction of its own."""
    unknown = set(fields) - set(PROGRESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown progress fields: {sorted(unknown)}")
    measure = find_measure(session, measure_code)
    check_fiscal_year(session, fiscal_year)
    dept = find_department(session, department)
    if dept not in measure_departments(session, measure):
        raise EntryRejected(
            f"{dept.name}は施策 {measure.code}「{measure.title}」の担当部局ではありません。",
            f"{dept.name} is not responsible for measure {measure.code}.",
        )
    status = fields.get("status")
    if status is not None and status != "" and status not in STATUSES:
        raise EntryRejected(
            f"進捗状況「{status}」は選べません。{' / '.join(STATUSES)} のいずれかです。",
            f"Status '{status}' is not one of {' / '.join(STATUSES)}.",
        )
    code = f"{measure.code}/{fiscal_year}/{dept.code}"
    if expected_version is not None:
        row = _unchanged_row(session, select(MeasureProgress).where(
            MeasureProgress.measure_id == measure.id, MeasureProgress.fiscal_year == fiscal_year,
            MeasureProgress.department_id == dept.id), expected_version, "measure_progress",
            code, (f"{fiscal_year_label(fiscal_year)} 施策 {measure.code} の進捗",
                   f"The FY{fiscal_year} progress of measure {measure.code}"), _progress_text)
    else:
        row = next((p for p in measure.progress
                    if p.fiscal_year == fiscal_year and p.department_id == dept.id), None)
    if _would_change(row, fields):
        check_unlocked(session, dept.id, fiscal_year, f"施策 {measure.code} の進捗",
                       f"the progress of measure {measure.code}")
    if row is None:
        row = MeasureProgress(fiscal_year=fiscal_year, department=dept, status=None,
                              record="", issues="", next_policy="")
        measure.progress.append(row)
    changes: dict[str, tuple[str | None, str | None]] = {}
    for name, new in fields.items():
        if new is None:
            continue
        if name == "status" and new == "":
            new = None
        old = getattr(row, name)
        if old != new:
            setattr(row, name, new)
            changes[name] = (old, new)
            record_change(session, source=source, source_detail=source_detail,
                          entity="measure_progress", entity_code=code,
                          field=name, old=old, new=new, department=dept.name)
    if changes:
        row.updated_at, row.updated_by = now(), current_user()
    session.flush()  # the new version, for the form's next save
    return ProgressChange(measure.code, fiscal_year, dept.name, changes, row.version)


set_progress = in_own_transaction(set_progress_in)


RowT = TypeVar("RowT", KpiActual, MeasureProgress)


def _unchanged_row(session: Session, query: Select[RowT], expected_version: int, entity: str,
                   code: str, what: tuple[str, str],
                   describe: Callable[[RowT | None], str]) -> RowT | None:
    """The row as committed now, locked until the save commits (on a server a second saver
    waits here for the first one's commit, then sees its new version); `RowChanged` when its
    version is not the one the form loaded (0: no row then)."""
    row = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    if (row.version if row is not None else 0) != expected_version:
        who, when, _field = who_changed(session, row, (entity,), code)
        raise RowChanged(what, who, when, describe(row))
    return row


def _actual_text(row: KpiActual | None, unit: str) -> str:
    value = None if row is None else parse_value(row.value, unit=unit, allow_words=True)
    return format_value(value, unit=unit, blank="空欄")


def _progress_text(row: MeasureProgress | None) -> str:
    if row is None:
        return "未入力"
    texts = [f"進捗状況 {row.status or '未入力'}"]
    texts += [f"{label}「{_short(getattr(row, name))}」" for name, label in (
        ("record", "取組実績"), ("issues", "課題"), ("next_policy", "今後の対応方針"))
        if getattr(row, name)]
    return "、".join(texts)


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _would_change(row: MeasureProgress | None, fields: dict[str, str | None]) -> bool:
    """Whether setting `fields` changes the row (a missing row reads as blank)."""
    for name, new in fields.items():
        if new is None:
            continue
        old = getattr(row, name) if row is not None else (None if name == "status" else "")
        if (None if name == "status" and new == "" else new) != old:
            return True
    return False
