"""The PDF can be searched and copied from: its Japanese is real text in embedded TrueType (CID)
fonts — `pdftotext` finds every KPI's name, `pdffonts` lists no Type 3 font."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dxtracker.report.fonts import LATIN_FONT, font_families, pdf_rc, truetype_families
from dxtracker.report.pdf import page_count, write_report_pdf
from dxtracker.report.summary import build_report_data
from dxtracker.store.connect import open_database

POPPLER = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed; CI installs it")


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory, template_db) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("pdf") / "報告書.pdf"
    with open_database(template_db) as db, db.read() as session:
        data = build_report_data(session, 2021)
    pages: list[int] = []
    assert write_report_pdf(data, path, pages.append) == page_count(data)
    assert pages == list(range(1, page_count(data) + 1))
    return path, data


def squeezed(text: str) -> str:
    """Without white space: table cells and chart titles wrap names over lines."""
    return re.sub(r"\s+", "", text)


@POPPLER
def test_the_pdf_text_holds_every_kpi_name(report_pdf) -> None:
    path, data = report_pdf
    text = squeezed(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout)
    names = [kpi["name"] for p in data.projects for kpi in p["kpis"]]
    assert len(names) == 28
    missing = [name for name in names if squeezed(name) not in text]
    assert not missing
    assert squeezed("中長期で取り組む「リーディングプロジェクト」") in text
    assert "達成率" in text and "令和3年度" in text


@POPPLER
def test_the_pdf_embeds_truetype_fonts_and_no_type3(report_pdf) -> None:
    path, _ = report_pdf
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                             check=True).stdout
    fonts = listing.splitlines()[2:]  # after the two header lines
    assert fonts, listing
    assert not [f for f in fonts if "Type 3" in f], listing
    assert all("CID TrueType" in f for f in fonts), listing
    assert all(re.search(r"\byes\s+yes\s+yes\b", f) for f in fonts), listing  # emb sub uni
    assert any("IPAex" in f or "Yu" in f or "Meiryo" in f or "Gothic" in f for f in fonts)


def test_the_pdf_uses_truetype_fonts_only() -> None:
    """Noto Sans CJK (CFF outlines, broken as Type 42 in matplotlib) is never in the PDF's
    list; the fonts that are have TrueType outlines."""
    truetype = truetype_families()
    rc = pdf_rc()
    assert "Noto Sans CJK JP" not in truetype
    if not truetype:
        pytest.fail("no Japanese TrueType font: install fonts-ipaexfont-gothic "
                    f"(fonts found: {font_families()})")
    assert rc["pdf.fonttype"] == 42
    assert rc["font.family"] == [*truetype, LATIN_FONT]
    assert set(truetype) <= set(font_families())


def test_a_font_installed_after_matplotlibs_cache_is_found(monkeypatch) -> None:
    """scripts/setup.sh may install IPAex Gothic on a machine whose matplotlib has listed the
    fonts already: the PDF finds it all the same."""
    from matplotlib import font_manager

    from dxtracker.report import fonts

    before = truetype_families()
    assert before, "no Japanese TrueType font: install fonts-ipaexfont-gothic"
    manager = font_manager.fontManager
    stale = [f for f in manager.ttflist if Path(f.fname).name.lower() not in fonts.TRUETYPE_FILES]
    monkeypatch.setattr(manager, "ttflist", stale)
    fonts.truetype_families.cache_clear()
    fonts.font_families.cache_clear()
    try:
        assert fonts.truetype_families() == before
    finally:
        fonts.truetype_families.cache_clear()
        fonts.font_families.cache_clear()
