"""The password of a server database, kept in the operating system's credential store through
`keyring` (Windows Credential Manager, macOS Keychain, Secret Service on Linux): never in the
settings file, never in a URL that is shown or stored.

The entry is service "DX Tracker", user "user@host:port/dbname". A machine without a usable
store (keyring's NoKeyringError, a locked store, any backend failure) just has no saved
password: the app asks for it at start instead.
"""

from __future__ import annotations

import logging

from dxtracker.store.location import DatabaseLocation

log = logging.getLogger(__name__)

SERVICE = "DX Tracker"


def credential_key(location: DatabaseLocation) -> str:
    url = location.url
    assert url is not None, "only a server database has a password"
    return f"{url.username or ''}@{url.host or ''}:{url.port or 5432}/{url.database or ''}"


def saved_password(location: DatabaseLocation) -> str | None:
    """The stored password, or None (none stored, or no usable credential store)."""
    import keyring  # ~35 ms: only when a server database is opened
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, credential_key(location))
    except (KeyringError, RuntimeError, OSError) as exc:
        log.info("no password from the credential store: %s", exc)
        return None


def save_password(location: DatabaseLocation, password: str) -> bool:
    """Store the password; False when there is no usable credential store."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, credential_key(location), password)
    except (KeyringError, RuntimeError, OSError) as exc:
        log.info("password not stored: %s", exc)
        return False
    return True
