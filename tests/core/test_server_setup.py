"""`dxtracker server setup`: roles per department and headquarters, privileges and row-level
security on a real PostgreSQL server, tried with real login roles and connections: a
department writes its own rows and nobody else's, even with its own SQL client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors as pg_errors

from dxtracker.errors import DatabaseError
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns.apply import merge_returns
from dxtracker.store import policies, postgres
from dxtracker.store.connect import open_database
from dxtracker.store.roles import department_role_name
from tests.core.test_merge_support import cli, export, fill, kpi
from tests.helpers import snapshot
from tests.postgres import PgCluster, database_name

FY = 2022
# Login roles of the test cluster (roles are cluster-wide: made once, used by every database)
D03, D01, HQ, NOBODY = "rls_shoko", "rls_chiji", "rls_honbu", "rls_nobody"
GRANTS = (f"{D03}=商工労働部", f"{D01}=D01", f"{HQ}=本部")


@pytest.fixture
def server(pg_cluster: PgCluster, pg_url: str) -> Iterator[tuple[PgCluster, str]]:
    """A database set up by `server setup` (as the owner), with a D01 actual of P01-K2 and
    one of each department for P01-K1 (全部局, summed) already entered by headquarters."""
    for user in (D03, D01, HQ, NOBODY):
        pg_cluster.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                           f"'{user}') THEN CREATE ROLE {user} LOGIN; END IF; END $$")
    code, _, err = cli(pg_url, "server", "setup", *(f"--grant={g}" for g in GRANTS))
    assert code == 0, err
    with open_database(pg_url) as db:
        set_actual(db, "P01-K2", FY, "5")
        set_actual(db, "P01-K1", FY, "10", department="知事政策局")
        set_actual(db, "P01-K1", FY, "20", department="商工労働部")
    yield pg_cluster, database_name(pg_url)


def connect(server: tuple[PgCluster, str], user: str) -> psycopg.Connection[Any]:
    cluster, name = server
    return psycopg.connect(f"host={cluster.socket_dir} port={cluster.port} dbname={name} "
                           f"user={user}")


def url_of(server: tuple[PgCluster, str], user: str) -> str:
    cluster, name = server
    return cluster.url(name, user=user)


def run(conn: psycopg.Connection[Any], sql: str, *params: object) -> int:
    """One statement in its own transaction (rolled back on error); the rows it touched."""
    with conn.transaction():
        return conn.execute(sql, params).rowcount  # type: ignore[arg-type]


def actual_id(conn: psycopg.Connection[Any], kpi: str, department: str) -> int:
    return conn.execute(
        "SELECT a.id FROM kpi_actual a JOIN kpi k ON k.id = a.kpi_id JOIN department d ON "
        "d.id = a.department_id WHERE k.code = %s AND d.code = %s AND a.fiscal_year = %s",
        (kpi, department, FY)).fetchone()[0]


def test_setup_twice_changes_nothing_the_second_time(server):
    cluster, name = server
    url = cluster.url(name)
    code, out, err = cli(url, "server", "setup", f"--grant={D03}=D03", "--lang", "en")
    assert code == 0, err
    assert "  created" not in out and "0 created or changed" in out
    assert f"already there  user {D03} -> dxt_dept_d03" in out
    assert "already there  policy kpi_actual_department_update (table kpi_actual)" in out
    code, out, _ = cli(url, "server", "setup")
    assert code == 0 and "  作成" not in out and "0件を作成・変更" in out


def test_a_new_database_gets_its_mapping_policies_and_privileges(pg_cluster, pg_url):
    code, out, err = cli(pg_url, "server", "setup")
    assert code == 0, err
    created = [line for line in out.splitlines() if line.startswith("  作成")]
    assert "  作成  部局 商工労働部 のロールを dxt_dept_d03 と記録" in created
    assert any("ポリシー kpi_actual_department_update" in line for line in created)
    assert any("権限と行単位のセキュリティ" in line for line in created)
    with connect((pg_cluster, database_name(pg_url)), "postgres") as conn:
        secured = conn.execute("SELECT relname FROM pg_class WHERE relrowsecurity "
                               "ORDER BY relname").fetchall()
        mapped = conn.execute("SELECT count(*) FROM department_role").fetchone()[0]
        departments = conn.execute("SELECT count(*) FROM department WHERE NOT retired"
                                   ).fetchone()[0]
    assert [r[0] for r in secured] == sorted(policies.SECURED_TABLES)
    assert mapped == departments == 13


def test_a_department_writes_its_own_actual_and_not_another_departments(server):
    with connect(server, D03) as conn:
        own, other = actual_id(conn, "P01-K1", "D03"), actual_id(conn, "P01-K1", "D01")
        assert run(conn, "UPDATE kpi_actual SET value = '21' WHERE id = %s", own) == 1
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, "UPDATE kpi_actual SET value = '99' WHERE id = %s", other)
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, "UPDATE kpi_actual SET value = '99'")  # every row: refused, not filtered
        with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
            run(conn, "UPDATE kpi_actual SET department_id = (SELECT department_id FROM "
                      "kpi_actual WHERE id = %s) WHERE id = %s", own, other)  # take it over
        with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
            run(conn, "DELETE FROM kpi_actual WHERE id = %s", other)
        values = dict(conn.execute("SELECT id, value FROM kpi_actual WHERE id IN (%s, %s)",
                                   (own, other)).fetchall())
    assert values == {own: "21", other: "10"}


def test_a_department_inserts_only_its_own_rows_for_items_it_reports(server):
    insert = ("INSERT INTO kpi_actual (kpi_id, fiscal_year, department_id, value, note, "
              "updated_by) SELECT k.id, %s, d.id, '1', '', 'x' FROM kpi k, department d "
              "WHERE k.code = %s AND d.code = %s")
    with connect(server, D03) as conn:
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, insert, FY, "P01-K3", "D01")  # another department's contribution
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, insert, FY, "P01-K2", "D03")  # its own department, a KPI it does not report
        assert run(conn, insert, FY, "P03-K1", "D03") == 1
        # measure progress: the measure's responsible departments decide (a subquery)
        other = conn.execute(
            "SELECT m.code FROM measure m WHERE NOT m.all_departments AND NOT EXISTS (SELECT 1 "
            "FROM measure_department r JOIN department d ON d.id = r.department_id WHERE "
            "r.measure_id = m.id AND d.code = 'D03') ORDER BY m.code LIMIT 1").fetchone()[0]
        progress = ("INSERT INTO measure_progress (measure_id, department_id, fiscal_year, "
                    "record, issues, next_policy, updated_by) SELECT m.id, d.id, %s, 'r', '', '',"
                    " 'x' FROM measure m, department d WHERE m.code = %s AND d.code = 'D03'")
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, progress, FY, other)
        assert run(conn, progress, FY, "P03-M1") == 1


def test_audit_entries_of_its_own_department_only_and_never_changed(server):
    add = ("INSERT INTO audit_entry (at, \"user\", department, source, source_detail, entity, "
           "entity_code, field, reason) VALUES (now(), 'x', %s, 'cli', '', 'kpi_actual', "
           "'P03-K1/2022/D03', 'actual', '')")
    with connect(server, D03) as conn:
        assert run(conn, add, "商工労働部") == 1
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, add, "知事政策局")
        with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
            run(conn, "UPDATE audit_entry SET reason = 'hidden'")
        with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
            run(conn, "DELETE FROM audit_entry")


def test_plan_tables_are_headquarters_own_and_headquarters_writes_everything(server):
    with connect(server, D03) as conn:
        for sql in ("UPDATE kpi_target SET value = '1'", "DELETE FROM kpi_reporting_department",
                    "UPDATE return_review SET state = 'accepted'",
                    "INSERT INTO department_role VALUES (1, 'rls_shoko')"):
            with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
                run(conn, sql)
    with connect(server, HQ) as conn:
        other = actual_id(conn, "P01-K2", "D01")
        assert run(conn, "UPDATE kpi_actual SET value = '7' WHERE id = %s", other) == 1
        assert run(conn, "UPDATE kpi_target SET note = 'HQ' WHERE fiscal_year = %s", FY) > 0
        with pytest.raises(pg_errors.InsufficientPrivilege, match="permission denied"):
            run(conn, "INSERT INTO department_role VALUES (1, 'rls_honbu')")  # the owner's


def test_no_role_of_ones_own_and_no_temporary_table_opens_other_rows(server):
    # a login without a department: reads nothing
    with connect(server, NOBODY) as conn, pytest.raises(pg_errors.InsufficientPrivilege):
        run(conn, "SELECT count(*) FROM kpi_actual")
    with connect(server, D03) as conn:
        other = actual_id(conn, "P01-K2", "D01")
        conn.execute("CREATE TEMPORARY TABLE department_role (department_id integer, "
                     "role_name text)")
        conn.execute("INSERT INTO department_role SELECT id, 'rls_shoko' FROM department")
        with pytest.raises(pg_errors.InsufficientPrivilege, match="row-level security"):
            run(conn, "UPDATE kpi_actual SET value = '99' WHERE id = %s", other)
        with pytest.raises(pg_errors.InsufficientPrivilege):
            run(conn, "SET ROLE dxt_headquarters")


def test_the_update_grant_covers_every_column_but_whose_and_which_row(server):
    with connect(server, "postgres") as conn:
        for rule in policies.DEPARTMENT_ROWS:
            columns = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                (rule.table,))}
            granted = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.column_privileges WHERE "
                "table_name = %s AND grantee = %s AND privilege_type = 'UPDATE'",
                (rule.table, policies.USER_ROLE))}
            assert granted == columns - set(rule.fixed) and "department_id" not in granted
            assert {"value" if rule.table == "kpi_actual" else "record"} <= granted


def test_the_app_as_a_department_user_enters_its_own_figures(server):
    with open_database(url_of(server, D03)) as db:
        change = set_actual(db, "P03-K1", FY, "４１", note="確定")
        assert change.new_value == "41"
        progress = set_progress(db, "P03-M1", FY, "商工労働部", status="順調", record="説明会")
        assert progress.changes["record"] == ("", "説明会")
        set_actual(db, "P01-K1", FY, "25", department="商工労働部")  # its part of 全部局
        with pytest.raises(DatabaseError) as refused:
            set_actual(db, "P01-K2", FY, "8", department="知事政策局")
    message = str(refused.value)
    assert "ほかの部局のもの" in message and "本部" in message and "kpi_actual" in message
    assert "another department" in refused.value.message_en
    with open_database(url_of(server, "postgres")) as db:
        plan = snapshot(db)
    kpis = {k["code"]: k for p in plan["projects"] for k in p["kpis"]}
    assert kpis["P03-K1"]["actuals"][str(FY)]["display"] == "41"
    assert kpis["P01-K2"]["actuals"][str(FY)]["display"] == "5"  # unchanged


def test_headquarters_merges_a_departments_return(server, tmp_path, monkeypatch):
    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 1)  # COPY wherever the server allows it
    def filled(value: str) -> Path:
        path = export(url_of(server, "postgres"), "商工労働部", FY, tmp_path / f"{value}.xlsx")
        return fill(path, kpis={"P03-K1": {"actual": value, "note": "回答"}})

    with open_database(url_of(server, HQ)) as db:
        report = merge_returns(db, [filled("44")])
        assert report.exit_code == 0, report.files[0].preview.errors
        assert kpi(snapshot(db), "P03-K1")["actuals"][str(FY)]["display"] == "44"
    with open_database(url_of(server, D03)) as db:  # merging is headquarters' alone
        report = merge_returns(db, [filled("45")])
        assert report.exit_code == 1 and report.files[0].outcome == "refused"
        refusal = report.files[0].preview.errors[0].message_ja
        assert "permission denied for table merge_run" in refusal
        assert kpi(snapshot(db), "P03-K1")["actuals"][str(FY)]["display"] == "44"


def test_two_connections_another_departments_update_fails_while_the_owner_writes(server):
    """Two real connections at once: 商工労働部 holds its own row in an open transaction;
    知事政策局's UPDATE of that row fails at the database (it does not wait and overwrite)."""
    with connect(server, D03) as owner, connect(server, D01) as intruder:
        row = actual_id(owner, "P01-K1", "D03")
        owner.execute("UPDATE kpi_actual SET value = '30' WHERE id = %s", (row,))  # not committed
        outcome: dict[str, BaseException] = {}

        def intrude() -> None:
            try:
                run(intruder, "UPDATE kpi_actual SET value = '0' WHERE id = %s", row)
            except psycopg.Error as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=intrude)
        thread.start()
        thread.join(30)
        owner.commit()
        thread.join(30)
        assert isinstance(outcome.get("error"), pg_errors.InsufficientPrivilege)
        assert owner.execute("SELECT value FROM kpi_actual WHERE id = %s", (row,)
                             ).fetchone()[0] == "30"


def test_setup_refuses_a_file_a_role_without_createrole_and_unknown_people(server, db_path):
    code, _, err = cli(db_path, "server", "setup", "--lang", "en")
    assert code == 1 and "server setup is for a PostgreSQL database" in err
    code, _, err = cli(db_path, "server", "setup")
    assert code == 1 and "PostgreSQL のデータベースのためのもの" in err
    code, _, err = cli(url_of(server, HQ), "server", "setup")
    assert code == 1 and "CREATEROLE" in err and "何も変更していません" in err
    code, _, err = cli(url_of(server, "postgres"), "server", "setup", "--grant=nosuchuser=D03")
    assert code == 1 and "nosuchuser" in err
    code, _, err = cli(url_of(server, "postgres"), "server", "setup", "--grant=x")
    assert code == 1 and "利用者=部局" in err


def test_role_names_are_plain_identifiers():
    assert department_role_name("D03") == "dxt_dept_d03"
    assert department_role_name("商工-1") == "dxt_dept____1"
