"""The audit log: who, when, what, why and from where — filtered and exported."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from dxtracker.cli import main
from dxtracker.figures.entry import set_actual
from dxtracker.plan import edit_kpis
from dxtracker.plan.revisions import revise_target
from dxtracker.store.audit_query import (
    COLUMNS,
    AuditFilter,
    distinct_values,
    export_audit,
    query_audit,
)
from dxtracker.store.models import AuditEntry


def changes(db) -> None:
    set_actual(db, "P03-K2", 2022, "25", department="土木部", source="form")
    revise_target(db, "P03-K1", 2023, "46", "上方修正", source="cli")
    edit_kpis.edit_kpi(db, "P03-K1", note="=HYPERLINK(\"x\")", source="form")


def test_every_change_says_who_when_what_why_and_from_where(db):
    changes(db)
    with db.read() as session:
        rows = query_audit(session)
    assert [r.entity for r in rows] == ["kpi", "revision", "kpi_actual"]  # newest first
    revision = rows[1]
    assert (revision.entity_code, revision.old_value, revision.new_value) == (
        "P03-K1/2023", "44", "46")
    assert (revision.reason, revision.source) == ("上方修正", "cli")
    assert rows[2].department == "土木部" and rows[2].user == rows[0].user
    assert abs(rows[0].at - datetime.now()) < timedelta(minutes=5)


def test_filters(db):
    changes(db)
    with db.read() as session:
        def codes(**criteria) -> list[str]:
            return [r.entity_code for r in query_audit(session, AuditFilter(**criteria))]

        assert codes(source="form") == ["P03-K1", "P03-K2/2022/D04"]
        assert codes(entity="revision") == ["P03-K1/2023"]
        assert codes(code="p03-k2") == ["P03-K2/2022/D04"]
        assert codes(text="上方") == ["P03-K1/2023"]
        assert codes(department="土木") == ["P03-K2/2022/D04"]
        assert codes(user="no-such-user") == []
        assert codes(since=date.today(), until=date.today(), source="cli") == ["P03-K1/2023"]
        assert codes(until=date.today() - timedelta(days=1)) == []
        assert distinct_values(session, "source") == ["cli", "form"]
        assert len(query_audit(session, limit=2)) == 2


def test_the_until_day_is_included(db):
    changes(db)
    with db.transaction() as session:
        session.execute(update(AuditEntry).values(at=datetime(2023, 3, 31, 23, 59, 59)))
    with db.read() as session:
        assert len(query_audit(session, AuditFilter(since=date(2023, 3, 31),
                                                    until=date(2023, 3, 31)))) == 3
        assert query_audit(session, AuditFilter(since=date(2023, 4, 1))) == []


def test_export_to_excel_keeps_text_as_text(db, tmp_path):
    changes(db)
    with db.read() as session:
        rows = query_audit(session)
    path = export_audit(rows, tmp_path / "audit.xlsx")
    sheet = load_workbook(path)["audit"]
    assert [c.value for c in sheet[1]] == [header for _, header in COLUMNS]
    assert sheet.max_row == len(rows) + 1
    assert isinstance(sheet["A2"].value, datetime)
    note = sheet.cell(row=2, column=10)
    assert note.value == "=HYPERLINK(\"x\")" and note.data_type == "s"


def test_cli_audit_list_json_and_export(db_path, db, tmp_path, capsys):
    changes(db)
    capsys.readouterr()
    assert main(["--db", str(db_path), "audit", "list", "--source", "form", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["entity"] for e in shown] == ["kpi", "kpi_actual"]
    assert main(["--db", str(db_path), "audit", "list", "--entity", "revision"]) == 0
    assert "44 → 46  理由: 上方修正" in capsys.readouterr().out
    target = tmp_path / "a.xlsx"
    assert main(["--db", str(db_path), "audit", "list", "--export", str(target)]) == 0
    assert load_workbook(target)["audit"].max_row == 4
