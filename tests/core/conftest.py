"""Core test fixtures: a template database built once, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dxtracker.bootstrap import create_database
from dxtracker.db import Database, open_database

SEED_DOCUMENT = Path(__file__).with_name("seed_document.txt")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    create_database(path).close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dx.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_database(db_path)
    yield database
    database.close()
