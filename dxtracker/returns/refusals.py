"""Refused files, remembered: a file a merge refused is recorded (file name, SHA-256, the
department and year its metadata named, when, by whom, every reason), so that the submission
tracker and `return history` show it in later sessions, not only until the app closes.

One row per file content: the same file refused again for the same reasons changes nothing (the
app checks its files again after every merge); for other reasons the row is brought up to date.
A file merged later (the same bytes, say after headquarters reopened a return) is marked
resolved. A dry run records nothing unless asked: `return merge --dry-run` promises an unchanged
database, while the app records what its check refused, because a refused file is never ticked
for merging and the check is the only time headquarters sees it refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from dxtracker.returns.collect import department_by_code
from dxtracker.returns.model import ReturnProblem
from dxtracker.store.audit import current_user, now
from dxtracker.store.db import Database
from dxtracker.store.models import Department, RefusedReturn


@dataclass(frozen=True)
class Refusal:
    """A refused file as the tracker and `return history` show it."""

    file_name: str
    sha256: str
    department_code: str | None  # None: the file named no department of this plan
    department_name: str | None
    fiscal_year: int | None
    refused_at: datetime
    refused_by: str
    reasons: tuple[ReturnProblem, ...]
    resolved_at: datetime | None

    def first_reason(self, language: str = "ja") -> str:
        return self.reasons[0].text(language) if self.reasons else ""


@dataclass(frozen=True)
class RefusedFile:
    """What the merge knew of a file it refused (a plain record: apply.py fills it)."""

    file_name: str
    sha256: str
    department_code: str | None
    fiscal_year: int | None
    errors: tuple[ReturnProblem, ...]


def _encode(problems: Iterable[ReturnProblem]) -> str:
    return json.dumps([{"sheet": p.sheet, "cell": p.cell, "ja": p.message_ja,
                        "en": p.message_en} for p in problems], ensure_ascii=False)


def _decode(file_name: str, text: str) -> tuple[ReturnProblem, ...]:
    try:
        items = json.loads(text)
        return tuple(ReturnProblem(file_name, i.get("sheet"), i.get("cell"), str(i["ja"]),
                                   str(i.get("en") or i["ja"])) for i in items)
    except (ValueError, TypeError, KeyError, AttributeError):
        return (ReturnProblem(file_name, None, None, text, text),)


def record_refusals(db: Database, files: Iterable[RefusedFile]) -> int:
    """Remember refused files (one transaction); how many rows were added or brought up to
    date. A file whose bytes could not be read at all (missing, or over the size limit) has
    no SHA-256 to know it by and is not remembered."""
    files = [f for f in files if f.sha256]
    if not files:
        return 0
    with db.transaction() as session:
        return sum(_record(session, f) for f in files)


def _record(session: Session, refused: RefusedFile) -> bool:
    reasons = _encode(refused.errors)
    row = session.scalar(select(RefusedReturn).where(RefusedReturn.sha256 == refused.sha256))
    if row is not None and row.reasons == reasons and row.resolved_at is None:
        return False  # refused again for the same reasons: nothing new
    department = (department_by_code(session, refused.department_code)
                  if refused.department_code else None)
    if row is None:
        row = RefusedReturn(sha256=refused.sha256)
        session.add(row)
    row.file_name, row.department_id = refused.file_name, department.id if department else None
    row.fiscal_year = refused.fiscal_year if department else None
    row.refused_at, row.refused_by = now(), current_user()
    row.errors_count, row.reasons, row.resolved_at = len(refused.errors), reasons, None
    return True


_RESOLVE = (update(RefusedReturn.__table__)
            .where(RefusedReturn.__table__.c.sha256 == bindparam("digest"),
                   RefusedReturn.__table__.c.resolved_at.is_(None))
            .values(resolved_at=bindparam("at")))


def resolve_refusals_in(session: Session, sha256: str) -> None:
    """The file with these bytes was merged (the caller's transaction): no longer refused.
    One statement on the connection: it runs for every file merged."""
    session.connection().execute(_RESOLVE, {"digest": sha256, "at": now()})


def list_refusals(session: Session, *, fiscal_year: int | None = None,
                  unresolved: bool = False) -> list[Refusal]:
    """Refused files, newest first (of a year: those whose metadata named it)."""
    query = (select(RefusedReturn, Department.code, Department.name)
             .outerjoin(Department, Department.id == RefusedReturn.department_id)
             .order_by(RefusedReturn.refused_at.desc(), RefusedReturn.id.desc()))
    if fiscal_year is not None:
        query = query.where(RefusedReturn.fiscal_year == fiscal_year)
    if unresolved:
        query = query.where(RefusedReturn.resolved_at.is_(None))
    return [Refusal(row.file_name, row.sha256, code, name, row.fiscal_year, row.refused_at,
                    row.refused_by, _decode(row.file_name, row.reasons), row.resolved_at)
            for row, code, name in session.execute(query)]
