"""The main window: navigation tree, fiscal-year selector, language switch, window state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ui.pages import PAGES, Page
from ui.settings import Settings


def test_tree_has_the_plans_visions_and_projects(main_window) -> None:
    navigation = main_window.navigation
    assert len(navigation.visible_codes("vision")) == 5
    assert navigation.visible_codes("project") == [f"P{n:02d}" for n in range(1, 11)]
    assert len(navigation.visible_codes("kpi")) == 28
    assert len(navigation.visible_codes("measure")) == 26


def test_search_filters_and_keeps_children_of_a_matching_project(main_window,
                                                                 type_text) -> None:
    navigation = main_window.navigation
    type_text(navigation.search, "スマート農林")
    assert navigation.visible_codes("project") == ["P04"]
    assert navigation.visible_codes("vision") == ["V2"]
    assert all(code.startswith("P04-") for code in navigation.visible_codes("kpi"))
    assert navigation.visible_codes("kpi")  # the project's KPIs stay reachable
    navigation.search.clear()
    assert len(navigation.visible_codes("project")) == 10


def test_search_finds_a_kpi_by_code_in_full_width(main_window, type_text) -> None:
    type_text(main_window.navigation.search, "ｐ０１－ｋ３")
    assert main_window.navigation.visible_codes("kpi") == ["P01-K3"]


def test_mine_only_shows_the_departments_items(make_ctx, make_window) -> None:
    window = make_window(make_ctx("農林水産部"))
    navigation = window.navigation
    assert navigation.mine_only.isEnabled()
    navigation.mine_only.setChecked(True)
    projects = navigation.visible_codes("project")
    assert "P04" in projects  # スマート農林水産業推進プロジェクト, led by 農林水産部
    assert len(projects) < 10
    # 全部局 KPIs (電子申請, RPA) belong to every department.
    assert {"P01-K1", "P01-K3"} <= set(navigation.visible_codes("kpi"))
    assert "P01-K2" not in navigation.visible_codes("kpi")  # 知事政策局 only
    navigation.mine_only.setChecked(False)
    assert len(navigation.visible_codes("project")) == 10


def test_mine_only_is_off_in_headquarters_mode(main_window) -> None:
    assert not main_window.navigation.mine_only.isEnabled()


def test_choosing_a_kpi_opens_the_project_view_on_it(main_window, ctx, qtbot) -> None:
    main_window.show_page("settings")
    with qtbot.waitSignal(ctx.item_selected) as signal:
        main_window.navigation.select_code("P04-K1")
    assert signal.args == ["P04-K1"]
    page = main_window.stack.currentWidget()
    assert page.page_key == "project"
    assert page.project_code == "P04"
    selected = page.kpi_table.selectionModel().selectedRows()
    assert [page.kpi_model.rows[i.row()]["code"] for i in selected] == ["P04-K1"]


def test_fiscal_year_selector_shows_reiwa_years_and_emits(main_window, ctx, qtbot) -> None:
    combo = main_window.fiscal_year_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == ["令和3年度", "令和4年度", "令和5年度"]
    combo.setCurrentIndex(0)  # make sure the next change is a change
    with qtbot.waitSignal(ctx.fiscal_year_changed) as signal:
        combo.setCurrentIndex(1)
    assert signal.args == [2022]
    assert ctx.fiscal_year == 2022


def test_pages_are_built_lazily(main_window) -> None:
    assert set(main_window.pages) == {"project"}
    main_window.show_page("settings")
    assert set(main_window.pages) == {"project", "settings"}


def test_every_registered_page_imports() -> None:
    from ui.pages import page_classes

    classes = page_classes(strict=True)
    keys = [c.page_key for c in classes]
    assert len(keys) == len(set(keys)) == len(PAGES)
    assert {"project", "settings"} <= set(keys)


def test_every_registered_page_constructs_refreshes_and_retranslates(main_window, ctx) -> None:
    from ui.pages import BrokenPage

    for key in main_window.available_keys():
        page = main_window.show_page(key)
        assert isinstance(page, Page)
        assert not isinstance(page, BrokenPage), page.error
        page.refresh()
    ctx.set_language("en")
    ctx.set_language("ja")
    assert len(PAGES) >= 2


def test_language_switch_retranslates_and_keeps_state(main_window, ctx, type_text) -> None:
    ctx.set_fiscal_year(2022)
    type_text(main_window.navigation.search, "スマート")
    main_window.show_page("settings")
    ctx.set_language("en")
    assert main_window.file_menu.title() == "&File"
    assert main_window.page_actions["project"].text() == "Project"
    assert main_window.windowTitle().startswith("Settings")
    assert main_window.fiscal_year_combo.currentText() == "FY2022 (令和4年度)"
    assert main_window.navigation.search.text() == "スマート"  # what was typed stays
    assert main_window.navigation.mine_only.text() == "Mine only"
    assert main_window.current_page_key() == "settings"
    assert ctx.settings.language == "en"
    ctx.set_language("ja")
    assert main_window.file_menu.title() == "ファイル(&F)"


def test_window_state_is_restored(ctx, make_window, settings_path: Path) -> None:
    window = make_window(ctx)
    window.resize(640, 480)
    window.show_page("settings")
    window.close()
    stored = Settings.load(settings_path)
    assert stored.last_page == "settings"
    assert stored.window_geometry
    ctx.settings = stored
    again = make_window(ctx)
    assert again.current_page_key() == "settings"
    assert (again.width(), again.height()) == (640, 480)


def test_status_bar_names_the_database_and_the_role(main_window, ctx) -> None:
    assert str(ctx.db.path) in main_window.db_label.text()
    assert main_window.role_label.text() == "本部（取りまとめ）"
    ctx.set_department("土木部")
    assert main_window.role_label.text() == "部局: 土木部"
    ctx.notify_saved("保存しました")
    assert main_window.statusBar().currentMessage() == "保存しました"


def test_dropped_returns_go_to_the_merge_page_if_registered(main_window, tmp_path) -> None:
    dropped = tmp_path / "回答_商工労働部.xlsx"
    dropped.write_bytes(b"")
    received: list[list[Path]] = []

    class FakeMerge(Page):
        page_key = "merge"
        title_ja = "設定"  # an existing key: this test page needs no translation

        def add_files(self, paths: list[Path]) -> None:
            received.append(paths)

    main_window.classes["merge"] = FakeMerge
    main_window.page_actions["merge"] = main_window.page_actions["settings"]
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped)), QUrl.fromLocalFile(str(tmp_path / "x.txt"))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    main_window.dropEvent(event)  # sendEvent drops a Drop that no real drag preceded
    assert event.isAccepted()
    assert received == [[dropped]]
    assert main_window.current_page_key() == "merge"


def test_drop_without_a_merge_page_says_where_to_merge(main_window, tmp_path) -> None:
    main_window.classes.pop("merge", None)
    assert not main_window.drop_files([tmp_path / "a.xlsx"])
    assert "本部" in main_window.statusBar().currentMessage()


def test_undo_and_redo_follow_the_apps_undo_stack(main_window, ctx) -> None:
    from PySide6.QtGui import QUndoCommand

    class Note(QUndoCommand):
        def __init__(self) -> None:
            super().__init__("実績の入力")
            self.done = 0

        def redo(self) -> None:
            self.done += 1

        def undo(self) -> None:
            self.done -= 1

    assert not main_window.undo_action.isEnabled()
    command = Note()
    ctx.undo_stack.push(command)
    assert main_window.undo_action.text() == "元に戻す: 実績の入力"
    main_window.undo_action.trigger()
    assert command.done == 0
    assert main_window.redo_action.isEnabled()
    assert "Ctrl+Y" in [s.toString() for s in main_window.redo_action.shortcuts()]


class CountingPage(Page):
    page_key = "counting"
    title_ja = "設定"  # an existing key: this test page needs no translation
    headquarters_only = True

    def __init__(self, ctx, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_a_page_that_fails_to_open_leaves_the_window_usable(main_window, caplog) -> None:
    from ui.pages import BrokenPage

    class Failing(Page):
        page_key = "failing"
        title_ja = "設定"

        def refresh(self) -> None:
            raise RuntimeError("壊れています")

    main_window.add_page_classes([Failing])
    page = main_window.show_page("failing")
    assert isinstance(page, BrokenPage)
    assert "壊れています" in page.label.text()
    assert main_window.show_page("project") is not None


def test_headquarters_pages_hide_for_a_department(main_window, ctx) -> None:
    main_window.add_page_classes([CountingPage])
    assert main_window.page_actions["counting"].isVisible()
    main_window.show_page("counting")
    ctx.set_department("土木部")
    assert not main_window.page_actions["counting"].isVisible()
    assert main_window.current_page_key() == "project"  # moved off the hidden page
    assert main_window.show_page("counting") is None


def test_a_write_refreshes_other_pages_but_not_its_source(main_window, ctx) -> None:
    main_window.add_page_classes([CountingPage])
    page = main_window.show_page("counting")
    assert page.refreshed == 1
    ctx.notify_saved("保存しました", source=page)
    assert page.refreshed == 1  # the page that wrote keeps its editor and place
    ctx.notify_saved("保存しました")
    assert page.refreshed == 2  # visible: at once
    main_window.show_page("project")
    ctx.data_changed.emit()
    assert page.refreshed == 2  # hidden: later …
    main_window.show_page("counting")
    assert page.refreshed == 3  # … when shown again


def test_the_project_splitter_is_remembered(ctx, make_window, settings_path) -> None:
    window = make_window(ctx)
    page = window.show_page("project")
    page.splitter.setSizes([100, 300])
    page.splitter.splitterMoved.emit(100, 1)
    window.close()
    stored = Settings.load(settings_path)
    assert stored.splitters.get("project.splitter")
    ctx.settings = stored
    again = make_window(ctx).show_page("project")
    assert again.sized_by_user
    assert again.splitter.saveState() == page.splitter.saveState()
