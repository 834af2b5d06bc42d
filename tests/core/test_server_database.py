"""A database on a PostgreSQL server: where `--db` and DXTRACKER_DB point, `init`, TLS through
`sslmode`, passwords never shown, and what a server does instead of a file's backups."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from dxtracker.errors import DatabaseError
from dxtracker.store.connect import open_database
from dxtracker.store.location import LocationError, default_location, parse_location
from tests.core.test_merge_support import cli, show
from tests.helpers import snapshot
from tests.postgres import PASSWORD_ROLE, REQUIRE_ENV, database_name, find_bindir


@pytest.mark.parametrize("given, path", [
    ("dx.sqlite3", "dx.sqlite3"),
    ("C:/Users/a/dx.sqlite3", "C:/Users/a/dx.sqlite3"),
    ("sqlite:////tmp/dx.sqlite3", "/tmp/dx.sqlite3"),
])
def test_a_path_still_means_a_sqlite_file(given, path):
    location = parse_location(given)
    assert not location.is_server and location.path == Path(path)
    assert location.dialect == "sqlite"


@pytest.mark.parametrize("given, shown", [
    ("postgresql://hq.example.lg.jp/dxtracker",
     "postgresql+psycopg://hq.example.lg.jp/dxtracker"),
    ("postgres://kikaku@hq:5433/dx?sslmode=require",
     "postgresql+psycopg://kikaku@hq:5433/dx?sslmode=require"),
    ("postgresql+psycopg://kikaku:s3cret@hq/dx", "postgresql+psycopg://kikaku@hq/dx"),
])
def test_a_url_names_a_server_database_and_its_password_is_never_shown(given, shown):
    location = parse_location(given)
    assert location.is_server and location.dialect == "postgresql"
    assert location.name == str(location) == shown
    assert "s3cret" not in repr(location) + location.name
    assert location.password == ("s3cret" if "s3cret" in given else None)


@pytest.mark.parametrize("given, message", [
    ("mysql://hq/dx", "PostgreSQL"),
    ("postgresql://kikaku:s3cret@hq", "データベース名がありません"),
])
def test_a_url_we_cannot_use_is_refused_without_showing_its_password(given, message):
    with pytest.raises(LocationError, match=message) as refused:
        parse_location(given)
    assert "s3cret" not in str(refused.value) + refused.value.message_en


def test_the_environment_may_name_a_server(monkeypatch):
    monkeypatch.setenv("DXTRACKER_DB", "postgresql://hq/dx")
    assert default_location().name == "postgresql+psycopg://hq/dx"


def test_a_server_that_does_not_answer_is_named_without_the_password(capsys):
    code, _, err = cli("postgresql://kikaku:s3cret@127.0.0.1:1/dx", "plan", "show")
    assert code == 1 and "サーバーに接続できません" in err and "127.0.0.1" in err
    assert "s3cret" not in err


def test_init_on_an_empty_server_database_loads_the_default_plan(empty_pg_url, tmp_path):
    code, _, err = cli(empty_pg_url, "init")
    assert code == 0, err
    file = tmp_path / "same.sqlite3"
    assert cli(file, "init")[0] == 0
    assert show(empty_pg_url) == show(file)


def test_init_refuses_a_database_that_is_not_empty_without_force(pg_url):
    code, _, err = cli(pg_url, "actual", "set", "--kpi", "P03-K2", "--fy", "R4", "--value", "5")
    assert code == 0, err
    before = show(pg_url)
    code, _, err = cli(pg_url, "init")
    assert code == 1 and "--force" in err
    assert show(pg_url) == before
    assert cli(pg_url, "init", "--force")[0] == 0
    assert show(pg_url) != before  # the plan as loaded, without the actual entered


def test_an_empty_server_database_is_not_opened_as_ours(empty_pg_url):
    code, _, err = cli(empty_pg_url, "plan", "show")
    assert code == 1 and "dxtracker init" in err


def test_plan_import_builds_the_plan_on_a_server(empty_pg_url, db_path, tmp_path):
    workbook = tmp_path / "plan.xlsx"
    assert cli(db_path, "plan", "export", "-o", workbook)[0] == 0
    code, _, err = cli(db_path, "plan", "import", workbook, "--db", empty_pg_url)
    assert code == 0, err
    assert show(empty_pg_url)["projects"] == show(db_path)["projects"]


def test_the_password_goes_to_the_server_and_nowhere_else(pg_cluster, pg_url):
    name = database_name(pg_url)
    pg_cluster.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                       f"'{PASSWORD_ROLE}') THEN CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD "
                       f"'p@ss w0rd'; END IF; END $$; GRANT SELECT ON ALL TABLES IN SCHEMA "
                       f"public TO {PASSWORD_ROLE}", name)
    plain = pg_cluster.url(name, user=PASSWORD_ROLE, tcp=True)
    in_url = plain.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:p%40ss%20w0rd@")
    # in the URL as typed, or handed over separately (as the credential store will)
    for location in (in_url, parse_location(plain).with_password("p@ss w0rd")):
        with open_database(location) as db:
            assert snapshot(db)["plan"]["title"]
            assert "w0rd" not in db.name and "%20" not in db.name
    with pytest.raises(DatabaseError, match="password authentication failed") as refused:
        open_database(parse_location(plain).with_password("wrong s3cret"))
    assert "s3cret" not in str(refused.value) + refused.value.message_en


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test server's key")
@pytest.mark.parametrize("query", ["sslmode=require", "sslmode=verify-full&sslrootcert={ca}"])
def test_sslmode_is_passed_to_the_driver(pg_cluster, pg_url, query):
    name = database_name(pg_url)
    url = pg_cluster.url(name, tcp=True, query=query.format(ca=pg_cluster.ca_file))
    url = url.replace("127.0.0.1", "localhost") if "verify-full" in query else url
    with open_database(url) as db, db.read() as session:
        assert session.execute(text(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar() is True


def test_a_server_database_has_no_file_to_copy(pg_url, tmp_path):
    with open_database(pg_url) as db:
        assert db.path is None and db.is_server
        with pytest.raises(DatabaseError, match="pg_dump"):
            db.backup_to(tmp_path / "copy.sqlite3")
        assert db.check_integrity() == [] and db.journal_mode() == ""
    assert list(tmp_path.iterdir()) == []


def test_audit_list_works_on_a_server(pg_url):
    cli(pg_url, "actual", "set", "--kpi", "P03-K2", "--fy", "R4", "--value", "5")
    code, out, _ = cli(pg_url, "audit", "list", "--text", "p03-k2", "--json")
    assert code == 0
    assert [e["new_value"] for e in json.loads(out)] == ["5"]


def test_postgresql_is_there_where_it_is_required():
    """CI sets DXTRACKER_REQUIRE_POSTGRES=1 (.ci/run): there, no PostgreSQL test may be
    skipped; the fixture fails instead of skipping, and this says why."""
    if REQUIRE_ENV not in os.environ:
        pytest.skip(f"{REQUIRE_ENV} is not set (only CI requires PostgreSQL)")
    assert find_bindir() is not None, "scripts/setup.sh installs Debian's postgresql"
