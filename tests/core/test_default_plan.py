"""The embedded default plan holds the seed document, figure by figure.

The expected figures are read from the seed document itself (tests/core/seed_document.txt, the
tab-separated text of 資料1-2), not from the plan file, so a transcription slip fails here.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from dxtracker.plan.snapshot import plan_snapshot
from tests.core.conftest import SEED_DOCUMENT

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def snapshot(template_db):
    from dxtracker.store.connect import open_database

    with open_database(template_db) as db, db.read() as session:
        return plan_snapshot(session)


def all_kpis(snapshot):
    return [k for p in snapshot["projects"] for k in p["kpis"]]


def test_counts(snapshot):
    assert len(snapshot["visions"]) == 5
    assert [p["number"] for p in snapshot["projects"]] == list(range(1, 11))
    assert len(all_kpis(snapshot)) == 28
    assert sum(len(p["measures"]) for p in snapshot["projects"]) == 26
    assert sum(len(k["revisions"]) for k in all_kpis(snapshot)) == SEED.count("からの修正")
    names = [d["name"] for d in snapshot["departments"]]
    for expected in ("知事政策局", "地方創生局", "商工労働部", "土木部", "農林水産部", "交通政策局",
                     "厚生部", "教育委員会", "危機管理局", "生活環境文化部", "警察本部",
                     "経営管理部", "企業局"):
        assert expected in names


def test_projects_match_seed_headers(snapshot):
    headers = re.findall(r"\((\d+)\)\s*(\S+?プロジェクト)\t主管部局\t(\S+)", SEED)
    assert len(headers) == 10
    by_number = {p["number"]: p for p in snapshot["projects"]}
    for number, title, lead in headers:
        project = by_number[int(number)]
        assert (project["title"], project["lead_department"]) == (title, lead)


def _seed_kpi_cells(name: str) -> list[str]:
    """The cells after a KPI's name on its seed line: baseline, FY2021, FY2022, FY2023."""
    for line in SEED.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        for i, cell in enumerate(cells):
            if cell.replace("【新】", "").strip().startswith(name):
                rest = [c for c in cells[i + 1:] if c != ""]
                return rest[:4]
    raise AssertionError(f"KPI name not found in the seed: {name}")


def _squash(text: str) -> str:
    """Ignore layout words the seed puts around figures; keep every figure and its order."""
    text = unicodedata.normalize("NFKC", text)
    for word in ("目標", "実績", "現状", "千件", " ", "　"):
        text = text.replace(word, "")
    return text


def _render_year(kpi: dict, fy: int) -> str:
    target = kpi["targets"].get(str(fy))
    actual = kpi["actuals"].get(str(fy))
    text = target["display"] if target else ""
    revisions = [r for r in kpi["revisions"] if r["fiscal_year"] == fy]
    if revisions:
        text += f"({revisions[-1]['old_value']['display']}からの修正)"
    if actual:
        text += actual["display"]
    return text or "—"


def test_every_kpi_figure_matches_the_seed(snapshot):
    for kpi in all_kpis(snapshot):
        cells = _seed_kpi_cells(kpi["name"])
        baseline = kpi["baseline"]["display"] if kpi["baseline"] else "—"
        expected = [baseline] + [_render_year(kpi, fy) for fy in (2021, 2022, 2023)]
        assert [_squash(c) for c in expected] == [_squash(c) for c in cells], kpi["code"]


def test_word_range_bound_and_composite_targets_keep_their_kind(snapshot):
    kinds = {(k["code"], fy): (t["kind"] if t else None)
             for k in all_kpis(snapshot) for fy, t in k["targets"].items()}
    assert "range" in kinds.values()
    assert "at_least" in kinds.values()
    assert "words" in kinds.values()
    assert "composite" in kinds.values()


def test_revisions_keep_old_and_new(snapshot):
    revisions = {(k["code"], r["fiscal_year"]): (r["old_value"]["display"],
                                                  r["new_value"]["display"])
                 for k in all_kpis(snapshot) for r in k["revisions"]}
    for new, old in re.findall(r"([\d,.]+) \(([\d,.]+)からの修正\)", SEED):
        assert (old, new) in revisions.values()


def test_discrepancy_between_kpi_table_and_schedule_is_noted(snapshot):
    migration = next(k for k in all_kpis(snapshot) if "くらしたい国" in k["name"])
    assert migration["actuals"]["2021"]["value"] == 146649
    assert any("149,649" in note for note in snapshot["plan"]["notes"])


def test_measures_have_departments_schedule_and_policies(snapshot):
    for project in snapshot["projects"]:
        for measure in project["measures"]:
            assert measure["departments"], measure["code"]
            assert measure["schedule"], measure["code"]
            assert measure["title"], measure["code"]
    everyone = [m for p in snapshot["projects"] for m in p["measures"] if m["all_departments"]]
    assert {m["code"] for m in everyone} >= {"P01-M1", "P01-M2", "P01-M3"}
