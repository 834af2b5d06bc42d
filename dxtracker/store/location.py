"""Where a database is: a SQLite file (a path, as always) or a PostgreSQL server (a URL).

`--db`, `DXTRACKER_DB` and the app's settings hold either. Anything of the form
`postgresql://…` (or `postgresql+psycopg://…`, `postgres://…`) names a server database; the
URL's query passes through to the driver (`sslmode=require`, `host=/run/postgresql`, …).
Anything else is a file path and means SQLite exactly as before (`sqlite:///PATH` is read as
PATH too).

A password never appears where a location is shown or stored: it is taken out of the URL when
the location is read and kept beside it, handed to the driver only when connecting
(`connect_args`). libpq's own sources (`PGPASSWORD`, the `.pgpass` file) work as usual.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dxtracker.errors import DxTrackerError
from dxtracker.store.paths import DB_ENV, DB_FILE_NAME, user_data_dir

SERVER_DRIVER = "postgresql+psycopg"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}


class LocationError(DxTrackerError):
    """A `--db` value that is neither a file path nor a database URL we can use."""


@dataclass(frozen=True)
class DatabaseLocation:
    """A SQLite file (`path`) or a server database (`url`, without its password)."""

    path: Path | None = None
    url: URL | None = None
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return "postgresql" if self.is_server else "sqlite"

    @property
    def name(self) -> str:
        """What to show: the file's path, or the URL without a password."""
        if self.url is not None:  # it has no password (parse_location); *** if one got in
            return self.url.render_as_string(hide_password=True)
        return str(self.path)

    def __str__(self) -> str:
        return self.name

    @property
    def file(self) -> Path:
        """The SQLite file; a server database has none (a programming error to ask)."""
        if self.path is None:
            raise ValueError(f"{self.name} is a server database, not a file")
        return self.path

    def with_password(self, password: str | None) -> DatabaseLocation:
        """The same server database, connecting with `password` (from the credential store)."""
        return DatabaseLocation(self.path, self.url, password)

    def same_as(self, other: DatabaseLocation) -> bool:
        """Whether both name the same database (files compared by their resolved paths)."""
        if self.path is not None and other.path is not None:
            return self.path.resolve() == other.path.resolve()
        return self.url is not None and other.url is not None and self.name == other.name


def parse_location(value: DatabaseLocation | Path | str) -> DatabaseLocation:
    """A location from what a person gave: a path, or a URL naming a PostgreSQL database."""
    if isinstance(value, DatabaseLocation):
        return value
    if isinstance(value, Path):
        return DatabaseLocation(path=value)
    text = value.strip()
    if not _SCHEME.match(text):
        return DatabaseLocation(path=Path(text))
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise _refused(text, f"URLとして読めません（{exc}）", f"not a valid URL ({exc})") from exc
    if url.drivername == "sqlite":
        return DatabaseLocation(path=Path(url.database or ""))
    if url.drivername not in _POSTGRES_SCHEMES:
        raise _refused(text, "PostgreSQL（postgresql://…）のURLかファイルのパスを指定してください。",
                       "give a PostgreSQL URL (postgresql://…) or a file path.")
    if not url.database:
        raise _refused(text, "データベース名がありません（postgresql://サーバー/データベース名）。",
                       "the database name is missing (postgresql://server/dbname).")
    # (URL.set treats None as "unchanged": _replace takes the password out)
    return DatabaseLocation(url=url.set(drivername=SERVER_DRIVER)._replace(password=None),
                            password=url.password)


def _refused(text: str, detail_ja: str, detail_en: str) -> LocationError:
    shown = _without_password(text)
    return LocationError(f"データベースの指定「{shown}」: {detail_ja}",
                         f"Database location '{shown}': {detail_en}")


def _without_password(text: str) -> str:
    # user:password@ -> user@ (the password must not reach a message, even in a bad URL)
    return re.sub(r"(://[^/:@]*):[^@/]*@", r"\1@", text)


def default_location() -> DatabaseLocation:
    """`DXTRACKER_DB` if set (a path or a URL), else the file in the user's data folder."""
    from_env = os.environ.get(DB_ENV)
    return parse_location(from_env) if from_env else DatabaseLocation(
        path=user_data_dir() / DB_FILE_NAME)
