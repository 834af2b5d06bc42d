"""Noticing changes made by others (another PC on the same server, the command line, a second
window): when the app becomes active again, and every 30 seconds while on a server database,
a cheap mark of the database (`dxtracker.store.changes`) is read on the worker; if it moved
although this app wrote nothing, the visible page refreshes (the others when next shown) and
the status bar says "他のユーザーが変更しました".

The app's own writes announce themselves (`ctx.data_changed`, after `notify_saved`): the
watcher then takes a new mark, so that only others' changes are reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from ui.i18n import tr

if TYPE_CHECKING:
    from dxtracker.store.changes import ChangeMark
    from ui.context import AppContext

log = logging.getLogger(__name__)

SERVER_INTERVAL_MS = 30_000  # a server's other users; a file changes rarely behind our back
NOTE_MS = 15_000


class ChangeWatcher(QObject):
    def __init__(self, ctx: AppContext, show_note: Callable[[str, int], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.show_note = ctx, show_note
        self.mark: ChangeMark | None = None
        self._checking = False
        self._announcing = False
        self.timer = QTimer(self)
        self.timer.setInterval(SERVER_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        ctx.data_changed.connect(self._own_change)
        ctx.database_changed.connect(self._database_changed)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)
        if ctx.is_loaded:
            self._database_changed()

    def _database_changed(self) -> None:
        self.mark = None
        if self.ctx.db.is_server:
            self.timer.start()
        else:
            self.timer.stop()
        self._take_mark()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def _own_change(self) -> None:
        if not self._announcing:  # our own refresh of others' changes needs no new mark
            self._take_mark()

    def _take_mark(self) -> None:
        if not self.ctx.is_loaded:
            return
        from dxtracker.store.changes import change_mark

        db = self.ctx.db

        def read(_progress: object) -> ChangeMark:
            with db.read() as session:
                return change_mark(session)

        self.ctx.tasks.run(read, on_success=self._set_mark, on_failure=self._failed, quiet=True)

    def _set_mark(self, mark: ChangeMark) -> None:
        self.mark = mark

    def check(self) -> None:
        """Compare the database with the last mark (on the worker); refresh when it moved."""
        if not self.ctx.is_loaded or self.mark is None or self._checking:
            return
        from dxtracker.store.changes import changed_since

        db, mark = self.ctx.db, self.mark
        self._checking = True

        def read(_progress: object) -> ChangeMark | None:
            with db.read() as session:
                return changed_since(session, mark)

        self.ctx.tasks.run(read, on_success=self._checked, on_failure=self._failed, quiet=True)

    def _checked(self, newer: ChangeMark | None) -> None:
        self._checking = False
        if newer is None or self.mark is None:
            return
        self.mark = newer
        self._announcing = True
        try:
            self.ctx.data_changed.emit()  # the visible page now, the others when shown
        finally:
            self._announcing = False
        self.show_note(tr("他のユーザーが変更しました。最新の内容を表示しています。"), NOTE_MS)

    def _failed(self, exc: BaseException) -> None:
        # A server that does not answer right now: the next check tries again, and the
        # user's own actions report the problem with its message.
        self._checking = False
        log.info("change check failed: %s", exc)
