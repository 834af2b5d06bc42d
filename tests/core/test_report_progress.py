"""The report's progress (step N of M: charts, sheets, saving, PDF pages) and its cancel: a
cancel at any step leaves no file and no temporary file, and an older report stays as it was —
in the core, and in `dxtracker report --progress` run as the app runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dxtracker.report.making import make_report, report_steps
from dxtracker.report.pdf import page_count
from dxtracker.report.steps import ReportCancelled, ReportStep, parse_progress_line, progress_line
from dxtracker.report.summary import build_report_data
from dxtracker.store.connect import open_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(template_db):
    with open_database(template_db) as db, db.read() as session:
        return build_report_data(session, 2021)


def test_every_step_is_reported_once_in_order(data, tmp_path) -> None:
    steps: list[ReportStep] = []
    made = make_report(data, tmp_path / "r.xlsx", pdf=tmp_path / "r.pdf", progress=steps.append)
    total = report_steps(data, pdf=True)
    kpis = sum(len(p["kpis"]) for p in data.projects)
    assert [s.done for s in steps] == list(range(1, total + 1))
    assert {s.total for s in steps} == {total}
    stages = [s.stage for s in steps]
    assert stages == (["chart"] * (kpis + 1) + ["sheet"] * (len(data.projects) + 2) + ["save"]
                      + ["pdf"] * page_count(data))
    assert steps[0].detail == "P01-K1" and steps[-1].detail == str(made.pages)
    assert made.pages == page_count(data) and (tmp_path / "r.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.xlsx"]


def cancel_at(number: int):  # type: ignore[no-untyped-def]
    def progress(step: ReportStep) -> None:
        if step.done == number:
            raise ReportCancelled
    return progress


@pytest.mark.parametrize("stage", ["chart", "sheet", "save", "pdf"])
def test_a_cancel_at_any_stage_leaves_no_file(data, tmp_path, stage) -> None:
    kpis = sum(len(p["kpis"]) for p in data.projects)
    at = {"chart": 3, "sheet": kpis + 3, "save": report_steps(data, pdf=False),
          "pdf": report_steps(data, pdf=False) + 2}[stage]
    seen: list[str] = []

    def progress(step: ReportStep) -> None:
        seen.append(step.stage)
        cancel_at(at)(step)

    with pytest.raises(ReportCancelled):
        make_report(data, tmp_path / "r.xlsx", pdf=tmp_path / "r.pdf", progress=progress)
    assert seen[-1] == stage
    assert list(tmp_path.iterdir()) == []  # neither file, nor a temporary one


def test_a_cancel_keeps_the_reports_made_before(data, tmp_path) -> None:
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    xlsx.write_bytes(b"old workbook")
    pdf.write_bytes(b"old pdf")
    with pytest.raises(ReportCancelled):
        make_report(data, xlsx, pdf=pdf, progress=cancel_at(report_steps(data, pdf=True)))
    assert (xlsx.read_bytes(), pdf.read_bytes()) == (b"old workbook", b"old pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.xlsx"]


def test_protocol_lines_read_back() -> None:
    step = ReportStep(12, 58, "sheet", "P01 スマート\t県庁")
    assert progress_line(step) == "PROGRESS\t12\t58\tsheet\tP01 スマート 県庁"
    assert parse_progress_line(progress_line(step) + "\n") == ReportStep(12, 58, "sheet",
                                                                         "P01 スマート 県庁")
    for other in ("報告書を作成しました: r.xlsx", "PROGRESS\t1\t2\tdance\tx",
                  "PROGRESS\tone\t2\tchart\tx", ""):
        assert parse_progress_line(other) is None


# --------------------------------------------------------------------------- the command


def report_process(db_path: Path, folder: Path, *extra: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "dxtracker", "--db", str(db_path), "report",
         "-o", str(folder / "r.xlsx"), "--pdf", str(folder / "r.pdf"), "--fy", "2021",
         "--progress", *extra],
        cwd=ROOT, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8")


def wait_for_stage(process: subprocess.Popen[str], stage: str) -> list[ReportStep]:
    steps = []
    assert process.stdout is not None
    for line in process.stdout:
        step = parse_progress_line(line)
        assert step is not None, line
        steps.append(step)
        if step.stage == stage:
            return steps
    raise AssertionError(f"the report ended before reaching {stage}")


def test_the_command_reports_each_step_and_finishes(db_path, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    process = report_process(db_path, folder)
    output, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    steps = [parse_progress_line(line) for line in output.splitlines()]
    numbered = [s for s in steps if s is not None]
    assert [s.done for s in numbered] == list(range(1, numbered[0].total + 1))
    assert "報告書を作成しました" in output and "PDFを作成しました" in output
    assert sorted(p.name for p in folder.iterdir()) == ["r.pdf", "r.xlsx"]


@pytest.mark.parametrize("how", ["stdin", "sigterm"])
def test_the_command_cancelled_mid_way_leaves_nothing(db_path, tmp_path, how) -> None:
    if how == "sigterm" and sys.platform == "win32":
        pytest.skip("Windows has no SIGTERM for a console program: the app writes 'cancel'")
    folder = tmp_path / "out"
    folder.mkdir()
    process = report_process(db_path, folder)
    steps = wait_for_stage(process, "sheet")  # the charts are done, the sheets begin
    assert process.stdin is not None
    if how == "stdin":
        process.stdin.write("cancel\n")
        process.stdin.flush()
    else:
        process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=120)
    assert steps[-1].done < steps[-1].total
    assert process.returncode == 130, errors
    assert "中止しました" in errors
    assert list(folder.iterdir()) == []
