"""Running `dxtracker report` in a separate process for the desktop app.

Why a process and not the worker thread: matplotlib is not thread-safe, and the dashboard and
the project view draw their charts with it on the UI thread; a report drawing 30 charts on the
worker at the same time could corrupt both. A child process has its own matplotlib, and the
window stays responsive. The child is the command line itself, so the app and
`dxtracker report` make the same workbook and the same Japanese messages.

From source: `python -m dxtracker --db PATH report -o FILE [--fy YEAR] [--pdf FILE]`. In the
frozen build (installer/dxtracker.spec) the console program `dxtracker(.exe)` sits next to
`dxtracker-gui(.exe)`; the GUI bundle leaves out `dxtracker.cli`, so `-m` is not an option there.
"""

from __future__ import annotations

import locale
import sys
from dataclasses import dataclass
from pathlib import Path

import dxtracker

CREATE_NO_WINDOW = 0x08000000  # Windows: no console window flashing up for the child


@dataclass(frozen=True)
class ReportCommand:
    program: str
    arguments: list[str]
    working_directory: str


def cli_program() -> tuple[str, list[str]]:
    """The command line program and the arguments that come before its own options."""
    if getattr(sys, "frozen", False):
        name = "dxtracker.exe" if sys.platform == "win32" else "dxtracker"
        return str(Path(sys.executable).with_name(name)), []
    return sys.executable, ["-m", "dxtracker"]


def report_command(db_path: Path, output: Path, fiscal_year: int,
                   pdf: Path | None = None) -> ReportCommand:
    program, arguments = cli_program()
    arguments = [*arguments, "--db", str(Path(db_path).resolve()), "report",
                 "-o", str(Path(output).resolve()), "--fy", str(fiscal_year)]
    if pdf is not None:
        arguments += ["--pdf", str(Path(pdf).resolve())]
    # From source, the folder holding the package, so that `-m dxtracker` finds this checkout
    # even where it is not installed; frozen, the program's own folder.
    folder = Path(program).parent if getattr(sys, "frozen", False) \
        else Path(dxtracker.__file__).resolve().parent.parent
    return ReportCommand(program, arguments, str(folder))


def decode_output(data: bytes) -> str:
    """The child's output: UTF-8 (we ask for it), else the system's code page (a frozen child
    on Japanese Windows may write cp932 to a pipe)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False) or "utf-8", errors="replace")


def prepare_process(process) -> None:  # type: ignore[no-untyped-def]
    """UTF-8, unbuffered output (progress lines arrive as printed); no console on Windows."""
    from PySide6.QtCore import QProcessEnvironment

    environment = QProcessEnvironment.systemEnvironment()
    environment.insert("PYTHONIOENCODING", "utf-8")
    environment.insert("PYTHONUNBUFFERED", "1")
    process.setProcessEnvironment(environment)
    modifier = getattr(process, "setCreateProcessArgumentsModifier", None)
    if sys.platform == "win32" and modifier is not None:  # pragma: no cover - Windows only
        def no_window(arguments) -> None:  # type: ignore[no-untyped-def]
            arguments.flags |= CREATE_NO_WINDOW

        modifier(no_window)
