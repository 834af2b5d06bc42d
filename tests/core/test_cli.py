from __future__ import annotations

import subprocess
import sys

import pytest

from dxtracker.cli import main
from tests.core.test_merge_support import kpi, show
from tests.helpers import dump


def test_init_then_show_json_prints_the_whole_plan(tmp_path, capsys):
    path = tmp_path / "x.sqlite3"
    assert main(["--db", str(path), "init"]) == 0
    snapshot = show(path)
    assert len(snapshot["projects"]) == 10
    assert sum(len(p["kpis"]) for p in snapshot["projects"]) == 28
    assert sum(len(p["measures"]) for p in snapshot["projects"]) == 26
    project = snapshot["projects"][0]
    assert set(project) >= {"number", "title", "lead_department", "vision", "kpis", "measures"}
    assert project["vision"] == {"number": 1, "title": "県民本位の行政サービスの実現"}
    rpa = kpi(snapshot, "P01-K3")
    assert rpa["revisions"][0]["old_value"]["value"] == 8000
    assert rpa["revisions"][0]["new_value"]["value"] == 10000


def test_init_refuses_to_overwrite_without_force(db_path, capsys):
    before = dump(db_path)
    assert main(["--db", str(db_path), "init"]) == 1
    assert "--force" in capsys.readouterr().err
    assert dump(db_path) == before
    assert main(["--db", str(db_path), "init", "--force"]) == 0


def test_actual_set_parses_full_width_digits_and_unit(db_path, capsys):
    code = main(["--db", str(db_path), "actual", "set", "--kpi", "P03-K2", "--fy", "令和４年度",
                 "--value", "１，２３４件", "--note", "速報値"])
    assert code == 0
    figure = kpi(show(db_path), "P03-K2")
    assert figure["actuals"]["2022"]["value"] == 1234
    assert figure["actual_notes"]["2022"] == "速報値"


def test_actual_set_refuses_bad_value_and_changes_nothing(db_path, capsys):
    before = dump(db_path)
    assert main(["--db", str(db_path), "actual", "set", "--kpi", "P03-K2", "--fy", "2022",
                 "--value", "abc"]) == 1
    err = capsys.readouterr().err
    assert "abc" in err
    assert dump(db_path) == before


def test_contributions_of_several_departments_are_summed(db_path, capsys):
    for dept, value in (("商工労働部", "100"), ("土木部", "１，２３４件")):
        assert main(["--db", str(db_path), "actual", "set", "--kpi", "P01-K1", "--fy", "R4",
                     "--dept", dept, "--value", value]) == 0
    figure = kpi(show(db_path), "P01-K1")
    assert figure["actuals"]["2022"]["value"] == 1334
    breakdown = {c["department"]: c["value"]["value"] for c in figure["contributions"]["2022"]}
    assert breakdown == {"商工労働部": 100, "土木部": 1234}


def test_shared_kpi_needs_a_department(db_path, capsys):
    before = dump(db_path)
    assert main(["--db", str(db_path), "actual", "set", "--kpi", "P01-K1", "--fy", "2022",
                 "--value", "5"]) == 1
    assert "--dept" in capsys.readouterr().err
    assert dump(db_path) == before


def test_department_cannot_report_another_departments_kpi(db_path, capsys):
    assert main(["--db", str(db_path), "actual", "set", "--kpi", "P04-K1", "--fy", "2022",
                 "--dept", "商工労働部", "--value", "5"]) == 1
    assert "報告する部局ではありません" in capsys.readouterr().err


def test_progress_set_and_show(db_path, capsys):
    assert main(["--db", str(db_path), "progress", "set", "--measure", "P03-M1", "--fy", "R4",
                 "--dept", "商工労働部", "--status", "概ね順調", "--record", "セミナーを3回開催",
                 "--issues", "参加企業が少ない", "--policy", "周知を強化"]) == 0
    snapshot = show(db_path)
    measure = next(m for p in snapshot["projects"] for m in p["measures"]
                   if m["code"] == "P03-M1")
    assert measure["progress"] == [measure["progress"][0]]
    row = measure["progress"][0]
    assert (row["fiscal_year"], row["department"], row["status"], row["record"], row["issues"],
            row["next_policy"]) == (2022, "商工労働部", "概ね順調", "セミナーを3回開催",
                                    "参加企業が少ない", "周知を強化")


def test_progress_set_refuses_department_not_responsible(db_path, capsys):
    before = dump(db_path)
    assert main(["--db", str(db_path), "progress", "set", "--measure", "P04-M1", "--fy", "2022",
                 "--dept", "商工労働部", "--status", "順調"]) == 1
    assert dump(db_path) == before


@pytest.mark.parametrize("year", ["2030", "R20"])
def test_fiscal_year_outside_plan_is_refused(db_path, year, capsys):
    assert main(["--db", str(db_path), "actual", "set", "--kpi", "P03-K2", "--fy", year,
                 "--value", "1"]) == 1
    assert "計画期間" in capsys.readouterr().err


def test_bad_usage_exits_2(db_path):
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(db_path), "actual", "set", "--kpi", "P03-K2"])
    assert exc.value.code == 2


def test_missing_database_is_a_user_error(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.sqlite3"), "plan", "show"]) == 1
    assert "dxtracker init" in capsys.readouterr().err


def test_console_script_module_and_version(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dxtracker", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("dxtracker ")


def test_db_from_environment_variable(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("DXTRACKER_DB", str(path))
    assert main(["init"]) == 0
    assert path.exists()


def test_plan_show_text_lists_revisions_in_words(db_path, capsys):
    assert main(["--db", str(db_path), "plan", "show"]) == 0
    out = capsys.readouterr().out
    assert "10,000（8,000からの修正）" in out
    assert "スマート県庁推進プロジェクト" in out
