"""Noticing changes made by others: a cheap mark of "what the database holds now".

Every write records audit entries (CONTRIBUTING: one transaction per write, with an audit
entry), so new audit entries mean new changes. The mark is the newest entry's id and the
number of entries above a floor a little below it: on a server, ids come from a sequence and
a transaction that took a lower id may commit after one that took a higher id; counting the
entries above the floor sees that late commit too. Both are index lookups on the primary key,
cheap enough for a check on every window activation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxtracker.store.models import AuditEntry

# How far below the newest id late commits are still seen (ids handed out but not yet
# committed when the mark was read; far more than the writers running at once).
WINDOW = 1000


@dataclass(frozen=True)
class ChangeMark:
    floor: int
    newest: int
    above_floor: int


def change_mark(session: Session, floor: int | None = None) -> ChangeMark:
    """The mark now; `floor` from the previous mark (None: a first mark)."""
    newest = session.scalar(select(func.max(AuditEntry.id))) or 0
    if floor is None:
        floor = max(0, newest - WINDOW)
    above = session.scalar(select(func.count()).select_from(AuditEntry)
                           .where(AuditEntry.id > floor)) or 0
    return ChangeMark(floor, newest, above)


def changed_since(session: Session, mark: ChangeMark) -> ChangeMark | None:
    """A new mark when the database changed since `mark` (None when it did not)."""
    now = change_mark(session, mark.floor)
    if (now.newest, now.above_floor) == (mark.newest, mark.above_floor):
        return None
    return change_mark(session)  # a new floor under the new newest id
