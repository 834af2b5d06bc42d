"""Measure progress (進捗状況): the department's measures for a fiscal year, as a list model.

`load_progress_rows` reads plain rows (no ORM objects leave the session); the list model shows
one line per measure with its status, so that a person sees at a glance what is still blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dxtracker.figures.entry import PROGRESS_FIELDS
from dxtracker.store.lookup import find_department
from dxtracker.store.models import Department, Measure, MeasureProgress, Project, Vision
from dxtracker.store.models.plan import measure_department
from ui.i18n import tr
from ui.models.rows_model import EntriesListModel

Index = QModelIndex | QPersistentModelIndex
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
TEXT_FIELDS = ("record", "issues", "next_policy")
EMPTY_PROGRESS = {"status": "", "record": "", "issues": "", "next_policy": ""}
LATE_STATUSES = ("やや遅れ", "遅れ")


@dataclass(frozen=True)
class MeasureEntry:
    code: str
    project: str  # "(1) スマート県庁推進プロジェクト"
    label: str  # "(1)① 行政手続のオンライン化"
    title: str
    schedule: str  # this year's 工程, one box a line
    progress: dict[str, str] = field(default_factory=lambda: dict(EMPTY_PROGRESS))
    last_year: dict[str, str] | None = None  # None: nothing entered last year
    updated: str = ""  # "2023-05-01 10:12 tanaka"
    version: int = 0  # the progress row's version as loaded (0: no row); the save hands it back


def load_progress_rows(session: Session, department: str, fiscal_year: int) -> list[MeasureEntry]:
    dept = find_department(session, department)
    return [_entry(measure, dept, fiscal_year)
            for measure in _measures_in_plan_order(session, dept, fiscal_year)]


def _measures_in_plan_order(session: Session, dept: Department,
                            fiscal_year: int) -> list[Measure]:
    """The department's measures (its own, and every department's unless it is retired) with
    its progress of this year and the last: selected in the query, not among the whole plan
    (on a large plan, loading every measure with all its progress cost most of a second)."""
    own = select(measure_department.c.measure_id).where(
        measure_department.c.department_id == dept.id)
    responsible = or_(Measure.id.in_(own), Measure.all_departments.is_(True)) \
        if not dept.retired else Measure.id.in_(own)
    progress = Measure.progress.and_(MeasureProgress.department_id == dept.id,
                                     MeasureProgress.fiscal_year.in_((fiscal_year,
                                                                      fiscal_year - 1)))
    query = (
        select(Measure).join(Project).join(Vision)
        .where(Measure.retired_on.is_(None))  # retired (廃止): in no new form or return
        .where(responsible)
        .order_by(Vision.number, Project.number, Measure.number)
        .options(selectinload(Measure.schedule), selectinload(progress),
                 selectinload(Measure.project))
    )
    return list(session.scalars(query))


def _entry(measure: Measure, dept: Department, fiscal_year: int) -> MeasureEntry:
    current = _progress_row(measure, dept, fiscal_year)
    last = _progress_row(measure, dept, fiscal_year - 1)
    circled = CIRCLED[measure.number - 1] if 0 < measure.number <= len(CIRCLED) else \
        f"({measure.number})"
    updated = ""
    if current is not None and current.updated_at is not None:
        updated = f"{current.updated_at:%Y-%m-%d %H:%M} {current.updated_by}".strip()
    return MeasureEntry(
        code=measure.code,
        project=f"({measure.project.number}) {measure.project.title}",
        label=f"({measure.project.number}){circled} {measure.title}",
        title=measure.title,
        schedule="\n".join(f"・{s.text}" for s in measure.schedule
                           if s.first_fiscal_year <= fiscal_year <= s.last_fiscal_year),
        progress=progress_fields(current),
        last_year=progress_fields(last) if _has_content(last) else None,
        updated=updated,
        version=current.version if current else 0,
    )


def _progress_row(measure: Measure, dept: Department, fiscal_year: int) -> MeasureProgress | None:
    return next((p for p in measure.progress
                 if p.fiscal_year == fiscal_year and p.department_id == dept.id), None)


def progress_fields(row: MeasureProgress | None) -> dict[str, str]:
    if row is None:
        return dict(EMPTY_PROGRESS)
    return {name: getattr(row, name) or "" for name in PROGRESS_FIELDS}


def _has_content(row: MeasureProgress | None) -> bool:
    return row is not None and any(progress_fields(row).values())


class ProgressListModel(EntriesListModel):
    """One line per measure: label and status; `dirty_code` marks unsaved edits."""

    entries: list[MeasureEntry]

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.dirty_code: str | None = None

    def set_entries(self, entries: list[MeasureEntry]) -> None:
        if [e.code for e in entries] == [e.code for e in self.entries]:
            self.entries = entries  # same measures: keep the selection
            self.refresh_all()
            return
        super().set_entries(entries)

    def replace(self, entry: MeasureEntry) -> None:
        for position, old in enumerate(self.entries):
            if old.code == entry.code:
                self.entries[position] = entry
                self.dataChanged.emit(self.index(position), self.index(position))

    def set_dirty(self, code: str | None) -> None:
        if code != self.dirty_code:
            self.dirty_code = code
            self.refresh_all()

    def position_of(self, code: str) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.code == code), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        status = entry.progress["status"]
        if role == Qt.ItemDataRole.DisplayRole:
            shown = status_text(status)
            mark = tr("（未保存）") if entry.code == self.dirty_code else ""
            return tr("{label}\n    進捗状況: {status}{mark}", label=entry.label, status=shown,
                      mark=mark)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{entry.project}\n{entry.label}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if not status:
                return QBrush(QColor("#8a5a00"))
            if status in LATE_STATUSES:
                return QBrush(QColor("#b00000"))
        return None


def status_text(status: str) -> str:
    """The shown name of a status ("" is not yet entered). Stored values stay Japanese."""
    return {
        "": tr("(未入力)"),
        "順調": tr("順調"),
        "概ね順調": tr("概ね順調"),
        "やや遅れ": tr("やや遅れ"),
        "遅れ": tr("遅れ"),
        "完了": tr("完了"),
        "未着手": tr("未着手"),
    }.get(status, status)
