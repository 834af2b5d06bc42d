"""Starting the app: options, first start, screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QApplication

from ui.app import main
from ui.first_start import DepartmentDialog
from ui.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_writes_a_png_per_view(db_path, settings_path, tmp_path, qapp) -> None:
    shots = tmp_path / "shots"
    code = main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "商工労働部", "--screenshot", str(shots)])
    assert code == 0
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names[0] == "01_project.png"
    assert any(name.endswith("_settings.png") for name in names)
    assert names[-1].endswith("_first_start.png")
    image = QImage(str(shots / "01_project.png"))
    assert (image.width(), image.height()) == (1366, 768)
    assert Settings.load(settings_path).department == "商工労働部"


def test_the_ui_font_has_japanese_glyphs(qapp) -> None:
    from ui.app import set_ui_font

    set_ui_font(QApplication.instance())
    metrics = QFontMetrics(QApplication.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "部局令和年度実績")


def test_screenshot_in_english_from_a_subprocess(db_path, tmp_path) -> None:
    shots = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "ui", "--db", str(db_path), "--lang", "en",
         "--settings", str(tmp_path / "s.json"), "--screenshot", str(shots)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert (shots / "01_project.png").stat().st_size > 10_000
    # Without --department and in automated mode: headquarters, no question asked.
    assert Settings.load(tmp_path / "s.json").role == "headquarters"


def test_unknown_department_is_refused(db_path, settings_path, tmp_path, qapp, capsys) -> None:
    code = main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "宇宙局", "--screenshot", str(tmp_path / "x")])
    assert code == 1
    assert "宇宙局" in capsys.readouterr().err


def test_a_database_that_cannot_be_opened_is_refused(settings_path, tmp_path, qapp,
                                                     capsys) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database")
    code = main(["--db", str(bad), "--settings", str(settings_path),
                 "--screenshot", str(tmp_path / "x")])
    assert code == 1
    assert "SQLite" in capsys.readouterr().err


def test_first_use_creates_the_database(settings_path, tmp_path, qapp) -> None:
    fresh = tmp_path / "new" / "dx.sqlite3"
    assert main(["--db", str(fresh), "--settings", str(settings_path),
                 "--department", "headquarters", "--screenshot", str(tmp_path / "x")]) == 0
    assert fresh.exists()


def test_first_start_dialog_lists_departments_and_headquarters(ctx, qtbot) -> None:
    dialog = DepartmentDialog(ctx.departments)
    qtbot.addWidget(dialog)
    names = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert names[:-1] == ctx.departments
    assert names[-1] == "知事政策局（本部・取りまとめ）"
    dialog.list.setCurrentRow(2)
    assert dialog.choice() == ctx.departments[2]
    dialog.list.setCurrentRow(len(names) - 1)
    assert dialog.choice() is None  # headquarters


def test_normal_start_shows_the_window_then_loads_the_plan(db_path, settings_path, qapp,
                                                          capsys) -> None:
    """The real start path: window first, plan and pages from the worker thread."""
    code = main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "商工労働部", "--benchmark-startup"])
    assert code == 0
    marks = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert marks == ["shown", "loaded", "usable", "pages"]
    assert Settings.load(settings_path).department == "商工労働部"


def test_a_start_on_another_page_loads_that_page_first(db_path, settings_path, qapp,
                                                        capsys) -> None:
    """The page the user left off on comes with the home page; the others after it is usable."""
    from importlib import import_module

    from ui.pages import PAGES
    from ui.startup import first_pages, load_other_pages

    def classes(entries):  # type: ignore[no-untyped-def]
        return [getattr(import_module(module), name) for module, name in entries]

    assert first_pages("progress") == [PAGES[0], ("ui.pages.progress", "ProgressPage")]
    assert first_pages("settings") == [PAGES[0], ("ui.pages.settings_page", "SettingsPage")]
    assert first_pages("") == first_pages("project") == [PAGES[0]]
    assert first_pages("no_such_page") == PAGES  # not found by its key: every page at once
    first = classes(first_pages("plan_editor"))
    others = load_other_pages(first)
    assert {c.page_key for c in first} == {"project", "plan_editor"}
    assert {c.page_key for c in others} | {"project", "plan_editor"} == \
        {c.page_key for c in classes(PAGES)}
    assert not {c.page_key for c in others} & {"project", "plan_editor"}

    settings_path.write_text('{"last_page": "progress"}', encoding="utf-8")
    code = main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "商工労働部", "--benchmark-startup"])
    assert code == 0
    marks = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert marks == ["shown", "loaded", "usable", "pages"]


def test_normal_start_refuses_an_unknown_department(db_path, settings_path, qapp,
                                                    capsys) -> None:
    code = main(["--db", str(db_path), "--settings", str(settings_path),
                 "--department", "宇宙局", "--benchmark-startup"])
    assert code == 1
    assert "宇宙局" in capsys.readouterr().err


def test_normal_start_reports_a_bad_database(settings_path, tmp_path, qapp, capsys) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database")
    code = main(["--db", str(bad), "--settings", str(settings_path), "--benchmark-startup"])
    assert code == 1
    assert "SQLite" in capsys.readouterr().err
