"""The bulk writer of merges leaves what `set_actual_in` / `set_progress_in` would leave."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

from dxtracker.figures.entry import set_actual, set_actual_in, set_progress, set_progress_in
from dxtracker.returns.apply import merge_returns
from dxtracker.returns.current import kpi_states
from dxtracker.returns.merge import preview_merge
from dxtracker.returns.reader import read_return
from dxtracker.store.connect import open_database
from dxtracker.store.lookup import find_department
from tests.core.test_merge_support import copy_db, export, fill

ROWS = {
    "kpi_actual": "SELECT k.code, a.fiscal_year, d.code, a.value, a.note, a.updated_by "
                  "FROM kpi_actual a JOIN kpi k ON k.id = a.kpi_id "
                  "LEFT JOIN department d ON d.id = a.department_id",
    "measure_progress": "SELECT m.code, p.fiscal_year, d.code, p.status, p.record, p.issues, "
                        "p.next_policy, p.updated_by FROM measure_progress p "
                        "JOIN measure m ON m.id = p.measure_id "
                        "JOIN department d ON d.id = p.department_id",
    # The merge's own note that the return was received (review.note_merged_in) is not a
    # field of a row: the entry functions have nothing to compare it with.
    "audit_entry": 'SELECT "user", department, source, source_detail, entity, entity_code, '
                   "field, old_value, new_value, reason FROM audit_entry "
                   "WHERE entity != 'return_review'",
}

# A return with updates and inserts, full-width and unit-suffixed figures, a formula-like text.
FILLED = {"kpis": {"P03-K1": {"actual": "４１．５％", "note": "確定"},
                   "P01-K1": {"actual": "1,234件"}, "P03-K3": {"note": "数値は未確定"}},
          "measures": {"P03-M1": {"status": "順調", "record": "説明会", "issues": "=課題"},
                       "P01-M1": {"next_policy": "継続"}}}


def _state(db_path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db_path)
    try:
        return {name: sorted(con.execute(query), key=repr) for name, query in ROWS.items()}
    finally:
        con.close()


def _headquarters(template: Path, target: Path) -> Path:
    """Headquarters with some rows of 商工労働部 already there (updates and inserts both)."""
    path = copy_db(template, target)
    with open_database(path) as db:
        set_actual(db, "P03-K1", 2022, "38", note="前回の回答")
        set_progress(db, "P03-M1", 2022, "商工労働部", status="遅れ", record="前回")
    return path


def apply_one_by_one(db_path: Path, return_path: Path) -> None:
    """The reference: each changed row through the public entry functions, one transaction."""
    with open_database(db_path) as db:
        with db.read() as session:
            parsed = read_return(return_path, session)
            preview = preview_merge(session, parsed)
        rows: dict[tuple, dict[str, str | None]] = defaultdict(dict)
        for c in preview.changes:
            rows[(c.entity, c.item_code, c.fiscal_year, c.department_code)][c.field] = c.new
        with db.transaction() as session:
            for (entity, code, year, dept_code), fields in rows.items():
                if entity == "measure_progress":
                    set_progress_in(session, code, year, dept_code, source="return",
                                    source_detail=parsed.file_name,
                                    **{f: v or "" for f, v in fields.items()})
                    continue
                dept = find_department(session, dept_code)
                current = kpi_states(session, dept.id, year, [code])[code].value
                set_actual_in(session, code, year, fields.get("actual", current),
                              department=dept_code,
                              note=(fields["note"] or "") if "note" in fields else None,
                              source="return", source_detail=parsed.file_name)


def test_bulk_writer_matches_the_entry_functions(template_db, tmp_path):
    bulk = _headquarters(template_db, tmp_path / "bulk.sqlite3")
    path = fill(export(bulk, "商工労働部", 2022, tmp_path / "r.xlsx"), **FILLED)
    reference = copy_db(bulk, tmp_path / "reference.sqlite3")
    with open_database(bulk) as db:
        assert merge_returns(db, [path], backup_dir=tmp_path / "b").exit_code == 0
    apply_one_by_one(reference, path)
    assert _state(bulk) == _state(reference)
    assert len(_state(bulk)["audit_entry"]) > 4


def test_a_row_the_department_does_not_report_is_refused_by_the_writer_too(
        template_db, tmp_path, monkeypatch):
    """Even if a crafted file got past the reader, the writer refuses another department's
    rows: the file changes nothing."""
    import dxtracker.returns.writer as writer

    hq = copy_db(template_db, tmp_path / "hq.sqlite3")
    path = fill(export(hq, "商工労働部", 2022, tmp_path / "r.xlsx"),
                kpis={"P03-K1": {"actual": 40}})
    real = writer.reported_items

    def without_p03_k1(session, department):  # type: ignore[no-untyped-def]
        items = real(session, department)
        return type(items)({k: u for k, u in items.kpi_units.items() if k != "P03-K1"},
                           items.measure_codes)

    monkeypatch.setattr(writer, "reported_items", without_p03_k1)
    with open_database(hq) as db:
        report = merge_returns(db, [path], backup_dir=tmp_path / "b")
    assert report.exit_code == 1
    assert "P03-K1" in str(report.files[0].preview.errors[-1])
    assert _state(hq)["audit_entry"] == []
