"""A real second client: a return opened and saved again by LibreOffice Calc merges exactly
like the original (CI installs libreoffice-calc-nogui)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dxtracker.returns.apply import merge_returns
from dxtracker.store.connect import open_database
from tests.core.test_merge_support import copy_db, export, fill, show, without_stamps

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt install libreoffice-calc")


def _resave_with_libreoffice(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "libreoffice"
    out.mkdir()
    profile = tmp_path / "lo-profile"  # a throw-away profile: no first-start dialogs, no locks
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "xlsx", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180)
    resaved = out / path.name
    assert resaved.exists()
    assert resaved.read_bytes() != path.read_bytes()
    return resaved


def _merge(template: Path, path: Path, target: Path):  # type: ignore[no-untyped-def]
    target.parent.mkdir()
    db_path = copy_db(template, target)
    with open_database(db_path) as db:
        report = merge_returns(db, [path], backup_dir=target.parent / "backups")
    return report, db_path


def _changes(report) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(c.entity, c.item_code, c.fiscal_year, c.department_code, c.field, c.old, c.new)
            for f in report.files for c in f.preview.changes]


def test_a_return_saved_by_libreoffice_merges_like_the_original(template_db, tmp_path):
    original = fill(
        export(template_db, "商工労働部", 2022, tmp_path / "商工労働部.xlsx"),
        kpis={"P03-K1": {"actual": 41.5, "note": "速報値\n確定は6月"},
              "P01-K1": {"actual": "１，２３４件", "note": "=SUM(A1)"},
              "P03-K3": {"actual": 7}},
        measures={"P03-M1": {"status": "やや遅れ", "record": "説明会 3回\n参加 120社 🙂",
                             "issues": "+人手不足", "next_policy": "継続"}},
        proposals=[{"kpi_code": "P03-K1", "fiscal_year": "令和5年度", "value": 46,
                    "reason": "実績が目標を上回ったため"}])
    resaved = _resave_with_libreoffice(original, tmp_path)

    first, first_db = _merge(template_db, original, tmp_path / "a" / "hq.sqlite3")
    second, second_db = _merge(template_db, resaved, tmp_path / "b" / "hq.sqlite3")
    assert first.exit_code == 0, [str(e) for f in first.files for e in f.preview.errors]
    assert second.exit_code == 0, [str(e) for f in second.files for e in f.preview.errors]
    assert len(_changes(first)) == 9  # 3 actuals, 2 notes, 4 progress fields
    assert _changes(second) == _changes(first)
    assert second.files[0].preview.proposals == first.files[0].preview.proposals
    assert without_stamps(show(second_db)) == without_stamps(show(first_db))
