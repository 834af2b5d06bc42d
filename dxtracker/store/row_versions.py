"""Optimistic locking: nobody silently overwrites anybody.

Every row a form edits has a `version` (`store.models.base.Versioned`, SQLAlchemy's
`version_id_col`) that each UPDATE counts up. A form remembers the versions of what it loaded
and hands them back with its save; the save is refused (`RowChanged`, nothing written) when a
row has another version now — someone else saved it meanwhile, from another PC, the command
line or a merge. The message names who and when (the row's `updated_by`/`updated_at` where it
has them, else the latest audit entry) and the value it has now, and the form shows that value.

The check runs inside the save's transaction on rows read `FOR UPDATE` (on a server a second
saver waits for the first one's commit, then sees its version; SQLite's writers are serialised
anyway); the ORM's `WHERE version = …` on the UPDATE is the safety net behind it.

See docs/server-database.md, "Optimistic locking".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dxtracker.errors import DxTrackerError
from dxtracker.store.audit_query import latest_entry

# What a form loaded: "table:id" → version. A row that did not exist yet counts as version 0.
Versions = dict[str, int]


class RowChanged(DxTrackerError):
    """A save refused because the row changed after the form loaded it."""

    def __init__(self, what: tuple[str, str], who: str, when: datetime | None,
                 current: str) -> None:
        who_ja = f"{who} さん" if who else "別の利用者"
        who_en = who or "another user"
        when_ja = f"{when:%Y-%m-%d %H:%M}に" if when else ""
        when_en = f" at {when:%Y-%m-%d %H:%M}" if when else ""
        super().__init__(
            f"{what[0]}は、この画面に読み込んだ後で{who_ja}が{when_ja}変更しました"
            f"（現在の値: {current}）。入力は保存していません。画面に新しい値を表示しましたので、"
            "確かめてから、必要ならもう一度入力してください。",
            f"{what[1]} was changed by {who_en}{when_en} after you loaded it (now: {current}). "
            "Your change was not saved. The form now shows the new value: check it and enter "
            "yours again if needed.")
        self.who, self.when, self.current = who, when, current


def key_of(row: Any) -> str:
    return f"{row.__table__.name}:{row.id}"


def versions_of(*rows: Any) -> Versions:
    """The versions of loaded rows, to hand back with the save."""
    return {key_of(row): row.version for row in rows if row is not None}


def changed_rows(expected: Mapping[str, int], rows: list[Any]) -> list[Any]:
    """The rows (of `rows`, read in the save's transaction) whose version is not `expected`'s,
    and whether rows `expected` names are gone (returned as None)."""
    current = {key_of(row): row for row in rows}
    changed: list[Any] = [row for key, row in current.items()
                          if key in expected and expected[key] != row.version]
    changed += [None for key in expected if key not in current and expected[key] != 0]
    return changed


def who_changed(session: Session, row: Any, entities: tuple[str, ...],
                code: str) -> tuple[str, datetime | None, str | None]:
    """(who, when, field) of the last change: the row's own stamps where it keeps them, else
    the newest audit entry about `code` (field None when the row's stamps were used)."""
    if row is not None and getattr(row, "updated_at", None) is not None:
        return row.updated_by, row.updated_at, None
    entry = latest_entry(session, entities, code)
    if entry is None:
        return "", None, None
    return entry.user, entry.at, entry.field


def touch(row: Any) -> None:
    """Count a change to what belongs to the row (its schedule, departments, 3-year picture)
    as a change of the row itself: its version goes up at the next flush, so a form loaded
    before sees that the item changed."""
    mapper = inspect(row).mapper
    name = next(a.key for a in mapper.column_attrs
                if a.key not in ("id", "version") and not a.columns[0].primary_key)
    flag_modified(row, name)
