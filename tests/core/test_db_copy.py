"""`dxtracker db copy`: a whole database from SQLite to PostgreSQL and back, losing nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dxtracker.store.connect import open_database
from dxtracker.store.copy import copy_whole_database
from tests.core.test_merge_support import cli, export, fill, show
from tests.helpers import contents
from tests.postgres import database_name

FY = 2022


def worked_on(db_path: Path, folder: Path) -> None:
    """A database with a bit of everything: entries, a revision, a grade, a merged return
    with a proposal (import history, undo records) and an undone merge."""
    for args in (
        ("actual", "set", "--kpi", "P03-K2", "--fy", "R4", "--value", "１，２３４件", "--note", "速報"),
        ("actual", "set", "--kpi", "P01-K1", "--fy", "R4", "--value", "12", "--dept", "土木部"),
        ("progress", "set", "--measure", "P03-M1", "--fy", "R4", "--dept", "商工労働部",
         "--status", "順調", "--record", "説明会を3回開催"),
        ("plan", "revise", "--kpi", "P03-K1", "--fy", "R5", "--value", "46", "--reason", "上方修正"),
        ("grade", "set", "--kpi", "P01-K2", "--fy", "R4", "--grade", "A", "--reason", "半数"),
    ):
        code, _, err = cli(db_path, *args)
        assert code == 0, err
    for department, actual in (("土木部", "77"), ("商工労働部", "41")):
        path = export(db_path, department, FY, folder)
        fill(path, kpis={"P01-K1": {"actual": actual, "note": "確定"}},
             proposals=[{"kpi_code": "P01-K1", "fiscal_year": "令和5年度", "value": 99,
                         "reason": "実績が伸びたため"}] if department == "商工労働部" else ())
        code, _, err = cli(db_path, "return", "merge", path)
        assert code == 0, err
    assert cli(db_path, "return", "undo")[0] == 0  # the second merge, undone


def listed(location: object, *args: str) -> str:
    code, out, err = cli(location, *args)  # type: ignore[arg-type]
    assert code == 0, err
    return out


def test_sqlite_to_postgresql_and_back_loses_nothing(db_path, folder, empty_pg_url, tmp_path):
    worked_on(db_path, folder)
    back = tmp_path / "back.sqlite3"
    assert cli("unused", "db", "copy", db_path, empty_pg_url)[0] == 0
    assert cli("unused", "db", "copy", empty_pg_url, back)[0] == 0

    for what in (("plan", "show", "--json"), ("audit", "list", "--json"),
                 ("return", "history")):
        original = listed(db_path, *what)
        assert listed(empty_pg_url, *what) == original, what
        assert listed(back, *what) == original, what
    assert len(json.loads(listed(back, "audit", "list", "--json"))) > 10
    assert "商工労働部" in listed(back, "return", "history")
    # every row of every table, not only what the commands show
    with open_database(db_path) as a, open_database(empty_pg_url) as b, \
            open_database(back) as c:
        assert contents(a) == contents(b) == contents(c)


def test_the_copy_goes_on_where_the_source_stopped(db_path, empty_pg_url):
    """New rows get new ids (the server's sequences continue after the copied rows: without
    that, the first new row would take id 1 and collide)."""
    copy_whole_database(db_path, empty_pg_url)
    for value in ("5", "6"):
        code, _, err = cli(empty_pg_url, "actual", "set", "--kpi", "P03-K2", "--fy", "R4",
                           "--value", value)
        assert code == 0, err
    with open_database(empty_pg_url) as db:
        audit = contents(db)["audit_entry"]
    # (entity_code, field, old_value, new_value) of the last two entries
    assert [row[-5:-1] for row in audit[-2:]] == [("P03-K2/2022/D04", "actual", None, "5"),
                                                 ("P03-K2/2022/D04", "actual", "5", "6")]


def test_a_target_that_is_not_empty_is_refused_without_force(db_path, pg_url, capsys):
    before = show(pg_url)
    cli(db_path, "actual", "set", "--kpi", "P03-K2", "--fy", "R4", "--value", "5")
    code, _, err = cli("unused", "db", "copy", db_path, pg_url)
    assert code == 1 and "--force" in err
    assert show(pg_url) == before
    assert cli("unused", "db", "copy", db_path, pg_url, "--force")[0] == 0
    assert show(pg_url) == show(db_path)


def test_a_file_target_is_refused_too_and_the_source_is_never_the_target(db_path, tmp_path):
    other = tmp_path / "other.sqlite3"
    other.write_bytes(b"")
    code, _, err = cli("unused", "db", "copy", db_path, other)
    assert code == 1 and "--force" in err
    code, _, err = cli("unused", "db", "copy", db_path, db_path, "--force")
    assert code == 1 and "コピー元と同じ" in err


def test_a_database_of_somebody_else_is_never_replaced(db_path, empty_pg_url, pg_cluster):
    name = database_name(empty_pg_url)
    pg_cluster.execute("CREATE TABLE payroll (id int)", name)
    code, _, err = cli("unused", "db", "copy", db_path, empty_pg_url, "--force")
    assert code == 1 and "DX Tracker以外の表" in err


def test_a_value_the_server_cannot_hold_is_named_and_nothing_is_copied(db_path, empty_pg_url):
    # SQLite keeps a text longer than its column's length; PostgreSQL refuses it.
    con = sqlite3.connect(db_path)
    con.execute("UPDATE department SET code = ? WHERE code = 'D13'", ("x" * 40,))
    con.commit()
    con.close()
    code, _, err = cli("unused", "db", "copy", db_path, empty_pg_url)
    assert code == 1 and "department" in err and "何もコピーしていません" in err
    code, _, _ = cli(empty_pg_url, "plan", "show")
    assert code == 1  # still empty: not a DX Tracker database
