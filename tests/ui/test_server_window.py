"""The app on a database of a PostgreSQL server: the window, the settings page and the report
command show the server's URL without the password, and backing up says it is the server's job
(pg_dump) instead of failing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from dxtracker.store.connect import open_database
from dxtracker.store.location import parse_location
from ui import database_actions
from ui.context import AppContext
from ui.i18n import set_language
from ui.pages.settings_page import SettingsPage
from ui.report_process import report_command
from ui.tasks import TaskRunner

PASSWORD = "s3cret-word"


@pytest.fixture
def server_ctx(pg_url: str, settings, qapp) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    location = parse_location(pg_url).with_password(PASSWORD)  # (trust: not checked here)
    ctx = AppContext(open_database(location), settings, tasks=TaskRunner(executor="sync"))
    ctx.set_department(None)
    yield ctx
    ctx.db.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_window_names_the_server_database_without_its_password(
        server_ctx, make_window, qtbot, language):
    set_language(language)
    window = make_window(server_ctx)
    qtbot.waitUntil(lambda: server_ctx.is_loaded)
    assert server_ctx.db.name in window.db_label.text()
    assert "postgresql+psycopg://" in window.db_label.text()
    page = window.show_page("settings")
    assert page.db_edit.text() == server_ctx.db.name and not page.db_warning.isVisible()
    shown = window.db_label.text() + page.db_edit.text() + window.windowTitle()
    assert PASSWORD not in shown


def test_the_report_child_gets_the_server_and_its_password_apart(server_ctx, tmp_path):
    command = report_command(server_ctx.db.location, tmp_path / "r.xlsx", 2022)
    database = command.arguments[command.arguments.index("--db") + 1]
    assert database == server_ctx.db.name and PASSWORD not in " ".join(command.arguments)
    assert command.password == PASSWORD  # for the child's environment (PGPASSWORD)


def test_backing_up_a_server_database_says_whose_job_it_is(server_ctx, qtbot, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _parent, _title, text: told.append(text)))
    page = SettingsPage(server_ctx)
    qtbot.addWidget(page)
    page.refresh()
    database_actions.back_up(page, server_ctx)
    assert len(told) == 1 and "pg_dump" in told[0]
