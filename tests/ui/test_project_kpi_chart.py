"""The project view's KPI panel: the selected KPI's chart (the report's, on matplotlib's Qt
canvas) and its grade, chosen in the KPI table (mouse or keyboard) or in the navigation tree."""

from __future__ import annotations

from PySide6.QtCore import Qt

from dxtracker.figures.entry import set_actual
from ui.pages.project import ProjectPage


def make_page(show_widget, ctx) -> ProjectPage:  # type: ignore[no-untyped-def]
    page = ProjectPage(ctx)
    page.refresh()
    return show_widget(page, (1200, 800))


def test_nothing_selected_shows_a_hint_and_no_chart(show_widget, ctx) -> None:
    page = make_page(show_widget, ctx)
    panel = page.kpi_detail
    assert panel.kpi_code == ""
    assert panel.hint.isVisible()
    # The chart (and matplotlib) is made only for a KPI: the home page opens without it.
    assert panel.chart is None


def test_arrow_keys_in_the_kpi_table_choose_the_chart(qtbot, show_widget, ctx) -> None:
    ctx.set_fiscal_year(2021)
    page = make_page(show_widget, ctx)
    table = page.kpi_table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)  # no current row yet: the first KPI
    panel = page.kpi_detail
    assert panel.kpi_code == "P01-K1"
    assert panel.chart is not None and panel.chart.isVisible()
    assert panel.chart.kpi_code == "P01-K1"
    assert "令和3年度の評価: C（52.8%）" in panel.chart.title()
    assert "令和3年度の評価: <b>C（52.8%）</b>" in panel.grade_label.text()
    assert not panel.hint.isVisible()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert panel.chart.kpi_code == "P01-K2"


def test_a_kpi_chosen_in_the_navigation_tree_shows_its_chart(main_window, ctx, qtbot) -> None:
    main_window.show_page("settings")
    main_window.navigation.select_code("P03-K2")  # as a keyboard or mouse choice in the tree
    page = main_window.stack.currentWidget()
    assert page.page_key == "project"
    assert page.kpi_detail.kpi_code == "P03-K2"
    assert page.kpi_detail.chart.title().startswith("P03-K2")
    main_window.navigation.select_code("P03")  # the project itself: no KPI any more
    assert page.kpi_detail.kpi_code == ""
    assert not page.kpi_detail.chart.isVisible()


def test_the_chart_follows_the_year_and_entered_actuals(show_widget, ctx) -> None:
    ctx.set_fiscal_year(2022)
    page = make_page(show_widget, ctx)
    page.show_item("P01-K3")
    assert "令和4年度の評価: 未把握" in page.kpi_detail.chart.title()
    set_actual(ctx.db, "P01-K3", 2022, "9,100", department="知事政策局")
    ctx.notify_saved("saved")
    page.refresh()
    assert page.kpi_detail.kpi_code == "P01-K3"  # still chosen after the reload
    assert "令和4年度の評価: C（77.8%）" in page.kpi_detail.chart.title()
    ctx.set_fiscal_year(2021)
    page.refresh()
    assert "令和3年度の評価:" in page.kpi_detail.chart.title()


def test_the_grade_line_is_translated(make_ctx, show_widget) -> None:
    ctx = make_ctx(None, language="en")
    ctx.set_fiscal_year(2021)
    page = make_page(show_widget, ctx)
    page.show_item("P01-K1")
    assert "Grade for FY2021: <b>C（52.8%）</b>" in page.kpi_detail.grade_label.text()
    assert page.kpi_detail.hint.text().startswith("Select a KPI row")
