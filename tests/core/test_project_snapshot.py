"""`project_snapshot`: one project in the `plan show --json` shape (the desktop app's project
view reads it)."""

from __future__ import annotations

import pytest

from dxtracker.errors import NotFound
from dxtracker.plan.snapshot import plan_snapshot, project_snapshot


def test_one_project_is_the_same_as_in_the_whole_plan(db) -> None:
    with db.read() as session:
        whole = plan_snapshot(session)
        one = project_snapshot(session, "P03")
    assert one == next(p for p in whole["projects"] if p["code"] == "P03")
    assert [k["code"] for k in one["kpis"]][:1] == ["P03-K1"]


def test_an_unknown_code_is_refused_with_a_message(db) -> None:
    with db.read() as session, pytest.raises(NotFound) as caught:
        project_snapshot(session, "P99")
    assert "P99" in caught.value.message("ja") and "P99" in caught.value.message("en")
