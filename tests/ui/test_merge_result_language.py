"""The merge page's result line (the dry run's summary, the merge's outcome, an undo's note)
follows a language switch like the rest of the page, and keeps its figures."""

from __future__ import annotations

from tests.core.corpus_tools import Maker
from tests.helpers import SHOTS

FY = 2022


def test_the_result_line_is_translated_again(ctx, make_window, tmp_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx.set_fiscal_year(FY)
    good = Maker(ctx.db, tmp_path / "mail").filled({("kpi", "P03-K3", "actual"): "約30"})
    broken = tmp_path / "mail" / "壊れた回答.xlsx"  # not a workbook: refused
    broken.write_bytes(b"not a zip file")
    window = make_window(ctx)
    assert window.drop_files([good, broken])  # as dropped on the window
    page = window.pages["merge"]
    assert [e.state for e in page.files.entries] == ["ready", "refused"]
    checked_ja = page.result_label.text()
    assert "2件を確認しました: 取込可 1件、取り込めない 1件" in checked_ja

    ctx.set_language("en")
    assert page.result_label.text() == ("Checked 2 file(s): 1 can be merged, 1 cannot. "
                                         "Nothing has been saved yet.")
    window.grab().save(str(SHOTS / "merge_result_en.png"))
    ctx.set_language("ja")
    assert page.result_label.text() == checked_ja

    with qtbot.waitSignal(ctx.data_changed):
        page.apply_button.click()
    assert "1件のファイルを取り込みました。" in page.result_label.text()
    ctx.set_language("en")
    assert page.result_label.text().startswith("Merged 1 file(s).")
    window.grab().save(str(SHOTS / "merge_merged_en.png"))

    page.confirm_undo = lambda: True
    with qtbot.waitSignal(ctx.data_changed):
        page.undo_button.click()
    # The undo's note, then the summary of the files checked again, both in English …
    undone_en = page.result_label.text()
    assert undone_en.startswith("The merge was undone (") and "Checked 2 file(s)" in undone_en
    ctx.set_language("ja")
    # … and both in Japanese after switching back.
    undone_ja = page.result_label.text()
    assert undone_ja.startswith("取込を元に戻しました（") and "2件を確認しました" in undone_ja
    window.grab().save(str(SHOTS / "merge_undone_ja.png"))


def test_english_merge_tables_name_each_column_once(qapp) -> None:  # type: ignore[no-untyped-def]
    from ui import i18n
    from ui.models.merge_preview_model import ChangesModel, ConflictsModel

    i18n.set_language("en")
    for model in (ChangesModel(), ConflictsModel({})):
        headers = [h for h in model.headers() if h != "→"]
        assert len(headers) == len(set(headers)), headers
        assert headers[:3] == ["Item", "Place", "Field"]  # 項目, 場所, 欄
