"""Running `dxtracker report` in a separate process for the desktop app.

Why a process and not the worker thread: matplotlib is not thread-safe, and the dashboard and
the project view draw their charts with it on the UI thread; a report drawing 30 charts on the
worker at the same time could corrupt both. A child process has its own matplotlib, and the
window stays responsive. The child is the command line itself, so the app and
`dxtracker report` make the same workbook and the same Japanese messages.

From source: `python -m dxtracker --db PATH report -o FILE --fy YEAR [--pdf FILE] --lang LANG
[--comparison year|return] --progress`. In the frozen build (installer/dxtracker.spec) the
console program `dxtracker(.exe)` sits next to `dxtracker-gui(.exe)`; the GUI bundle leaves out
`dxtracker.cli`, so `-m` is not an option there.

The child speaks the progress protocol of `dxtracker.report.steps` on stdout (one line per
step: step N of M, its stage) and is cancelled by the line "cancel" on its stdin (Windows has
no SIGTERM for a console program) together with QProcess.terminate() (SIGTERM elsewhere); it
stops at its next step, removes its temporary files and exits with status 130.
"""

from __future__ import annotations

import locale
import sys
from dataclasses import dataclass
from pathlib import Path

import dxtracker
from dxtracker.store.location import DatabaseLocation, parse_location

CREATE_NO_WINDOW = 0x08000000  # Windows: no console window flashing up for the child


@dataclass(frozen=True)
class ReportCommand:
    program: str
    arguments: list[str]
    working_directory: str
    # A server database's password reaches the child in its environment (libpq reads
    # PGPASSWORD), never on its command line, which other users of the machine may see.
    password: str | None = None


def cli_program() -> tuple[str, list[str]]:
    """The command line program and the arguments that come before its own options."""
    if getattr(sys, "frozen", False):
        name = "dxtracker.exe" if sys.platform == "win32" else "dxtracker"
        return str(Path(sys.executable).with_name(name)), []
    return sys.executable, ["-m", "dxtracker"]


CANCEL_LINE = b"cancel\n"  # what the child reads on stdin to stop (dxtracker/cli/report_progress)
CANCELLED_STATUS = 130


def report_command(db_path: Path | DatabaseLocation, output: Path, fiscal_year: int,
                   pdf: Path | None = None, *, language: str = "ja",
                   comparison: str | None = None) -> ReportCommand:
    program, arguments = cli_program()
    location = parse_location(db_path)
    database = location.name if location.is_server else str(location.file.resolve())
    arguments = [*arguments, "--db", database, "report",
                 "-o", str(Path(output).resolve()), "--fy", str(fiscal_year)]
    if pdf is not None:
        arguments += ["--pdf", str(Path(pdf).resolve())]
    arguments += ["--lang", language]
    if comparison is not None:
        arguments += ["--comparison", comparison]
    arguments.append("--progress")
    # From source, the folder holding the package, so that `-m dxtracker` finds this checkout
    # even where it is not installed; frozen, the program's own folder.
    folder = Path(program).parent if getattr(sys, "frozen", False) \
        else Path(dxtracker.__file__).resolve().parent.parent
    return ReportCommand(program, arguments, str(folder), location.password)


def decode_output(data: bytes) -> str:
    """The child's output: UTF-8 (we ask for it), else the system's code page (a frozen child
    on Japanese Windows may write cp932 to a pipe)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False) or "utf-8", errors="replace")


def prepare_process(process, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """UTF-8, unbuffered output (progress lines arrive as printed); no console on Windows; a
    server database's password (ReportCommand.password)."""
    from PySide6.QtCore import QProcessEnvironment

    environment = QProcessEnvironment.systemEnvironment()
    if password is not None:
        environment.insert("PGPASSWORD", password)
    environment.insert("PYTHONIOENCODING", "utf-8")
    environment.insert("PYTHONUNBUFFERED", "1")
    process.setProcessEnvironment(environment)
    modifier = getattr(process, "setCreateProcessArgumentsModifier", None)
    if sys.platform == "win32" and modifier is not None:  # pragma: no cover - Windows only
        def no_window(arguments) -> None:  # type: ignore[no-untyped-def]
            arguments.flags |= CREATE_NO_WINDOW

        modifier(no_window)
