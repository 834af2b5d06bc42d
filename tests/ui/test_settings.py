"""Settings file and settings page."""

from __future__ import annotations

import json

from ui.pages.settings_page import SettingsPage
from ui.settings import Settings


def test_settings_round_trip(settings_path) -> None:
    settings = Settings.load(settings_path)
    assert settings.role == "" and not settings.role_chosen
    settings.language, settings.department, settings.role = "en", "土木部", "department"
    settings.splitters["project.splitter"] = "AAAA"
    settings.save()
    again = Settings.load(settings_path)
    assert (again.language, again.department, again.role) == ("en", "土木部", "department")
    assert again.splitters == {"project.splitter": "AAAA"}


def test_unknown_keys_are_ignored_and_bad_values_reset(settings_path) -> None:
    settings_path.write_text(json.dumps({"language": "fr", "future_key": 1, "role": "department",
                                         "department": "土木部"}), encoding="utf-8")
    settings = Settings.load(settings_path)
    assert settings.language == "ja"
    assert settings.department == "土木部"


def test_a_broken_file_is_set_aside(settings_path) -> None:
    settings_path.write_text("{not json", encoding="utf-8")
    settings = Settings.load(settings_path)
    assert settings.language == "ja"
    assert settings_path.with_name("settings.json.broken").exists()
    settings.save()
    assert json.loads(settings_path.read_text(encoding="utf-8"))["language"] == "ja"


def test_settings_page_switches_language_and_department(ctx, main_window,
                                                         settings_path) -> None:
    page = main_window.show_page("settings")
    combo = page.department_combo
    assert combo.currentText() == "知事政策局（本部・取りまとめ）"
    combo.setCurrentIndex(combo.findData("商工労働部"))
    assert ctx.department == "商工労働部" and not ctx.is_headquarters
    assert Settings.load(settings_path).department == "商工労働部"
    page.language_combo.setCurrentIndex(page.language_combo.findData("en"))
    assert page.department_label.text() == "&Department:"
    assert combo.currentText() == "商工労働部"  # the choice survives the switch
    combo.setCurrentIndex(combo.count() - 1)
    assert ctx.is_headquarters and ctx.department is None
    assert main_window.role_label.text() == "Headquarters (consolidation)"


def test_settings_page_shows_database_and_backup_folder(ctx, qtbot, tmp_path) -> None:
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert page.db_edit.text() == str(ctx.db.path)
    assert page.backup_edit.text() == str(ctx.db.path.parent / "backups")
    assert not page.db_warning.isVisibleTo(page)
    page.backup_edit.setText(str(tmp_path / "bk"))
    page.backup_edit.editingFinished.emit()
    assert ctx.settings.backup_dir == str(tmp_path / "bk")


def test_back_up_now_writes_a_copy(ctx, qtbot, tmp_path) -> None:
    from ui.database_actions import back_up

    ctx.settings.backup_dir = str(tmp_path / "bk")
    with qtbot.waitSignal(ctx.saved) as signal:
        back_up(None, ctx)  # the sync executor runs it at once
    copies = list((tmp_path / "bk").glob("*.sqlite3"))
    assert len(copies) == 1 and str(copies[0]) in signal.args[0]


def test_opening_another_database_switches_everything(ctx, make_window, template_db,
                                                      tmp_path) -> None:
    import shutil

    from ui.database_actions import open_database

    window = make_window(ctx)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(template_db, other)
    assert open_database(window, ctx, other)
    assert ctx.db.path == other
    assert str(other) in window.db_label.text()
    assert len(window.navigation.visible_codes("project")) == 10
