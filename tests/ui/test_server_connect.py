"""The settings page's "connect to a server database": the dialog tests the connection on the
worker against the test PostgreSQL server (a role that must give its password), says clearly
when the password is wrong, and on OK keeps the password in the credential store (an in-memory
keyring here) and the URL without it in the settings; the next start takes the password from
the store."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.helpers import SHOTS
from tests.postgres import PASSWORD_ROLE, database_name
from ui import app
from ui.credentials import SERVICE, credential_key
from ui.dialogs.server_connect import ServerConnectDialog
from ui.i18n import set_language
from ui.pages.settings_page import SettingsPage
from ui.settings import Settings

PASSWORD = "p@ss w0rd"


class MemoryKeyring(KeyringBackend):
    """A credential store in memory (headless Linux has none; tests must not use a real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)


@pytest.fixture
def server_name(pg_cluster, pg_url) -> str:  # type: ignore[no-untyped-def]
    """A database of the test server that PASSWORD_ROLE may use (with its password only)."""
    name = database_name(pg_url)
    pg_cluster.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PASSWORD_ROLE}') "
        f"THEN CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'; END IF; END $$; "
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}; "
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PASSWORD_ROLE}", name)
    return name


def fill(dialog: ServerConnectDialog, pg_cluster, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(pg_cluster.port)
    dialog.database.setText(name)
    dialog.user.setText(PASSWORD_ROLE)
    dialog.password.setText(password)


def test_wrong_password_is_said_clearly_and_nothing_changes(ctx, pg_cluster, server_name,
                                                           memory_keyring, show_widget):
    page = show_widget(SettingsPage(ctx))
    dialog = page.connect_to_server()
    fill(dialog, pg_cluster, server_name, "wrong")
    dialog.test()  # the worker runs at once in tests (TaskRunner "sync")
    assert "パスワードが違う" in dialog.result.text()
    assert "wrong" not in dialog.result.text()
    dialog.accept()
    assert dialog.isVisible() and "パスワードが違う" in dialog.result.text()
    assert not ctx.db.is_server and memory_keyring.entries == {}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_connect_saves_the_password_in_the_store_and_reopens_on_the_server(
        ctx, pg_cluster, server_name, memory_keyring, show_widget, language):
    set_language(language)
    ctx.set_language(language)
    page = show_widget(SettingsPage(ctx))
    dialog = page.connect_to_server()
    fill(dialog, pg_cluster, server_name, PASSWORD)
    dialog.test()
    assert "PostgreSQL" in dialog.result.text()
    dialog.grab().save(str(SHOTS / f"server-connect-{language}.png"))
    dialog.accept()
    assert not dialog.isVisible()
    assert ctx.db.is_server and server_name in ctx.db.name
    key = credential_key(ctx.db.location)
    assert key == f"{PASSWORD_ROLE}@127.0.0.1:{pg_cluster.port}/{server_name}"
    assert memory_keyring.entries == {(SERVICE, key): PASSWORD}
    saved = Path(ctx.settings.path).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert server_name in saved and "w0rd" not in saved
    page.refresh()
    assert "w0rd" not in page.db_edit.text() and server_name in page.db_edit.text()
    page.grab().save(str(SHOTS / f"settings-server-{language}.png"))
    # The next start: the location from the settings, the password from the store.
    args = argparse.Namespace(db=None, screenshot=None, benchmark_startup=False)
    location = app._db_path(args, Settings.load(ctx.settings.path))
    assert location.password == PASSWORD and "w0rd" not in location.name
    ctx.db.close()


@pytest.mark.parametrize(("language", "expected"), [
    ("ja", "サーバー、データベース名、ユーザー名を入力してください。"),
    ("en", "Enter the host, database, user."),
])
def test_missing_fields_are_named_as_the_language_lists_them(ctx, show_widget, language,
                                                            expected):
    ctx.set_language(language)
    dialog = show_widget(SettingsPage(ctx)).connect_to_server()
    dialog.test()  # nothing filled in: no connection is tried
    assert dialog.result.text() == expected
