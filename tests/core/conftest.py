"""Core test fixtures: an open copy of the template database (tests/conftest.py builds it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxtracker.store.connect import open_database
from dxtracker.store.db import Database

SEED_DOCUMENT = Path(__file__).with_name("seed_document.txt")


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_database(db_path)
    yield database
    database.close()
