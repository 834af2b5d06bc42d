"""The project view: KPI table with revisions in red and in words, measures with schedule."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QTextDocument

from ui.models.project_kpi_model import REVISION_RED, ProjectKpiModel
from ui.pages.project import ProjectPage
from ui.pages.project_html import schedule_rows


def column_of(model: ProjectKpiModel, fiscal_year: int, kind: str) -> int:
    return next(c for c in range(model.columnCount())
                if model.year_of_column(c) == (fiscal_year, kind))


def cell(model: ProjectKpiModel, code: str, fiscal_year: int, kind: str, role=None):  # type: ignore[no-untyped-def]
    index = model.index(model.row_of_code(code), column_of(model, fiscal_year, kind))
    return model.data(index, role or Qt.ItemDataRole.DisplayRole)


@pytest.fixture
def page(ctx, qtbot) -> ProjectPage:  # type: ignore[no-untyped-def]
    """The project view on headquarters' context, not yet shown."""
    page = ProjectPage(ctx)
    qtbot.addWidget(page)
    return page


def test_revised_target_is_red_and_says_so_in_words(page) -> None:
    page.show_item("P01-K3")
    model = page.kpi_model
    assert cell(model, "P01-K3", 2022, "target") == "10,000（8,000からの修正）"
    # A chain of revisions shows the target as first published.
    assert cell(model, "P01-K3", 2023, "target") == "12,000（10,000からの修正）"
    colour = cell(model, "P01-K3", 2022, "target", Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, QBrush) and colour.color() == REVISION_RED
    unrevised = cell(model, "P01-K3", 2021, "target", Qt.ItemDataRole.ForegroundRole)
    assert unrevised is None
    assert "計画改定" in cell(model, "P01-K3", 2022, "target", Qt.ItemDataRole.ToolTipRole)


def test_revision_words_are_translated(make_ctx, qtbot) -> None:
    page = ProjectPage(make_ctx(None, language="en"))
    qtbot.addWidget(page)
    page.show_item("P01-K3")
    assert cell(page.kpi_model, "P01-K3", 2022, "target") == "10,000 (revised from 8,000)"


def test_table_shows_baseline_targets_actuals_and_blanks(page) -> None:
    page.show_item("P01")
    model = page.kpi_model
    assert model.columnCount() == 3 + 2 * 3 + 1  # … and the grade
    assert model.headerData(2, Qt.Orientation.Horizontal) == "現状\n令和2年度"
    assert model.headerData(column_of(model, 2022, "target"),
                            Qt.Orientation.Horizontal) == "目標\n令和4年度"
    assert cell(model, "P01-K1", 2021, "actual") == "1,792"
    assert cell(model, "P01-K2", 2022, "target") == "半数"  # a word target
    assert cell(model, "P01-K1", 2022, "actual") == "—"  # blank is never zero
    assert model.index(model.row_of_code("P01-K1"), 2).data() == "102"


def test_target_notes_and_new_marks(page) -> None:
    page.show_item("P03-K3")
    model = page.kpi_model
    assert cell(model, "P03-K3", 2021, "target") == "目標なし（現状値のみ）"
    name = model.index(model.row_of_code("P03-K3"), 0).data()
    assert name.startswith("【新】")


def test_header_and_measures_read_like_the_seed(page) -> None:
    page.show_item("P01-M1")
    document = QTextDocument()
    document.setHtml(page.header.text())
    header = document.toPlainText()
    assert "スマート県庁推進プロジェクト" in header
    assert "主管部局: 知事政策局" in header
    assert "概ね3年後の姿" in header
    measures = page.measures.toPlainText()
    assert "① 行政手続のオンライン化" in measures
    assert "令和3年度" in measures and "工程" in measures
    assert "施策推進にあたっての留意点" in measures and "対応方針" in measures
    assert "担当部局: 全部局" in measures


def test_progress_of_the_selected_year_is_shown(page, ctx) -> None:
    from dxtracker.figures.entry import set_progress

    set_progress(ctx.db, "P03-M1", 2022, "商工労働部", status="やや遅れ",
                 record="説明会を3回開催", issues="", next_policy="")
    page.show_item("P03-M1")
    ctx.set_fiscal_year(2022)
    page.refresh()
    text = page.measures.toPlainText()
    assert "令和4年度の進捗" in text
    assert "説明会を3回開催" in text and "やや遅れ" in text


def test_a_department_starts_on_a_project_it_leads(department_ctx, qtbot) -> None:
    page = ProjectPage(department_ctx)  # 商工労働部 leads (3)
    qtbot.addWidget(page)
    page.refresh()
    assert page.project["lead_department"] == "商工労働部"


def test_schedule_boxes_spanning_years_share_a_row() -> None:
    years = [2021, 2022, 2023]
    boxes = [{"from": 2021, "to": 2021, "text": "a"}, {"from": 2022, "to": 2023, "text": "b"},
             {"from": 2021, "to": 2022, "text": "c"}]
    rows = schedule_rows(boxes, years)
    assert [[b["text"] if b else None for b in row] for row in rows] == [
        ["a", "b", "b"], ["c", "c", None]]


def test_selected_fiscal_year_columns_are_highlighted(page, ctx) -> None:
    ctx.set_fiscal_year(2021)
    page.refresh()
    model = page.kpi_model
    assert cell(model, "P01-K1", 2021, "actual", Qt.ItemDataRole.BackgroundRole) is not None
    assert cell(model, "P01-K1", 2023, "actual", Qt.ItemDataRole.BackgroundRole) is None


def test_copy_puts_the_selected_rows_on_the_clipboard(page) -> None:
    from PySide6.QtWidgets import QApplication

    page.show_item("P01-K3")
    page.copy_kpis()
    lines = QApplication.clipboard().text().splitlines()
    assert lines[0].startswith("指標項目\t単位\t現状 令和2年度")
    assert lines[1].startswith("RPA等により効率化する業務量")
    assert "10,000（8,000からの修正）" in lines[1]


def test_grade_of_the_selected_year_is_the_last_column(page, ctx) -> None:
    ctx.set_fiscal_year(2021)
    page.show_item("P01-K1")
    page.refresh()
    model = page.kpi_model
    row = model.row_of_code("P01-K1")
    assert model.headerData(model.grade_column, Qt.Orientation.Horizontal) == "評価\n令和3年度"
    grade = model.index(row, model.grade_column)
    assert grade.data() == "C（52.8%）"  # (1,792 − 102) ÷ (3,300 − 102)
    assert "1,792" in grade.data(Qt.ItemDataRole.ToolTipRole)
    ctx.set_fiscal_year(2023)
    page.refresh()
    assert model.index(row, model.grade_column).data() == "未把握"  # no actual yet
