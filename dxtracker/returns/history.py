"""The import history: which returns were merged, when, and what they did.

It answers the two questions asked before a return is merged: was this very return merged
already (same bytes, or the same content saved again by another program), and has a newer
return of the same department and fiscal year been merged (then this one is stale).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from dxtracker.figures.fiscal_year import fiscal_year_label
from dxtracker.returns.model import ParsedReturn, ReturnProblem
from dxtracker.store.models import Department, ReturnImport


@dataclass(frozen=True)
class PriorImport:
    """A return in the import history, as shown to the user."""

    id: int
    run_id: int
    file_name: str
    sha256: str
    department_code: str
    department_name: str
    fiscal_year: int
    exported_at: datetime
    imported_at: datetime
    imported_by: str
    changes_count: int
    conflicts_count: int
    resolved_count: int
    warnings_count: int
    proposals_count: int
    forced: bool
    state: str  # "merged" or "undone"


# PriorImport's fields as columns: the history is read with plain column queries (one per
# question), not ORM objects with their department joined in.
_PRIOR_COLUMNS = (
    ReturnImport.id, ReturnImport.run_id, ReturnImport.file_name, ReturnImport.sha256,
    Department.code, Department.name, ReturnImport.fiscal_year, ReturnImport.exported_at,
    ReturnImport.imported_at, ReturnImport.imported_by, ReturnImport.changes_count,
    ReturnImport.conflicts_count, ReturnImport.resolved_count, ReturnImport.warnings_count,
    ReturnImport.proposals_count, ReturnImport.forced, ReturnImport.state)


def _prior_query() -> Select[*tuple[Any, ...]]:
    return select(*_PRIOR_COLUMNS).join(Department, Department.id == ReturnImport.department_id)


def content_digest(parsed: ParsedReturn) -> str:
    """SHA-256 of what the return says (metadata, entries, proposals), whatever its bytes.

    Rows are left out: the same return with its rows reordered is still the same return.
    """
    content = {
        "meta": _values(parsed.meta) if parsed.meta else None,
        "kpis": sorted(_values(e) for e in parsed.kpis),
        "measures": sorted(_values(e) for e in parsed.measures),
        "proposals": sorted(_values(e) for e in parsed.proposals),
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _values(item: object) -> list[str]:
    """An entry's fields as texts (None as ""), without its sheet row."""
    return [value if type(value) is str else _text(value) for value in _getter(type(item))(item)]


_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _getter(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """The fields of a `kind` but its row, read as one tuple (made once per kind; a dict, not
    functools.cache, whose Hashable argument mypy refuses a class for)."""
    getter = _GETTERS.get(kind)
    if getter is None:
        names = [f.name for f in fields(kind) if f.name != "row"]
        read = attrgetter(*names)
        getter = _GETTERS[kind] = read if len(names) > 1 else lambda item: (read(item),)
    return getter


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


# Built once, with bound parameters (see current.py): asked for every file merged.
_DUPLICATE = (
    _prior_query()
    .where(ReturnImport.state == "merged",
           or_(ReturnImport.sha256 == bindparam("sha256"),
               ReturnImport.content_sha256 == bindparam("content_sha256")))
    .order_by(ReturnImport.id.desc()).limit(1)
)
_NEWER = (
    _prior_query()
    .where(ReturnImport.state == "merged", ReturnImport.department_id == bindparam("department"),
           ReturnImport.fiscal_year == bindparam("fiscal_year"),
           ReturnImport.exported_at > bindparam("exported_at"))
    .order_by(ReturnImport.exported_at.desc()).limit(1)
)


def find_duplicate(session: Session, sha256: str, content_sha256: str) -> PriorImport | None:
    """The merged (not undone) import of the same file or the same content, if any."""
    row = session.connection().execute(
        _DUPLICATE, {"sha256": sha256, "content_sha256": content_sha256}).first()
    return PriorImport(*row) if row else None


def find_newer(session: Session, department_id: int, fiscal_year: int,
               exported_at: datetime) -> PriorImport | None:
    """A merged return of the same department and year exported after `exported_at`."""
    row = session.connection().execute(_NEWER, {
        "department": department_id, "fiscal_year": fiscal_year, "exported_at": exported_at,
    }).first()
    return PriorImport(*row) if row else None


def stale_problem(parsed: ParsedReturn, newer: PriorImport, *, force: bool) -> ReturnProblem:
    assert parsed.meta is not None
    mine, theirs = _when(parsed.meta.exported_at), _when(newer.exported_at)
    year = fiscal_year_label(newer.fiscal_year)
    action_ja = ("--force の指定により統合します。" if force else
                 "古い回答で新しい内容を上書きしないよう、統合しません。"
                 "この回答を統合する場合は --force を付けてください。")
    action_en = ("merged because of --force." if force else
                 "not merged, so that an older return does not overwrite a newer one; "
                 "add --force to merge it anyway.")
    return ReturnProblem(
        parsed.file_name, None, None,
        f"{newer.department_name}の{year}の回答としては古いものです（この回答の出力日時 {mine}、"
        f"統合済みの回答「{newer.file_name}」の出力日時 {theirs}）。{action_ja}",
        f"This return of {newer.department_name} for FY{newer.fiscal_year} is older "
        f"(exported {mine}) than the return already merged, '{newer.file_name}' (exported "
        f"{theirs}); {action_en}",
        severity="warning" if force else "error",
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def list_imports(session: Session, *, fiscal_year: int | None = None) -> list[PriorImport]:
    """Every merged return, newest first (undone ones too, marked so)."""
    query = _prior_query()
    if fiscal_year is not None:
        query = query.where(ReturnImport.fiscal_year == fiscal_year)
    return [PriorImport(*row) for row in session.execute(query.order_by(ReturnImport.id.desc()))]
