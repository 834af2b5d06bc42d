"""Fixtures shared by the core and UI tests: a template database built once per session,
copied for each test (building it from the plan file costs far more than a copy), and `db`,
that copy opened.

Both engines: every test under tests/core that uses `db` runs twice, on a SQLite file
(`[sqlite]`) and on a database of a throwaway PostgreSQL cluster (`[postgresql]`; tests/postgres.py:
one cluster per session, a template database filled once, a copy per test). A test that also
asks for the file (`db_path`), or is marked `sqlite_only`, runs on SQLite alone. Where no
PostgreSQL binaries exist, the PostgreSQL runs are skipped with the reason; with
DXTRACKER_REQUIRE_POSTGRES=1 (CI) they fail instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dxtracker.store.db import Database
    from tests.postgres import PgCluster

ENGINES = ("sqlite", "postgresql")
CORE_TESTS = Path(__file__).resolve().parent / "core"

# Qt tests run offscreen; the core tests never import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dxtracker.plan.bootstrap import create_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    create_database(path).close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dx.sqlite3"
    shutil.copyfile(template_db, path)
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): runs on SQLite alone (says why)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A core test using `db` runs on both engines, unless it needs the file itself."""
    if "db" not in metafunc.fixturenames or "db_path" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    if CORE_TESTS not in Path(str(metafunc.definition.path)).resolve().parents:
        return
    metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql": the engine of `db` (SQLite where a test is not parametrised)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db(engine: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    from dxtracker.store.connect import open_database

    fixture = "pg_url" if engine == "postgresql" else "db_path"
    database = open_database(request.getfixturevalue(fixture))
    yield database
    database.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster for the session (TLS offered where openssl exists)."""
    from tests.postgres import REQUIRE_ENV, PgCluster, find_bindir

    if find_bindir() is None:
        reason = ("no PostgreSQL binaries (initdb, pg_ctl, postgres): install Debian's "
                  "`postgresql` package (scripts/setup.sh does)")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
        pytest.skip(reason)
    with PgCluster(ssl=shutil.which("openssl") is not None) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    """The name of a database holding the embedded default plan, as `template_db`."""
    from dxtracker.plan.bootstrap import create_database

    name = "dxt_template"
    create_database(pg_cluster.create_database(name)).close()  # closed: a template is unused
    return name


_DATABASE_NUMBERS = itertools.count()


@pytest.fixture
def pg_url(pg_cluster: PgCluster, pg_template: str) -> Iterator[str]:
    """A copy of the template for this test (dropped after it)."""
    name = f"dxt_{next(_DATABASE_NUMBERS)}"
    yield pg_cluster.create_database(name, template=pg_template)
    pg_cluster.drop_database(name)


@pytest.fixture
def empty_pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """An empty database on the cluster (where `init` or `db copy` builds one)."""
    name = f"dxt_empty_{next(_DATABASE_NUMBERS)}"
    yield pg_cluster.create_database(name)
    pg_cluster.drop_database(name)
