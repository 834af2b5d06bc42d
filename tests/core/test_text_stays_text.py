"""Text that begins with =, +, - or @ (FACTS.md: formula injection) comes in from a return as
text and goes out as text in every workbook DX Tracker writes: the return, the report, the plan
export, the audit log export and the send-back workbook — never as a formula."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dxtracker.returns.apply import merge_returns
from dxtracker.store.connect import open_database
from tests.core.corpus_tools import DEPT, FY, Maker
from tests.core.returns_corpus import BY_KEY, FORMULA_LIKE
from tests.core.test_merge_support import cli, copy_db

REASON = "=HYPERLINK(\"http://example.invalid\")"  # headquarters' send-back reason
TEXTS = {*FORMULA_LIKE.values(), REASON}


def written(db_path: Path, folder: Path) -> dict[str, Path]:
    """Every workbook DX Tracker writes, after a return with such texts was merged."""
    with open_database(db_path) as db:
        files = BY_KEY["formula_like_text"].build(Maker(db, folder / "in"))
        assert merge_returns(db, files, fiscal_year=FY, backup_dir=folder).exit_code == 0
    out = {name: folder / f"{name}.xlsx" for name in
           ("return", "report", "plan", "audit", "send_back")}
    commands = {
        "return": ["return", "export", "--dept", DEPT, "--fy", FY, "-o", out["return"]],
        "report": ["report", "-o", out["report"], "--fy", FY],
        "plan": ["plan", "export", "-o", out["plan"]],
        "audit": ["audit", "list", "--export", out["audit"]],
        "send_back": ["return", "review", "--dept", DEPT, "--fy", FY, "--send-back",
                      "--reason", REASON, "--item", f"P03-K3={FORMULA_LIKE['next_policy']}",
                      "-o", out["send_back"]],
    }
    for name, args in commands.items():
        code, _, err = cli(db_path, *args)
        assert code == 0, (name, err)
    return out


def texts_in(path: Path) -> tuple[set[str], list[str]]:
    """The texts of `TEXTS` found in string cells, and every formula's text, of a workbook."""
    book = openpyxl.load_workbook(path)
    found, formulas = set(), []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{sheet.title}!{cell.coordinate}: {cell.value}")
                elif isinstance(cell.value, str):
                    found |= {t for t in TEXTS if t in cell.value}
    return found, formulas


def formula_elements(path: Path) -> list[str]:
    """<f> elements in the sheets' XML (what a spreadsheet would compute)."""
    with zipfile.ZipFile(path) as archive:
        return [m for name in archive.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>",
                                    archive.read(name).decode("utf-8"))]


@pytest.fixture(scope="module")
def workbooks(template_db, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("text_stays_text")
    return written(copy_db(template_db, folder / "hq.sqlite3"), folder)


# Which of the texts each workbook carries (the report shows the record and the notes; the
# send-back workbook is the return with headquarters' reason added).
EXPECTED = {
    "return": set(FORMULA_LIKE.values()),
    "report": {FORMULA_LIKE["note"], FORMULA_LIKE["record"]},
    "plan": set(FORMULA_LIKE.values()),
    "audit": set(FORMULA_LIKE.values()),
    "send_back": TEXTS,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_text_is_written_back_as_text(workbooks, name):
    found, formulas = texts_in(workbooks[name])
    assert EXPECTED[name] <= found, f"{name}: missing {EXPECTED[name] - found}"
    assert not formulas, formulas
    assert not formula_elements(workbooks[name])
