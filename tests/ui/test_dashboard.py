"""The dashboard: the report's charts on matplotlib's Qt canvas, for headquarters and for a
department."""

from __future__ import annotations

import logging
import warnings

import pytest

from dxtracker.figures.entry import set_actual
from dxtracker.report.charts import has_japanese_font
from ui.pages import PAGES
from ui.pages.dashboard import DashboardPage


def make_page(show_widget, ctx) -> DashboardPage:  # type: ignore[no-untyped-def]
    return show_widget(DashboardPage(ctx), (1200, 900))


def project_codes(page: DashboardPage) -> list[str]:
    return [page.projects.itemData(i) for i in range(page.projects.count())]


def test_the_dashboard_is_a_registered_page():
    assert ("ui.pages.dashboard", "DashboardPage") in PAGES


def test_headquarters_sees_every_project_and_its_charts(show_widget, ctx):
    ctx.set_fiscal_year(2021)
    page = make_page(show_widget, ctx)
    assert project_codes(page)[:2] == ["P01", "P02"] and len(project_codes(page)) == 10
    assert "令和3年度 ダッシュボード（全プロジェクト）" in page.heading.text()
    assert "KPI 28件の評価: A 14、B 2、C 2、D 4、未把握 0、評価不能 6" in page.summary.text()
    assert [c.kpi_code for c in page.charts] == ["P01-K1", "P01-K2", "P01-K3"]
    assert "令和3年度の評価: C（52.8%）" in page.charts[0].title()
    page.projects.setCurrentIndex(project_codes(page).index("P08"))
    assert [c.kpi_code for c in page.charts] == ["P08-K1", "P08-K2"]


def test_a_department_sees_its_own_projects(show_widget, department_ctx):
    page = make_page(show_widget, department_ctx)
    codes = project_codes(page)
    assert "P03" in codes  # it leads it
    assert "P01" in codes  # 全部局: every department reports and works on it
    assert "P04" not in codes and "P06" not in codes
    assert "商工労働部" in page.heading.text()


def test_follows_the_fiscal_year_and_entered_actuals(show_widget, ctx):
    ctx.set_fiscal_year(2021)
    page = make_page(show_widget, ctx)
    ctx.set_fiscal_year(2022)
    page.refresh()
    assert "令和4年度" in page.heading.text()
    assert "未把握" in page.charts[2].title()
    set_actual(ctx.db, "P01-K3", 2022, "9,100", department="知事政策局")
    ctx.notify_saved("saved")
    page.refresh()
    assert "令和4年度の評価: C（77.8%）" in page.charts[2].title()


def test_charts_render_japanese_without_missing_glyphs(show_widget, ctx, caplog, tmp_path):
    if not has_japanese_font():
        pytest.skip("no Japanese font installed (CI installs fonts-noto-cjk)")
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        page = make_page(show_widget, ctx)
        image = page.grab()
    messages = [str(w.message) for w in records] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing from font" in m]
    assert image.save(str(tmp_path / "dashboard.png"))
    assert not image.toImage().isNull()


def test_switching_language_keeps_the_charts(show_widget, ctx):
    page = make_page(show_widget, ctx)
    ctx.set_language("en")
    page.retranslate()
    assert page.project_label.text() == "&Project"
    assert "dashboard (all projects)" in page.heading.text()
    assert page.charts
