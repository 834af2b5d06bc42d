"""What every command needs: the database path and argument types."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxtracker.figures.fiscal_year import FiscalYearError, parse_fiscal_year
from dxtracker.store.connect import open_database
from dxtracker.store.db import Database
from dxtracker.store.paths import default_db_path, network_path_warning


def db_path(args: argparse.Namespace) -> Path:
    path = args.db if args.db is not None else default_db_path()
    warning = network_path_warning(path)
    if warning:
        print(warning, file=sys.stderr)
    return path


def open_db(args: argparse.Namespace) -> Database:
    return open_database(db_path(args))


def fiscal_year_arg(text: str) -> int:
    """argparse type: any spelling of a fiscal year (2022, FY2022, R4, 令和4年度)."""
    try:
        return parse_fiscal_year(text)
    except FiscalYearError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
