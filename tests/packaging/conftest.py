"""Loads the installer/ scripts (not a package) as modules for the packaging tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def load_installer_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build() -> ModuleType:
    return load_installer_module("build")


@pytest.fixture(scope="session")
def frozen_env() -> ModuleType:
    return load_installer_module("frozen_env")


@pytest.fixture(scope="session")
def third_party() -> ModuleType:
    return load_installer_module("third_party")
