"""What every command needs: the database (a file or a server URL), argument types, command
groups."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from dxtracker.figures.fiscal_year import FiscalYearError, parse_fiscal_year
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.location import DatabaseLocation, default_location, parse_location
from dxtracker.store.paths import network_path_warning


def db_location(args: argparse.Namespace) -> DatabaseLocation:
    """`--db` (a path or a URL), else `DXTRACKER_DB`, else the file in the user's data folder;
    a file on a network drive is warned about."""
    location = parse_location(args.db) if args.db is not None else default_location()
    warning = network_path_warning(location.path) if location.path is not None else None
    if warning:
        print(warning, file=sys.stderr)
    return location


def open_db(args: argparse.Namespace) -> Database:
    return open_database(db_location(args))


def command_group(subparsers: argparse._SubParsersAction, name: str,
                  help: str) -> argparse._SubParsersAction:
    """A command that takes a subcommand (`dxtracker NAME SUBCOMMAND …`); its subparsers."""
    group = subparsers.add_parser(name, help=help)
    sub = group.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")
    sub.required = True
    return sub


def fiscal_year_arg(text: str) -> int:
    """argparse type: any spelling of a fiscal year (2022, FY2022, R4, 令和4年度)."""
    try:
        return parse_fiscal_year(text)
    except FiscalYearError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def date_arg(text: str) -> date:
    """argparse type: a date as 2024-04-01."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日付は 2024-04-01 のように入力してください: {text}") \
            from exc
