"""The report in English (`--lang en`): every heading, header, label, legend and note of the
workbook, its charts and the PDF is English; the plan's own words stay as the plan writes them.

To tell the two apart the test writes the plan in English first — every name, title, unit,
department and text of the embedded plan replaced by an ASCII stand-in ("T17"), figures kept
(their canonical text, "50以上" or "約1,900", is the plan's writing and allowed) — and then
looks for Japanese anywhere in the report. Any Japanese found is fixed text of ours.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.text
import pytest
from openpyxl import load_workbook

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.figures.format import format_value
from dxtracker.figures.parse import parse_value
from dxtracker.figures.values import Composite, Words
from dxtracker.plan.bootstrap import create_database
from dxtracker.report.comparison import build_comparison
from dxtracker.report.grade_store import set_manual_grade
from dxtracker.report.making import make_report
from dxtracker.report.summary import build_report_data
from dxtracker.store.models import STATUSES
from dxtracker.store.paths import default_plan_path

JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")
FIGURE_KEYS = ("baseline", "targets", "actuals", "old", "new")
KEPT = {"全部局", *STATUSES}  # a marker the plan format defines, and the statuses' names


class Stand_ins:
    """Japanese text → "T1", "T2", … (the same text, the same stand-in)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not JAPANESE.search(text) or text in KEPT:
            return text
        return self.names.setdefault(text, f"T{len(self.names) + 1}")

    def figure(self, text: str | None, unit: str) -> str | None:
        value = parse_value(text, unit=unit, allow_words=True)
        if isinstance(value, Words):
            return self(value.text)
        if isinstance(value, Composite):
            return format_value(Composite(tuple(
                (self(label), Words(self(part.text)) if isinstance(part, Words) else part)
                for label, part in value.parts)))
        return text


def english_plan(data: Any, names: Stand_ins, unit: str = "", key: str = "") -> Any:
    if isinstance(data, dict):
        unit = data.get("unit", unit) or ""
        if key in FIGURE_KEYS:  # targets and actuals: year → figure
            return {k: names.figure(v, unit) for k, v in data.items()}
        return {k: english_plan(v, names, unit, k) for k, v in data.items()}
    if isinstance(data, list):
        return [english_plan(v, names, unit, key) for v in data]
    if isinstance(data, str):
        return names.figure(data, unit) if key in FIGURE_KEYS else names(data)
    return data


@pytest.fixture(scope="module")
def english_report(tmp_path_factory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("english")
    plan = json.loads(default_plan_path().read_text(encoding="utf-8"))
    names = Stand_ins()
    plan = english_plan(plan, names)
    plan_file = folder / "plan-en.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    departments = [d["name"] for d in plan["departments"]]
    with create_database(folder / "en.sqlite3", plan_file) as db:
        # A status, a record, contributions and a grade by hand, so that every block shows.
        set_progress(db, "P01-M1", 2022, departments[0], status="やや遅れ", record="Done A",
                     issues="Issue B", next_policy="Plan C")
        set_progress(db, "P01-M1", 2021, departments[0], status="順調", record="Done Z")
        set_actual(db, "P01-K3", 2022, "9,100", department=departments[0], note="Note D")
        set_actual(db, "P01-K3", 2022, "400", department=departments[2])
        set_manual_grade(db, "P01-K2", 2022, "B", "Half of the tasks")
        with db.read() as session:
            data = build_report_data(session, 2022, language="en")
            comparison = build_comparison(session, 2022, since="year", snapshot=data.snapshot)
        drawn: list[str] = []
        original = matplotlib.text.Text.draw

        def recording_draw(self, renderer):  # type: ignore[no-untyped-def]
            drawn.append(self.get_text())
            return original(self, renderer)

        matplotlib.text.Text.draw = recording_draw  # every text of every chart, PNG and PDF
        try:
            make_report(data, folder / "report.xlsx", pdf=folder / "report.pdf",
                        comparison=comparison)
        finally:
            matplotlib.text.Text.draw = original
    return {"folder": folder, "data": data, "drawn": drawn, "names": names}


def figure_texts(snapshot: dict[str, Any]) -> set[str]:
    """Every figure's canonical text in the plan (the plan's writing: "50以上", "約1,900")."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "display" in node and "kind" in node:
                found.add(node["display"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(snapshot)
    return found


def japanese_left(texts: Iterator[str], allowed: set[str]) -> list[str]:
    """Japanese runs in `texts` once every allowed text is taken out."""
    left = set()
    ordered = sorted(allowed, key=len, reverse=True)
    for text in texts:
        for figure in ordered:
            text = text.replace(figure, " ")
        left.update(JAPANESE.findall(text))
    return sorted(left)


def workbook_texts(path: Path) -> Iterator[str]:
    book = load_workbook(path, rich_text=True)
    for sheet in book.worksheets:
        yield sheet.title
        yield str(sheet.oddFooter.center.text or "")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield str(cell.value)


def test_the_plan_was_written_in_english(english_report) -> None:
    snapshot = english_report["data"].snapshot
    assert not JAPANESE.search(snapshot["projects"][0]["title"])
    assert len(english_report["names"].names) > 300  # names, titles, texts all replaced


def test_the_english_workbook_has_no_japanese_of_ours(english_report) -> None:
    allowed = figure_texts(english_report["data"].snapshot)
    texts = list(workbook_texts(english_report["folder"] / "report.xlsx"))
    assert japanese_left(iter(texts), allowed) == []
    joined = "\n".join(texts)
    for words in ("Summary", "Data", "Year on year", "Progress and grades, FY2022 (summary)",
                  "Slightly behind", "Baseline", "Grades by KPI (FY2022)", "Achievement",
                  "Changed", "revised from"):
        assert words in joined, words


def test_the_english_charts_have_no_japanese_of_ours(english_report) -> None:
    drawn = english_report["drawn"]
    assert any("Target (dashed)" in t or t == "Target" for t in drawn)
    assert any(t.startswith("Grade for FY2022:") for t in (line for d in drawn
                                                       for line in d.split("\n")))
    assert japanese_left(iter(drawn), figure_texts(english_report["data"].snapshot)) == []


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed; CI installs it")
def test_the_english_pdf_has_no_japanese_of_ours(english_report) -> None:
    text = subprocess.run(["pdftotext", str(english_report["folder"] / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Progress and grades, FY2022" in text and "Lead department" in text
    assert japanese_left(iter(text.splitlines()),
                         figure_texts(english_report["data"].snapshot)) == []


def test_the_check_finds_japanese_of_ours(english_report, tmp_path) -> None:
    """The same report in Japanese: the check above would fail on it."""
    data = english_report["data"]
    from dataclasses import replace

    from dxtracker.report.wording import Wording
    japanese = replace(data, wording=Wording("ja"))
    from dxtracker.report.workbook import write_report

    write_report(japanese, tmp_path / "ja.xlsx")
    left = japanese_left(workbook_texts(tmp_path / "ja.xlsx"), figure_texts(data.snapshot))
    assert "総括" in left and "やや遅れ" in left
