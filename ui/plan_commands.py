"""Plan edits on the app's one undo stack, beside the entries (`ui.commands`).

As with entries, the page writes first and pushes the command after (a refused write never
reaches the stack); undo and redo each write through the core in one transaction, audited
with source "form" and source_detail "undo" / "redo":
- `PlanStateCommand`: an item's state before and after an edit (a form saved, a revision
  withdrawn), written back by `dxtracker.plan.item_state.restore_state`, which refuses when the
  item has changed since;
- `AddItemCommand` / `DeleteItemCommand`: an item added or deleted; undo deletes it again or
  puts it back exactly (`dxtracker.plan.removal`);
- `RetireCommand` / `ReinstateCommand`: an item retired (with what below it was retired with
  it) or reinstated.
Every command also refuses once the plan has been published since it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from dxtracker.errors import DxTrackerError
from dxtracker.plan.item_state import State, check_edition, restore_state
from dxtracker.plan.removal import RemovedItem, delete_item, undelete_item
from dxtracker.plan.retirement import ItemKey, reinstate_items, retire_items
from dxtracker.plan.revisions import edition_for_changes
from dxtracker.store.db import Database
from ui.commands import _WriteCommand
from ui.context import AppContext
from ui.i18n import tr
from ui.tasks import show_error

Applied = Callable[[Any], None]
Failed = Callable[[DxTrackerError], None]


class _PlanCommand(_WriteCommand):
    """What the plan commands share: the item they are about, and the edition check.
    `on_applied` is given (kind, code, "undo" or "redo") after each."""

    def __init__(self, db: Database, kind: str, code: str, text: str, on_applied: Applied,
                 on_failed: Failed) -> None:
        super().__init__(text, on_applied, on_failed)
        self._db, self.kind, self.code = db, kind, code
        with db.read() as session:
            self._edition = edition_for_changes(session)

    def _write(self, state: Any, detail: str) -> tuple[str, str, str]:
        check_edition(self._db, self._edition)
        self._apply(state, detail)
        return self.kind, self.code, detail

    def _apply(self, state: Any, detail: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class PlanStateCommand(_PlanCommand):
    def __init__(self, db: Database, kind: str, code: str, before: State, after: State,
                 text: str, on_applied: Applied, on_failed: Failed) -> None:
        super().__init__(db, kind, code, text, on_applied, on_failed)
        self._before, self._after = before, after

    def _apply(self, state: State, detail: str) -> None:
        expected = self._after if state is self._before else self._before
        restore_state(self._db, self.kind, self.code, state, expected=expected,
                      source="form", source_detail=detail)


class AddItemCommand(_PlanCommand):
    """An item just added: undo deletes it (refused once anything refers to it)."""

    _before, _after = "absent", "present"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._removed: RemovedItem | None = None

    def _apply(self, state: str, detail: str) -> None:
        if state == "absent":
            self._removed = delete_item(self._db, self.kind, self.code, source="form",
                                        source_detail=detail)
        elif self._removed is not None:
            undelete_item(self._db, self._removed, source_detail=detail)


class DeleteItemCommand(AddItemCommand):
    """An item just deleted: undo puts it back."""

    _before, _after = "present", "absent"

    def __init__(self, db: Database, removed: RemovedItem, text: str, on_applied: Applied,
                 on_failed: Failed) -> None:
        super().__init__(db, removed.kind, removed.code, text, on_applied, on_failed)
        self._removed = removed


class RetireCommand(_PlanCommand):
    """Items just retired (`items`, as `retire_item` returned them, the item first)."""

    _before, _after = "current", "retired"

    def __init__(self, db: Database, items: list[ItemKey], on: date, reason: str, text: str,
                 on_applied: Applied, on_failed: Failed) -> None:
        kind, code = items[0]
        super().__init__(db, kind, code, text, on_applied, on_failed)
        self._items, self._on, self._reason = items, on, reason

    def _apply(self, state: str, detail: str) -> None:
        if state == "current":
            reinstate_items(self._db, self._items, source="form", source_detail=detail)
        else:
            retire_items(self._db, self._items, on=self._on, reason=self._reason,
                         source="form", source_detail=detail)


class ReinstateCommand(RetireCommand):
    """Items just reinstated (retired on `on` before)."""

    _before, _after = "retired", "current"


class PlanUndo:
    """Puts plan commands on `ctx.undo_stack`. After each undo or redo the app re-reads the
    plan (names and items show in the navigation and every page); a refused one is shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx, self.parent = ctx, parent

    def edited(self, kind: str, code: str, before: State, after: State, text: str) -> None:
        if before != after:
            self._push(PlanStateCommand(self.ctx.db, kind, code, before, after, text,
                                        *self._callbacks(text)))

    def added(self, kind: str, code: str, text: str) -> None:
        self._push(AddItemCommand(self.ctx.db, kind, code, text, *self._callbacks(text)))

    def deleted(self, removed: RemovedItem, text: str) -> None:
        self._push(DeleteItemCommand(self.ctx.db, removed, text, *self._callbacks(text)))

    def retired(self, items: list[ItemKey], on: date, reason: str, text: str, *,
                reinstated: bool = False) -> None:
        kind = ReinstateCommand if reinstated else RetireCommand
        self._push(kind(self.ctx.db, items, on, reason, text, *self._callbacks(text)))

    def _push(self, command: _PlanCommand) -> None:
        self.ctx.undo_stack.push(command)

    def _callbacks(self, text: str) -> tuple[Applied, Failed]:
        def applied(done: tuple[str, str, str]) -> None:
            message = tr("元に戻しました: {what}", what=text) if done[2] == "undo" else \
                tr("やり直しました: {what}", what=text)
            self.ctx.plan_changed(message)

        def failed(exc: DxTrackerError) -> None:
            show_error(self.parent, exc)

        return applied, failed
