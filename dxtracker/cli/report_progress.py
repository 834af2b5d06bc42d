"""`dxtracker report --progress`: progress lines for the app, and cancelling from outside.

The app runs the report as a child process (ui/report_process.py). With `--progress` the
command prints one protocol line per step on stdout (`making.progress_line`) and listens for a
cancel, which comes either as the line "cancel" on stdin (what the app writes: it works the
same on Windows, where a console program cannot be sent SIGTERM) or as SIGTERM. A cancel is
taken at the next step, never in the middle of one, so that the temporary files are removed
by the code that made them; the command then exits with status 130.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from dxtracker.report.steps import ReportCancelled, ReportStep, progress_line

CANCEL_LINE = "cancel"
CANCELLED_STATUS = 130


class ProgressReporter:
    """The `progress` callback of `make_report` for the command line."""

    def __init__(self, protocol: bool) -> None:
        self.protocol = protocol
        self.cancelled = threading.Event()
        if protocol:
            self._listen()

    def __call__(self, step: ReportStep) -> None:
        if self.cancelled.is_set():
            raise ReportCancelled
        if self.protocol:
            print(progress_line(step), flush=True)
        elif sys.stderr.isatty():
            print(f"\r報告書を作成中 {step.done}/{step.total}", end="", file=sys.stderr,
                  flush=True)
            if step.done == step.total:
                print(file=sys.stderr)

    def _listen(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        # A daemon thread reading the file descriptor itself: reading sys.stdin would hold its
        # lock, which Python's shutdown waits for.
        threading.Thread(target=self._read_stdin, name="report-cancel", daemon=True).start()

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.cancelled.set()

    def _read_stdin(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(0, 256)
            except OSError:
                return
            if not chunk:
                return  # stdin closed: nobody will cancel
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop()
            if any(line.strip() == CANCEL_LINE.encode() for line in lines):
                self.cancelled.set()
                return
