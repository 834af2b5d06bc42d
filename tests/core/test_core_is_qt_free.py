"""The core never imports PySide6 or ui: every dxtracker module imports with Qt blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dxtracker

SCRIPT = """
import importlib, pkgutil, sys
sys.modules["PySide6"] = None
sys.modules["ui"] = None
import dxtracker
names = [m.name for m in pkgutil.walk_packages(dxtracker.__path__, "dxtracker.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_core_module_imports_without_qt():
    root = Path(dxtracker.__file__).parent.parent
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10
