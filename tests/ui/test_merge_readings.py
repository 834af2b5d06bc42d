"""The merge page shows how each typed figure was read (「約30」→ 30（概数）) beside the change,
in Japanese and English, and takes only returns of the year chosen in the toolbar."""

from __future__ import annotations

import zipfile

from PySide6.QtCore import Qt

from tests.core.corpus_tools import Maker
from tests.helpers import SHOTS

FY = 2022


def shot(window, qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(50)  # the layout settles, as it does on screen before anyone looks
    window.grab().save(str(SHOTS / name))


def readings(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Item code → what the changes table's last column says of it."""
    changes = page.details.changes
    return {changes.index(r, 0).data(): changes.index(r, 6).data()
            for r in range(changes.rowCount())}


def test_the_preview_says_how_figures_were_read(ctx, make_window, tmp_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx.set_fiscal_year(FY)
    maker = Maker(ctx.db, tmp_path / "mail")
    typed = maker.filled({("kpi", "P03-K3", "actual"): "約30",
                          ("kpi", "P01-K1", "actual"): "１，２３４件",
                          ("kpi", "P03-K1", "actual"): (0.85, "0%"),
                          ("kpi", "P01-K3", "actual"): 12,
                          ("kpi", "P01-K3", "note"): "3月末の見込み"},
                         name="令和4年度_回答_商工労働部.xlsx")
    last_year = maker.filled({("kpi", "P03-K3", "actual"): 9}, fiscal_year=2021,
                             name="令和3年度_回答_商工労働部.xlsx")
    window = make_window(ctx)
    window.resize(1400, 760)
    page = window.show_page("merge")
    page.add_files([typed, last_year])
    assert [e.state for e in page.files.entries] == ["ready", "refused"]
    assert "令和4年度" in page.year_label.text()

    page.file_view.setCurrentIndex(page.files.index(0))
    shown = readings(page)
    assert shown["P03-K3"] == "「約30」→ 30（概数）"
    assert shown["P01-K1"] == "「１，２３４件」→ 1,234（全角、単位「件」）"
    assert shown["P03-K1"] == "「85%」→ 85（パーセント表示のセル 0.85）"
    assert "P01-K3" in shown and shown["P01-K3"] == ""  # a number cell: nothing to explain
    assert page.details.changes.headerData(6, Qt.Orientation.Horizontal) == "入力の読み取り"
    shot(window, qtbot, "merge_readings_ja.png")

    ctx.set_language("en")
    shown = readings(page)
    assert shown["P03-K3"] == '"約30" → 30 (approximate)'
    assert shown["P01-K1"] == '"１，２３４件" → 1,234 (full-width characters, unit 件)'
    assert "FY2022" in page.year_label.text()
    shot(window, qtbot, "merge_readings_en.png")

    page.file_view.setCurrentIndex(page.files.index(1))  # last year's file: refused, and why
    problems = page.details.problems
    messages = [problems.index(r, 4).data() for r in range(problems.rowCount())]
    assert any("FY2021, not FY2022" in m for m in messages), messages
    shot(window, qtbot, "merge_other_year_en.png")
    ctx.set_language("ja")
    messages = [problems.index(r, 4).data() for r in range(problems.rowCount())]
    assert any("令和3年度の回答です（取り込む年度: 令和4年度）" in m for m in messages), messages
    shot(window, qtbot, "merge_other_year_ja.png")


def test_choosing_another_year_checks_the_files_again(ctx, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx.set_fiscal_year(FY)
    path = Maker(ctx.db, tmp_path / "mail").filled({("kpi", "P03-K3", "actual"): 9},
                                                  fiscal_year=2021)
    window = make_window(ctx)
    page = window.show_page("merge")
    page.add_files([path])
    assert page.files.entries[0].state == "refused"
    ctx.set_fiscal_year(2021)  # the toolbar's year: the page checks its files again
    assert page.files.entries[0].state == "ready"
    assert "令和3年度" in page.year_label.text()


def test_a_folder_lists_workbooks_saved_in_another_format(ctx, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An .ods or .xls in the folder is listed and refused with the advice, not left out."""
    folder = tmp_path / "mail"
    folder.mkdir()
    with zipfile.ZipFile(folder / "回答.ods", "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", "<office:document-content/>")
    (folder / "回答.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    (folder / "~$回答.xlsx").write_bytes(b"\x06tanaka" + bytes(158))  # Excel's lock file
    window = make_window(ctx)
    page = window.show_page("merge")
    page.add_files([folder])
    assert sorted(e.path.name for e in page.files.entries) == ["回答.ods", "回答.xls"]
    assert [e.state for e in page.files.entries] == ["refused", "refused"]
    first_errors = {e.path.suffix: e.result.preview.errors[0].message_ja
                    for e in page.files.entries}
    assert "ODS形式" in first_errors[".ods"] and ".xlsx" in first_errors[".ods"]
    assert ".xls" in first_errors[".xls"] and "*.xlsx" in first_errors[".xls"]
