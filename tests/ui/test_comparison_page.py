"""前年度比較 in the app: headquarters sees every department, a department its own items (on the
page and from the export dialog, before exporting); filters for changed rows, the project and
the department; changed rows marked by a symbol and words, not by colour alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from dxtracker.figures.entry import set_actual, set_progress
from ui.pages import PAGES
from ui.pages.comparison import ComparisonPage

DEPT = "商工労働部"


@pytest.fixture
def entered(ctx) -> None:  # type: ignore[no-untyped-def]
    """Figures of two years: a changed actual, an unchanged note, a changed status."""
    set_actual(ctx.db, "P03-K1", 2021, "30", department=DEPT, note="備考")
    set_actual(ctx.db, "P03-K1", 2022, "45", department=DEPT, note="備考")
    set_progress(ctx.db, "P03-M1", 2021, DEPT, status="順調", record="説明会")
    set_progress(ctx.db, "P03-M1", 2022, DEPT, status="やや遅れ", record="説明会")
    set_actual(ctx.db, "P01-K3", 2022, "1,200", department="土木部")
    ctx.set_fiscal_year(2022)


def table_rows(page_view) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = page_view.view.model()
    return [[model.index(r, c).data() or "" for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_the_page_is_registered_for_both_modes(ctx, department_ctx) -> None:
    assert ("ui.pages.comparison", "ComparisonPage") in PAGES
    assert ComparisonPage.available_to(ctx) and ComparisonPage.available_to(department_ctx)


def test_headquarters_compares_every_department_and_filters(ctx, entered, show_widget) -> None:
    page = show_widget(ComparisonPage(ctx), (1300, 700))
    view = page.comparison_view
    model = view.view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:9] == ["変更", "プロジェクト", "コード", "指標・施策", "部局", "項目",
                           "令和3年度", "令和4年度", "差"]
    rows = table_rows(view)
    departments = {r[4] for r in rows}
    assert {DEPT, "土木部", "—"} <= departments
    actual = next(r for r in rows if r[2] == "P03-K1" and r[5] == "実績")
    assert actual[0] == "● 変更あり" and actual[6:9] == ["30", "45", "+15"]
    note = next(r for r in rows if r[2] == "P03-K1" and r[5] == "備考")
    assert note[0] == "" and note[6] == note[7] == "備考"
    source = view.model
    index = source.index(source.rows.index(next(
        row for row in source.rows if row.code == "P03-K1" and row.field == "actual")), 7)
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None  # shaded as well
    total = model.rowCount()
    view.changed_check.click()  # 変更のある行だけ
    changed = table_rows(view)
    assert 0 < len(changed) < total and all(r[0] == "● 変更あり" for r in changed)
    view.project_combo.setCurrentIndex(view.project_combo.findText(actual[1]))
    assert {r[1] for r in table_rows(view)} == {actual[1]}
    assert f"（表示 {model.rowCount()}行）" in view.summary.text()
    view.department_combo.setCurrentIndex(view.department_combo.findData("土木部"))
    assert {r[4] for r in table_rows(view)} <= {"土木部", "—"}  # built again for 土木部
    assert view.comparison is not None and view.comparison.department == "土木部"


def test_a_department_sees_its_own_items(department_ctx, show_widget) -> None:
    set_actual(department_ctx.db, "P03-K2", 2022, "26", department="土木部")
    department_ctx.set_fiscal_year(2022)
    page = show_widget(ComparisonPage(department_ctx), (1300, 700))
    view = page.comparison_view
    assert not view.department_combo.isEnabled()
    assert view.department_combo.currentText() == DEPT
    rows = table_rows(view)
    assert rows and {r[4] for r in rows} <= {DEPT, "—"}
    assert "P03-K2" not in {r[2] for r in rows}  # 土木部's KPI


def test_since_the_last_return_shows_each_departments_basis(ctx, entered, show_widget) -> None:
    page = show_widget(ComparisonPage(ctx), (1300, 700))
    view = page.comparison_view
    view.since_combo.setCurrentIndex(view.since_combo.findData("return"))
    model = view.view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[6:] == ["前回の回答", "現在", "差", "比較の基準"]
    rows = table_rows(view)
    assert {r[9] for r in rows} == {"統合済みの回答なし"}  # nothing merged in this database
    assert view.heading.text().startswith("前回の回答からの変更: 令和4年度")


def test_the_export_dialog_opens_the_departments_comparison(department_ctx, entered,
                                                            qtbot) -> None:
    from ui.dialogs.export_return import ExportReturnDialog

    dialog = ExportReturnDialog(department_ctx, DEPT)
    qtbot.addWidget(dialog)
    assert dialog.compare_button.text() == "変更点を確認(&K)…"
    comparison = dialog.show_comparison()
    qtbot.addWidget(comparison)
    view = comparison.comparison_view
    assert view.department() == DEPT and view.fiscal_year() == dialog.fiscal_year()
    assert comparison.windowTitle() == "変更点の確認"
    assert any(r[2] == "P03-K1" and r[0] == "● 変更あり" for r in table_rows(view))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_page_and_the_dialog_in_both_languages(make_ctx, show_widget, tmp_path,
                                                   language) -> None:
    ctx = make_ctx(None, language=language)
    set_actual(ctx.db, "P03-K1", 2022, "45", department=DEPT, note="説明会の参加者を含む")
    set_progress(ctx.db, "P03-M1", 2021, DEPT, status="順調", record="説明会")
    set_progress(ctx.db, "P03-M1", 2022, DEPT, status="やや遅れ", record="説明会を3回開催")
    ctx.set_fiscal_year(2022)
    page = show_widget(ComparisonPage(ctx), (1400, 720))
    page.comparison_view.changed_check.click()
    if language == "en":
        headers = [page.comparison_view.view.model().headerData(c, Qt.Orientation.Horizontal)
                   for c in range(9)]
        assert headers == ["Changed", "Project", "Code", "KPI / measure", "Department",
                           "Item", "FY2021", "FY2022", "Difference"]
        assert "● changed" in [r[0] for r in table_rows(page.comparison_view)]
        assert "Slightly behind" in [r[7] for r in table_rows(page.comparison_view)]
    assert page.grab().save(str(tmp_path / "page.png"))
    from ui.dialogs.comparison import ComparisonDialog

    dialog = ComparisonDialog(ctx, DEPT, 2022)
    show_widget(dialog)
    title = "Check the changes" if language == "en" else "変更点の確認"
    assert dialog.windowTitle() == title
    assert dialog.grab().save(str(tmp_path / "dialog.png"))
    assert (tmp_path / "dialog.png").stat().st_size > 10_000
