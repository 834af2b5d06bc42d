"""The `dxtracker` command line.

Exit status: 0 success, 1 a user error (message on stderr, database unchanged), 2 bad usage.
Each command group lives in a module of this package exposing `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from dxtracker import __version__
from dxtracker.cli import (
    commands_audit,
    commands_core,
    commands_db,
    commands_departments,
    commands_proposals,
    commands_report,
    commands_returns,
    commands_server,
)
from dxtracker.errors import DxTrackerError
from dxtracker.figures.fiscal_year import FiscalYearError
from dxtracker.figures.parse import ValueParseError

USER_ERRORS = (DxTrackerError, ValueParseError, FiscalYearError)

# Command modules; each adds its subcommands. Later features append theirs here.
COMMAND_MODULES = [commands_core, commands_departments, commands_audit, commands_proposals,
                   commands_returns, commands_report, commands_db, commands_server]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxtracker",
        description="DX Tracker — DX推進計画の進捗管理 (progress of a prefecture's DX plan)",
    )
    parser.add_argument("--version", action="version", version=f"dxtracker {__version__}")
    parser.add_argument(
        "--db", default=None, metavar="PATH|URL",
        help="データベースファイル、またはサーバーのURL postgresql://HOST/DBNAME "
             "(default: $DXTRACKER_DB or the user's data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="詳しいログを表示")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_console()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except USER_ERRORS as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130


def _utf8_console() -> None:
    # A Windows console may use cp932: never crash on a character it cannot show.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
