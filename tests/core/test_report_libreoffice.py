"""A second client: LibreOffice opens the report and converts it to PDF without errors."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from dxtracker.figures.entry import set_progress
from dxtracker.report.summary import build_report_data
from dxtracker.report.workbook import write_report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; CI "
                    "installs Debian's libreoffice-calc")
def test_libreoffice_converts_the_report_to_pdf(db, tmp_path):
    set_progress(db, "P01-M1", 2021, "知事政策局", status="順調", record="電子申請を拡大")
    with db.read() as session:
        data = build_report_data(session, 2021)
    report = tmp_path / "報告書.xlsx"
    write_report(data, report)
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"  # a private profile: no clash with a running office
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if "error" in line.lower()]
    pdf = out / "報告書.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 200_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
    # A summary, every project (table, measures, charts), the data sheet.
    assert pages >= 1 + 2 * len(data.projects)
