"""Reading the audit log: filter by who, when, what and from where; export to Excel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dxtracker.files.atomic import write_atomically
from dxtracker.store.models import AuditEntry

if TYPE_CHECKING:  # openpyxl is imported only when exporting (see export_audit)
    from openpyxl.cell.cell import Cell

# Column keys and Japanese headers, in the order shown and exported.
COLUMNS = (
    ("at", "日時"), ("user", "利用者"), ("department", "部局"), ("source", "変更元"),
    ("source_detail", "変更元の詳細"), ("entity", "対象"), ("entity_code", "コード"),
    ("field", "項目"), ("old_value", "変更前"), ("new_value", "変更後"), ("reason", "理由"),
)
SOURCES = ("form", "cli", "return", "import", "upgrade")
DEFAULT_LIMIT = 10_000


@dataclass(frozen=True)
class AuditFilter:
    """Every given criterion must hold; text criteria match parts, case-insensitively."""

    user: str = ""
    department: str = ""
    source: str = ""  # exact: form, cli, return, import, …
    entity: str = ""  # exact: kpi, target, revision, kpi_actual, …
    code: str = ""  # part of the entity code, e.g. "P01-K1"
    text: str = ""  # part of any of: user, department, code, field, values, reason, detail
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user: str
    department: str
    source: str
    source_detail: str
    entity: str
    entity_code: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str


def query_audit(session: Session, criteria: AuditFilter | None = None, *,
                limit: int = DEFAULT_LIMIT) -> list[AuditRow]:
    """Entries matching `criteria`, newest first (at most `limit`)."""
    f = criteria or AuditFilter()
    query = select(AuditEntry)
    if f.user:
        query = query.where(AuditEntry.user.icontains(f.user, autoescape=True))
    if f.department:
        query = query.where(AuditEntry.department.icontains(f.department, autoescape=True))
    if f.source:
        query = query.where(AuditEntry.source == f.source)
    if f.entity:
        query = query.where(AuditEntry.entity == f.entity)
    if f.code:
        query = query.where(AuditEntry.entity_code.icontains(f.code, autoescape=True))
    if f.text:
        query = query.where(or_(*(
            column.icontains(f.text, autoescape=True) for column in (
                AuditEntry.user, AuditEntry.department, AuditEntry.field,
                AuditEntry.old_value, AuditEntry.new_value, AuditEntry.reason,
                AuditEntry.entity_code, AuditEntry.source_detail))))
    if f.since:
        query = query.where(AuditEntry.at >= datetime.combine(f.since, time.min))
    if f.until:
        query = query.where(AuditEntry.at < datetime.combine(f.until + timedelta(days=1),
                                                             time.min))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return [_row(e) for e in session.scalars(query)]


def latest_entry(session: Session, entities: tuple[str, ...], code: str) -> AuditRow | None:
    """The newest entry about one item (`entity_code` exactly, or below it: "P01-K1" also
    finds "P01-K1/2024"), e.g. to say who changed it last and when."""
    query = (select(AuditEntry).where(AuditEntry.entity.in_(entities))
             .where(or_(AuditEntry.entity_code == code,
                        AuditEntry.entity_code.startswith(code + "/", autoescape=True)))
             .order_by(AuditEntry.id.desc()).limit(1))
    entry = session.scalar(query)
    return None if entry is None else _row(entry)


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(e.id, e.at, e.user, e.department, e.source, e.source_detail, e.entity,
                    e.entity_code, e.field, e.old_value, e.new_value, e.reason)


def distinct_values(session: Session, column: str) -> list[str]:
    """The values present in a column (for filter choices): source, entity, user, …"""
    attribute = getattr(AuditEntry, column)
    return [v for v in session.scalars(select(attribute).distinct().order_by(attribute)) if v]


def export_audit(rows: list[AuditRow], path: Path) -> Path:
    """Write rows to an Excel table: header in row 1, one entry a row, text kept as text."""
    # openpyxl is imported here: the app's audit page imports this module at startup.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def text(value: str) -> Cell:
        # Values people typed must never turn into formulas in the exported sheet (FACTS.md).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    def cell(value: object) -> object:
        if isinstance(value, datetime):
            stamp = WriteOnlyCell(sheet, value=value)
            stamp.number_format = "yyyy-mm-dd hh:mm:ss"
            return stamp
        return None if value is None else text(str(value))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("audit")
    sheet.freeze_panes = "A2"
    sheet.append([text(header) for _, header in COLUMNS])
    for row in rows:
        sheet.append([cell(getattr(row, key)) for key, _ in COLUMNS])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # the export has always made it
    write_atomically(path, workbook.save)
    return path
