"""UI test fixtures (pytest-qt, offscreen), shared by every page's tests.

- `template_db` (session): the embedded default plan, built once; `db_path`: a copy per test.
- `settings_path` / `settings`: a settings file in tmp_path (never the user's own).
- `make_ctx(department=..., language=...)`: an AppContext with TaskRunner(executor="sync");
  `department=None` is headquarters mode. `ctx` is headquarters mode, `department_ctx` is
  商工労働部 (a department reporting several KPIs).
- `main_window` / `make_window(ctx)`: the MainWindow on such a context, shown.
- `show_widget(widget, size=None)`: a page or dialog closed after the test, shown (resized
  first when a size is given) and exposed; returns the widget.
- `type_text(widget, text)`: types any text, Japanese and full-width included, as key events.
  (`qtbot.keyClicks` aborts the process on a non-ASCII character: QTest's qasciikey.cpp.)
- `type_with_ime(widget, text)`: the text as an input method commits it (Japanese arrives so,
  as one committed string, not as key presses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from ui import i18n
from ui.context import AppContext
from ui.settings import Settings
from ui.tasks import TaskRunner

DEPARTMENT = "商工労働部"


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


@pytest.fixture
def settings(settings_path: Path) -> Settings:
    return Settings.load(settings_path)


@pytest.fixture(autouse=True)
def _japanese_by_default() -> Iterator[None]:
    """The language is process-wide state: every test starts and ends in Japanese."""
    i18n.set_language("ja")
    yield
    i18n.set_language("ja")


@pytest.fixture
def make_ctx(db_path: Path, settings: Settings, qapp) -> Iterator[Callable[..., AppContext]]:  # type: ignore[no-untyped-def]
    made: list[tuple[AppContext, Database]] = []

    def make(department: str | None = None, language: str = "ja") -> AppContext:
        settings.language = language
        db = open_database(db_path)
        ctx = AppContext(db, settings, tasks=TaskRunner(executor="sync"))
        ctx.set_department(department)
        made.append((ctx, db))
        return ctx

    yield make
    for ctx, _db in made:
        ctx.db.close()


@pytest.fixture
def ctx(make_ctx: Callable[..., AppContext]) -> AppContext:
    return make_ctx(None)


@pytest.fixture
def department_ctx(make_ctx: Callable[..., AppContext]) -> AppContext:
    return make_ctx(DEPARTMENT)


def send_text(widget: QWidget, text: str) -> None:
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


@pytest.fixture
def type_text() -> Callable[[QWidget, str], None]:
    return send_text


def commit_text(widget: QWidget, text: str) -> None:
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def type_with_ime() -> Callable[[QWidget, str], None]:
    return commit_text


@pytest.fixture
def show_widget(qtbot):  # type: ignore[no-untyped-def]
    def show(widget: QWidget, size: tuple[int, int] | None = None) -> QWidget:
        qtbot.addWidget(widget)
        if size is not None:
            widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show


@pytest.fixture
def make_window(qtbot):  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    def make(context: AppContext) -> MainWindow:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.restore_state()
        window.show()
        return window

    return make


@pytest.fixture
def main_window(ctx: AppContext, make_window):  # type: ignore[no-untyped-def]
    return make_window(ctx)


@pytest.fixture(autouse=True)
def no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message box nobody answers would block an offscreen test forever: fail at once.

    Tests that expect a question replace the page's own `ask_…`/`confirm_…` method instead.
    """
    from PySide6.QtWidgets import QMessageBox

    def unexpected(*args, **kwargs):  # type: ignore[no-untyped-def]
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected modal message box: {texts}")

    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(unexpected))
