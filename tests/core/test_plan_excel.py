"""The plan as Excel tables: export → import round trip, refused workbooks, JSON plan files."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dxtracker.cli import main
from dxtracker.errors import DatabaseError, PlanFileError
from dxtracker.figures.entry import set_actual, set_progress
from dxtracker.plan import departments, edit_kpis
from dxtracker.plan.excel_read import import_plan
from dxtracker.plan.excel_tables import SHEETS
from dxtracker.plan.excel_write import export_plan, plan_tables
from dxtracker.plan.revisions import publish_edition, revise_target
from dxtracker.store.connect import open_database
from dxtracker.store.paths import default_plan_path


def show_json(path: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--db", str(path), "plan", "show", "--json"]) == 0
    return capsys.readouterr().out


@pytest.fixture
def busy_db(db):
    """The seed with entered progress, a revision, a rename, a merge and a new edition."""
    set_actual(db, "P01-K3", 2022, "1,234", department="商工労働部", note="速報")
    set_actual(db, "P03-K2", 2022, "約25件", department="土木部")
    set_progress(db, "P01-M1", 2022, "土木部", status="順調", record="=SUM(A1) は文字",
                 issues="課題\n2行目")
    revise_target(db, "P03-K1", 2023, "46", "上方修正")
    departments.rename_department(db, "土木部", "建設部", on=date(2024, 4, 1))
    departments.merge_departments(db, "企業局", "建設部", on=date(2024, 4, 1))
    publish_edition(db, "令和6年度改定", published_on=date(2024, 5, 1))
    edit_kpis.add_kpi(db, "P04", "新しい指標", unit="%", reporting_departments=["農林水産部"])
    return db


def test_export_then_import_gives_back_the_same_plan(busy_db, db_path, tmp_path, capsys):
    workbook = tmp_path / "plan.xlsx"
    assert main(["--db", str(db_path), "plan", "export", "-o", str(workbook)]) == 0
    copy = tmp_path / "copy.sqlite3"
    assert main(["plan", "import", str(workbook), "--db", str(copy)]) == 0
    assert show_json(copy, capsys) == show_json(db_path, capsys)
    # the history the JSON does not show survives too (editions, former names)
    new = open_database(copy)
    try:
        with busy_db.read() as a, new.read() as b:
            assert plan_tables(a) == plan_tables(b)
    finally:
        new.close()


def test_exported_tables_are_machine_readable(busy_db, tmp_path):
    path = tmp_path / "plan.xlsx"
    with busy_db.read() as session:
        export_plan(session, path)
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    targets = book["targets"]
    header = [c.value for c in targets[1]]
    assert header == ["kpi_code", "fiscal_year", "value", "value_number", "note"]
    rows = {(r[0], r[1]): r for r in targets.iter_rows(min_row=2, values_only=True)}
    assert rows[("P01-K1", 2022)][2:4] == ("4,300", 4300)  # text as typed, number as number
    assert rows[("P02-K1", 2022)][2:4] == ("90~100", None)
    progress = book["progress"]
    cells = [c for row in progress.iter_rows(min_row=2) for c in row
             if c.value == "=SUM(A1) は文字"]
    assert cells and cells[0].data_type == "s"  # never a formula
    assert all(row[0] for row in book["kpis"].iter_rows(min_row=2, values_only=True))


def edited(source: Path, target: Path, changes: dict[str, dict[str, object]]) -> Path:
    """A copy of the workbook with cells changed: {sheet: {"E5": value}}; None removes a sheet."""
    book = load_workbook(source)
    for sheet, cells in changes.items():
        if cells is None:
            del book[sheet]
            continue
        for address, value in cells.items():
            book[sheet][address] = value
    book.save(target)
    return target


@pytest.fixture
def exported(db, tmp_path) -> Path:
    path = tmp_path / "plan.xlsx"
    with db.read() as session:
        export_plan(session, path)
    return path


def column_of(path: Path, sheet: str, name: str) -> str:
    book = load_workbook(path, read_only=True)
    header = next(book[sheet].iter_rows(max_row=1, values_only=True))
    book.close()
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index(name)]


def refused(source: Path, target: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        import_plan(source, target)
    assert not target.exists()
    assert not list(target.parent.glob("*.creating"))  # nothing left behind
    return caught.value.problems


def test_an_invalid_workbook_is_refused_with_cell_addresses(exported, tmp_path):
    baseline = column_of(exported, "kpis", "baseline")
    project = column_of(exported, "kpis", "project_code")
    value = column_of(exported, "targets", "value")
    number = column_of(exported, "targets", "value_number")
    direction = column_of(exported, "kpis", "direction")
    bad = edited(exported, tmp_path / "bad.xlsx", {
        "kpis": {f"{baseline}5": "たくさん", f"{project}6": "P99", f"{direction}7": "up"},
        "targets": {f"{value}3": "=1+1", f"{number}4": 12345, "B5": "令和四年度", "B6": "R4"},
    })
    problems = refused(bad, tmp_path / "new.sqlite3")
    text = "\n".join(problems)
    assert f"kpis!{baseline}5: " in text and "たくさん" in text
    assert f"targets!{value}3: 数式" in text
    assert f"targets!{value}4: 「5,300」と value_number（{number}4）の値 12345 が一致しません" in text
    assert "targets!B5: fiscal_year: 「令和四年度」は年度として読めません" in text
    assert "targets!B6" not in text  # R4 is a fiscal year as people type it


def test_references_and_duplicates_are_checked_across_sheets(exported, tmp_path):
    project = column_of(exported, "kpis", "project_code")
    direction = column_of(exported, "kpis", "direction")
    bad = edited(exported, tmp_path / "bad.xlsx", {
        "kpis": {f"{project}6": "P99", f"{direction}7": "up", "A8": "P01-K1"},
    })
    text = "\n".join(refused(bad, tmp_path / "new.sqlite3"))
    assert f"kpis!{project}6: プロジェクト「P99」がありません" in text
    assert f"kpis!{direction}7: higher / lower" in text
    assert "kpis!A8: P01-K1 が 2行目と重複しています" in text


def test_missing_sheets_and_columns_are_named(exported, tmp_path):
    bad = edited(exported, tmp_path / "bad.xlsx", {"schedule": None, "kpis": {"E1": "単位"}})
    text = "\n".join(refused(bad, tmp_path / "new.sqlite3"))
    assert "シート「schedule」がありません" in text
    assert "kpis!1: 列「unit」がありません" in text


def test_a_file_that_is_no_workbook_or_a_zip_bomb_is_refused(tmp_path):
    text = tmp_path / "plan.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    assert "xlsxファイルではありません" in refused(text, tmp_path / "a.sqlite3")[0]
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * 2**20))
    assert "圧縮率" in refused(bomb, tmp_path / "b.sqlite3")[0]


def test_import_refuses_an_existing_database_without_force(exported, db_path, tmp_path):
    before = db_path.read_bytes()
    with pytest.raises(DatabaseError, match="--force"):
        import_plan(exported, db_path)
    assert db_path.read_bytes() == before


def test_the_json_plan_file_format_is_imported_too(db_path, tmp_path, capsys):
    target = tmp_path / "from-json.sqlite3"
    assert main(["plan", "import", str(default_plan_path()), "--db", str(target)]) == 0
    assert show_json(target, capsys) == show_json(db_path, capsys)
    broken = tmp_path / "broken.json"
    data = json.loads(default_plan_path().read_text(encoding="utf-8"))
    data["visions"][0]["projects"][0]["kpis"][0]["baseline"] = "たくさん"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["plan", "import", str(broken), "--db", str(tmp_path / "x.sqlite3")]) == 1
    assert "kpis[0].baseline" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()
