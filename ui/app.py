"""Starting the desktop app: `dxtracker-gui` / `python -m ui`.

    dxtracker-gui [--db PATH] [--lang ja|en] [--department NAME|headquarters]
                  [--settings PATH] [--screenshot DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.startup import Loaded

_STARTED = time.perf_counter()

HEADQUARTERS_WORDS = ("headquarters", "本部", "hq")
UI_FONT_FAMILIES = ["Yu Gothic UI", "Meiryo UI", "Noto Sans CJK JP", "IPAexGothic",
                    "Hiragino Sans", "MS UI Gothic"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dxtracker-gui",
                                     description="DX Tracker (DX推進計画 進捗管理) desktop app")
    parser.add_argument("--db", help="database file or server URL postgresql://HOST/DBNAME "
                        "(default: the user's data folder)")
    parser.add_argument("--lang", choices=("ja", "en"), help="display language")
    parser.add_argument("--department", help="department name, or 'headquarters'")
    parser.add_argument("--settings", type=Path, help="settings file (default: user config)")
    parser.add_argument("--screenshot", type=Path, metavar="DIR",
                        help="save a PNG of each main view in DIR and exit")
    parser.add_argument("--benchmark-startup", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Settings and translations before PySide6: once PySide6 is in, it reads the source of
    # every module imported after it (its __feature__ check), a cost at each start.
    from ui import i18n
    from ui.settings import Settings

    automated = bool(args.screenshot or args.benchmark_startup)
    settings = Settings.load(args.settings)
    if automated and args.settings is None:
        import tempfile

        # Screenshots and benchmarks must not change the user's own settings file.
        settings.path = Path(tempfile.mkdtemp(prefix="dxtracker-")) / "settings.json"
    if args.lang:
        settings.language = args.lang
    i18n.set_language(settings.language)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DXTracker")
    app.setApplicationDisplayName("DX Tracker")
    set_app_icon(app)
    set_ui_font(app)
    first_start = not settings.role_chosen and args.department is None and not automated
    if args.screenshot or first_start:
        # The first-start question needs the plan's departments, screenshots the whole plan:
        # open the database before showing anything.
        ctx = _make_context(args, settings, automated)
        return 1 if ctx is None else _run(app, ctx, args)
    return _run_loading_in_background(app, args, settings)


def set_app_icon(app) -> None:  # type: ignore[no-untyped-def]
    """The icon of every window and of the task bar (the .exe's own icon is the .ico)."""
    from PySide6.QtGui import QIcon

    from dxtracker.store.paths import resource_path

    # Before the window shows, so that it appears with its icon (QIcon reads only the PNG's
    # header here, about 2 ms; the pixels when the icon is first drawn).
    app.setWindowIcon(QIcon(str(resource_path("icons", "dxtracker.png"))))


def set_ui_font(app) -> None:  # type: ignore[no-untyped-def]
    """Japanese UI fonts first, so Han characters take Japanese shapes (not Chinese ones)."""
    from PySide6.QtGui import QFont

    font = QFont(app.font())
    font.setFamilies(UI_FONT_FAMILIES + font.families())
    app.setFont(font)


def _make_context(args: argparse.Namespace, settings, automated: bool):  # type: ignore[no-untyped-def]
    from dxtracker.errors import DxTrackerError
    from dxtracker.plan.bootstrap import open_or_create
    from ui.context import AppContext
    from ui.i18n import language

    db_path = _db_path(args, settings)
    try:
        db = open_or_create(db_path)
        ctx = AppContext(db, settings)
    except DxTrackerError as exc:
        _fatal(exc.message(language()), automated)
        return None
    try:
        if not _choose_department(ctx, args.department, automated):
            return None
    except ValueError as exc:
        _fatal(str(exc), automated)
        return None
    return ctx


def _choose_department(ctx, requested: str | None, automated: bool) -> bool:  # type: ignore[no-untyped-def]
    """--department, else the remembered choice, else the first-start question."""
    if requested is not None:
        wanted = None if requested.strip().lower() in HEADQUARTERS_WORDS else requested.strip()
        if wanted is not None and wanted not in ctx.departments:
            from ui.i18n import tr

            raise ValueError(tr("部局「{name}」はこの計画にありません。次のいずれかを指定してください: {names}",
                                name=wanted, names="、".join([*ctx.departments, "headquarters"])))
        ctx.set_department(wanted)
        return True
    if ctx.settings.role_chosen:
        if not ctx.is_headquarters and ctx.department not in ctx.departments:
            ctx.set_department(None)  # the department is not in this database's plan
        return True
    if automated:
        ctx.set_department(None)
        return True
    from ui.first_start import ask_department

    choice = ask_department(ctx.departments)
    if choice is False:
        return False  # the user closed the question: do not start
    ctx.set_department(choice)
    return True


def _fatal(message: str, automated: bool) -> None:
    print(message, file=sys.stderr)
    if not automated:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "DX Tracker", message)


def _db_path(args: argparse.Namespace, settings):  # type: ignore[no-untyped-def]
    """The database to open: a file or a server (`dxtracker.store.location`)."""
    from dxtracker.store.location import default_location, parse_location

    given = args.db or settings.db_path
    location = parse_location(given) if given else default_location()
    if location.is_server and location.password is None:
        location = _with_password(location, ask=not (args.screenshot or args.benchmark_startup))
    return location


def _with_password(location, *, ask: bool):  # type: ignore[no-untyped-def]
    """A server location with its password from the credential store; without one there, ask
    (never written to a file). No answer: libpq's own sources (PGPASSWORD, .pgpass) remain."""
    from ui.credentials import saved_password

    password = saved_password(location)
    if password is None and ask:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        from ui.i18n import tr

        password, ok = QInputDialog.getText(
            None, tr("サーバーのデータベースに接続"),
            tr("{name} のパスワード:", name=location.name), QLineEdit.EchoMode.Password)
        password = password if ok and password else None
    return location.with_password(password) if password is not None else location


def _run(app, ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """The database is open already: build the whole window, then run."""
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    if args.screenshot:
        from ui.screenshots import take_screenshots

        paths = take_screenshots(window, ctx, args.screenshot)
        print("\n".join(str(p) for p in paths))
        window.deleteLater()
        ctx.db.close()
        return 0
    window.restore_state()
    window.show()
    code = app.exec()
    ctx.db.close()
    return code


def _run_loading_in_background(app, args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    """A normal start: show the window at once, open the plan on the worker, then fill it in.

    SQLAlchemy's import and the first queries cost several times what showing a window does;
    the user sees the window (menus, a "loading" note) meanwhile instead of nothing.
    """
    from PySide6.QtCore import QTimer

    from ui.context import AppContext
    from ui.main_window import MainWindow

    ctx = AppContext(None, settings)
    window = MainWindow(ctx)
    window.restore_state()
    window.show()
    benchmark = Benchmark(app, window, ctx) if args.benchmark_startup else None
    if benchmark:
        QTimer.singleShot(0, lambda: benchmark.mark("shown"))

    def loaded(result: Loaded) -> None:
        assert result.db is not None
        ctx.attach_database(result.db, result.facts)
        try:
            _choose_department(ctx, args.department, automated=True)
        except ValueError as exc:
            failed_with(str(exc))
            return
        window.finish_loading(result)
        if benchmark:
            QTimer.singleShot(0, lambda: benchmark.mark("loaded"))
            QTimer.singleShot(0, benchmark.check_usable)
        first = list(result.page_classes)
        # The other pages' modules once the page shown has its data and has been drawn: their
        # imports on the worker would hold the GIL while the page the user looks at loads.
        when_idle(ctx, lambda: ctx.tasks.run(
            lambda _progress: _startup().load_other_pages(first), on_success=pages_loaded,
            on_failure=failed, quiet=True))

    def pages_loaded(classes: list) -> None:  # type: ignore[type-arg]
        window.add_page_classes(classes)
        if benchmark:
            QTimer.singleShot(0, lambda: benchmark.mark("pages"))
            QTimer.singleShot(0, benchmark.check_usable)
            return
        # Nothing waits for it: a failure here only means the first chart loads it itself.
        ctx.tasks.run(lambda _progress: _startup().preload_charts(), on_success=lambda _: None,
                      on_failure=lambda _exc: None, quiet=True)

    def failed(exc: BaseException) -> None:
        from ui.tasks import error_text

        failed_with(error_text(exc))

    def failed_with(message: str) -> None:
        _fatal(message, bool(benchmark))
        app.exit(1)

    # Start loading once the window has been drawn: the worker's imports hold the GIL much of
    # the time and would otherwise delay the first paint.
    start_page = window.start_page or ""
    # The database's location is worked out on the worker too: parsing it imports SQLAlchemy,
    # which on the UI thread held back the window's first paint by a fifth of a second.
    QTimer.singleShot(0, lambda: ctx.tasks.run(
        lambda _progress: _startup().open_for_window(_db_path(args, settings), start_page),
        on_success=loaded, on_failure=failed, quiet=True))
    code = app.exec()
    ctx.tasks.wait_for_done()
    if ctx.is_loaded:
        ctx.db.close()
    return code


def when_idle(ctx, then) -> None:  # type: ignore[no-untyped-def]
    """Call `then()` once no background work is pending and the event loop has gone round
    (the page shown has been drawn)."""
    from PySide6.QtCore import QTimer

    done = False

    def check(*_: object) -> None:
        nonlocal done
        if done or ctx.tasks.running:
            return
        done = True
        ctx.tasks.busy_changed.disconnect(check)
        QTimer.singleShot(0, then)

    ctx.tasks.busy_changed.connect(check)
    QTimer.singleShot(0, check)


def _startup():  # type: ignore[no-untyped-def]
    """`ui.startup`, imported where first used: on the worker, so that nothing between show()
    and the event loop (where the window is drawn) waits for it."""
    from importlib import import_module

    return import_module("ui.startup")


class Benchmark:
    """--benchmark-startup: print seconds since start at each mark, then quit.

      shown   the event loop is first idle after the window is shown (menus, "loading" note);
      loaded  the plan is in: navigation tree filled, start page constructed;
      usable  the start page (the one the user left off on, `last_page` in the settings) is
              the current page, no background work is pending (its data is in), the window
              has been painted again since, and the event loop is idle;
      pages   every registered page's button is there.
    The process quits once both "usable" and "pages" are printed.
    """

    def __init__(self, app, window, ctx) -> None:  # type: ignore[no-untyped-def]
        self.app, self.window, self.ctx = app, window, ctx
        self.printed: set[str] = set()
        ctx.tasks.busy_changed.connect(lambda busy: busy or self.check_usable())

    def mark(self, what: str) -> None:
        if what in self.printed:
            return
        self.printed.add(what)
        print(f"{what} {time.perf_counter() - _STARTED:.4f}", flush=True)
        if {"usable", "pages"} <= self.printed:
            self.app.quit()

    def check_usable(self) -> None:
        """Print "usable" once the start page is shown with its data in (see the class)."""
        window = self.window
        if "usable" in self.printed or not window.classes or self.ctx.tasks.running:
            return
        start, available = window.start_page, window.available_keys()
        if start and start not in available and "pages" not in self.printed:
            return  # its page class has not arrived yet
        if window.current_page_key() != (start if start in available else "project"):
            return
        window.repaint()  # painted with its data, on every platform
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: self.mark("usable"))


if __name__ == "__main__":
    sys.exit(main())
