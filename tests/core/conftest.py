"""Core test fixtures: a folder for returns and a return exported into it (the database, `db`,
is tests/conftest.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxtracker.returns import export_return
from dxtracker.store.db import Database

SEED_DOCUMENT = Path(__file__).with_name("seed_document.txt")
# The return the `exported` fixture makes: 商工労働部 reports P01-K1, P01-K3 (全部局), P03-K1,
# P03-K3 and is responsible for P01-M1…, P03-M1.
RETURN_DEPARTMENT, RETURN_FISCAL_YEAR = "商工労働部", 2022


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where returns go (tmp_path also holds the database)."""
    path = tmp_path / "returns"
    path.mkdir()
    return path


@pytest.fixture
def exported(db: Database, folder: Path) -> Path:
    """商工労働部's return for FY2022, as exported (test_plan_excel has its own `exported`:
    the plan workbook)."""
    with db.read() as session:
        return export_return(session, RETURN_DEPARTMENT, RETURN_FISCAL_YEAR, directory=folder)
