"""Property tests: whatever a department types reaches headquarters as the workbook holds it."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.export import write_return
from dxtracker.returns.layout import clean_text
from dxtracker.store.connect import open_database
from tests.core.test_merge_support import kpi, progress_of, show

# Any Unicode but lone surrogates (not text a person can type, nor storable as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
FIGURES = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(note=TEXT, record=TEXT, figure=FIGURES)
@example(note="=SUM(A1)\n+1\t@x", record="😀\r\n改行\x00制御文字\x1f", figure=Decimal("1234.5"))
@example(note="長" * 40_000, record="", figure=Decimal("0"))
def test_notes_and_figures_arrive_as_the_workbook_holds_them(template_db, note, record, figure):
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        department = shutil.copyfile(template_db, work / "dept.sqlite3")
        with open_database(department) as db:
            set_actual(db, "P03-K2", 2022, str(figure), note=note)
            set_progress(db, "P03-M1", 2022, "土木部", status="順調", record=record)
            with db.read() as session:
                path = write_return(session, "土木部", 2022, work / "r.xlsx").path
        headquarters = shutil.copyfile(template_db, work / "hq.sqlite3")
        with open_database(headquarters) as db:
            report = merge_returns(db, [path], backup_dir=work / "backups")
        assert report.exit_code == 0, [str(e) for f in report.files for e in f.preview.errors]
        snapshot = show(headquarters)
        actual = kpi(snapshot, "P03-K2")
        assert Decimal(str(actual["actuals"]["2022"]["value"])) == figure
        assert actual["actual_notes"].get("2022", "") == clean_text(note).text
        assert progress_of(snapshot, "P03-M1", 2022, "土木部")["record"] == clean_text(record).text
