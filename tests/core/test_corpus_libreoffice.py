"""A return filled in one of the corpus's ways and then saved again by LibreOffice Calc merges
exactly like the file before LibreOffice touched it: the same changes, the same readings, the
same database afterwards (LibreOffice rewrites merged ranges, hidden and filtered rows, number
formats and strings in its own way). One LibreOffice run converts them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dxtracker.returns.apply import MergeReport, merge_returns
from dxtracker.store.connect import open_database
from tests.core.corpus_tools import FY, SOFFICE, Maker, convert
from tests.core.returns_corpus import BY_KEY
from tests.core.test_merge_support import copy_db, show, without_stamps

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt install libreoffice-calc")

# Understood and warned variations whose files LibreOffice could plausibly change.
KEYS = ["full_width_with_unit", "approximate", "number_as_text", "percent_cell", "spaces",
        "non_breaking_space", "rows_sorted", "row_inserted_for_note", "heading_row_merged",
        "column_moved", "note_right_of_table", "merged_locked_cells", "merged_input_cells",
        "extra_sheet", "hidden_rows", "filtered_view", "long_text", "formula_like_text"]


def _merge(template: Path, path: Path, folder: Path) -> tuple[MergeReport, dict]:
    folder.mkdir(parents=True)
    db_path = copy_db(template, folder / "hq.sqlite3")
    with open_database(db_path) as db:
        report = merge_returns(db, [path], fiscal_year=FY, backup_dir=folder / "backups")
    return report, without_stamps(show(db_path))


def _seen(report: MergeReport) -> tuple:
    """What the merge did and said, without the file's name and bytes."""
    preview = report.files[0].preview
    return (report.files[0].outcome,
            [(c.item_code, c.field, c.old, c.new) for c in preview.changes],
            [r.text() for r in preview.readings],
            [(p.where, p.message_ja) for p in (*preview.errors, *preview.warnings)])


@pytest.fixture(scope="module")
def converted(template_db, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("corpus_libreoffice")
    build_db = copy_db(template_db, folder / "build.sqlite3")
    originals = {}
    with open_database(build_db) as db:
        for key in KEYS:
            (built,) = BY_KEY[key].build(Maker(db, folder / key))
            originals[key] = Path(shutil.copyfile(built, folder / f"{key}.xlsx"))
    out = folder / "libreoffice"
    convert("xlsx", out, *originals.values())
    return {key: (path, out / path.name) for key, path in originals.items()}


@pytest.mark.parametrize("key", KEYS)
def test_saved_again_by_libreoffice_it_merges_the_same(key, converted, template_db, tmp_path):
    original, resaved = converted[key]
    assert resaved.read_bytes() != original.read_bytes()
    first, first_state = _merge(template_db, original, tmp_path / "original")
    second, second_state = _merge(template_db, resaved, tmp_path / "resaved")
    assert first.files[0].outcome == "merged", _seen(first)
    assert _seen(second) == _seen(first)
    assert second_state == first_state
