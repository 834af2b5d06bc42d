"""Charts: Japanese text renders, every KPI draws, revisions and grades show."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dxtracker.figures.entry import set_actual
from dxtracker.report.charts import (
    FONT_FALLBACK,
    ChartRenderer,
    chart_style,
    draw_kpi_chart,
    font_families,
    has_japanese_font,
    wrap,
)
from dxtracker.report.overview import overview_png
from dxtracker.report.series import kpi_series
from dxtracker.report.summary import build_report_data

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def data(db):
    set_actual(db, "P01-K3", 2022, "9,100", department="知事政策局")
    with db.read() as session:
        return build_report_data(session, 2022)


def kpi(data, code):
    return next(k for p in data.projects for k in p["kpis"] if k["code"] == code)


def missing_glyphs(records, caplog) -> list[str]:
    messages = [str(w.message) for w in records] + [r.getMessage() for r in caplog.records]
    return [m for m in messages if "missing from font" in m]


def test_font_list_is_filtered_to_installed_fonts_and_resolved_once():
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = font_families()
    assert families and all(name in installed for name in families)
    assert list(families) == [n for n in FONT_FALLBACK if n in families]
    hits = font_families.cache_info().hits
    font_families()
    assert font_families.cache_info().hits == hits + 1


def test_japanese_charts_render_without_missing_glyphs(data, caplog):
    if not has_japanese_font():
        pytest.skip("no Japanese font installed (CI installs fonts-noto-cjk)")
    renderer = ChartRenderer()
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        pngs = [renderer.kpi_png(k, data.kpi_grades(k["code"]), data.fiscal_year, data.scheme)
                for p in data.projects for k in p["kpis"]]
        pngs.append(overview_png(renderer, data))
    assert missing_glyphs(records, caplog) == []
    assert all(png.startswith(PNG) and len(png) > 5000 for png in pngs)


def test_the_glyph_check_does_catch_tofu(caplog):
    """Without a Japanese font the same check fires: the test above can fail."""
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as records, \
            matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.text(0.1, 0.5, "令和4年度の評価")
        figure.savefig(io.BytesIO(), format="png")
    assert missing_glyphs(records, caplog)


def draw(data, code):
    figure = Figure(figsize=(6.4, 3.6))
    FigureCanvasAgg(figure)
    with chart_style():
        ax = figure.add_axes((0.1, 0.15, 0.65, 0.65))
        draw_kpi_chart(ax, kpi(data, code), data.kpi_grades(code), data.fiscal_year,
                       data.scheme)
        figure.savefig(io.BytesIO(), format="png")
    return ax


def texts(ax):
    return [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_legend().texts]


def test_revisions_are_marked_in_red_and_the_grade_is_in_the_title(data):
    ax = draw(data, "P01-K3")
    assert "令和4年度の評価: C（77.8%）" in ax.get_title(loc="left")
    assert "8,000から修正" in texts(ax) and "10,000から修正" in texts(ax)
    assert "修正前の目標" in texts(ax)
    red = [t for t in ax.texts if t.get_text().endswith("から修正")]
    assert all(matplotlib.colors.to_hex(t.get_color()) == "#d00000" for t in red)
    assert "9,100 [C]" in texts(ax)


def test_word_targets_are_written_and_composites_drawn_by_part(data):
    words = draw(data, "P01-K2")
    assert any("半数" in t for t in texts(words)) and any("全業務" in t for t in texts(words))
    composite = draw(data, "P08-K2")
    assert {"県設置", "他機関"} <= set(texts(composite))
    series = kpi_series(kpi(data, "P08-K2"))
    assert [p.label for p in series.parts] == ["県設置", "他機関"]
    assert [p.baseline for p in series.parts] == [59, 32]


def test_series_of_ranges_and_bounds(data):
    card = kpi_series(kpi(data, "P02-K1"))
    ranges = [t for t in card.parts[0].targets if t.kind == "range"]
    assert [(t.y, t.low, t.high) for t in ranges] == [(90, 90, 100), (90, 90, 100)]
    forestry = kpi_series(kpi(data, "P04-K3"))
    assert forestry.parts[0].targets[-1].kind == "at_least"


def test_a_reused_renderer_draws_exactly_what_a_fresh_one_draws(data):
    reused = ChartRenderer()
    for code in ("P08-K2", "P01-K2", "P06-K4"):  # composite, words, sparse: different shapes
        reused.kpi_png(kpi(data, code), data.kpi_grades(code), data.fiscal_year, data.scheme)
    target = kpi(data, "P01-K3")
    grades = data.kpi_grades("P01-K3")
    again = reused.kpi_png(target, grades, data.fiscal_year, data.scheme)
    fresh = ChartRenderer().kpi_png(target, grades, data.fiscal_year, data.scheme)
    assert again == fresh


def test_wrap_keeps_figures_whole():
    assert wrap("できるだけ100%に近づける", 7).split("\n")[1].startswith("100%")
    assert wrap("一行目\n二行目", 20) == "一行目\n二行目"
