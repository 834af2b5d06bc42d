"""The audit log: who changed what, when, why, and from where."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dxtracker.store.models import AuditEntry


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (e.g. a service account without one)
        return ""


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def record_change(
    session: Session,
    *,
    source: str,
    entity: str,
    entity_code: str,
    field: str,
    old: Any,
    new: Any,
    department: str = "",
    source_detail: str = "",
    reason: str = "",
) -> None:
    """Add one audit entry to the caller's transaction (unchanged values are not recorded)."""
    if old == new:
        return
    session.add(AuditEntry(
        at=now(), user=current_user(), department=department, source=source,
        source_detail=source_detail, entity=entity, entity_code=entity_code, field=field,
        old_value=None if old is None else str(old), new_value=None if new is None else str(new),
        reason=reason,
    ))
