"""Fixtures shared by the core and UI tests: a template database built once per session,
copied for each test (building it from the plan file costs far more than a copy), and `db`,
that copy opened."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dxtracker.store.db import Database

# Qt tests run offscreen; the core tests never import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dxtracker.plan.bootstrap import create_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    create_database(path).close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dx.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    from dxtracker.store.connect import open_database

    database = open_database(db_path)
    yield database
    database.close()
