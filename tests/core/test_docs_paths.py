"""The code that README.md and the other documents point at exists: modules move, and a
document that names `dxtracker/values.py` after it became `figures/parse.py` sends a newcomer
nowhere. Paths (`dxtracker/returns/layout.py`, `ui/widgets/`) must exist; dotted names
(`dxtracker.returns.apply.merge_returns`) must name a module, and the name after it must occur
in that module. Nothing is imported (ui/ needs Qt, which the core tests never load)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ["README.md", "CONTRIBUTING.md", "installer/IT-NOTES.md",
             *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
_BEFORE = r"(?<![\w./\\-])"  # not the tail of a longer path or name
PATH = re.compile(_BEFORE + r"(?:dxtracker|ui)/[\w./-]*")
# (not a file name: dxtracker.exe, dxtracker.sqlite3-wal)
DOTTED = re.compile(_BEFORE + r"(?:dxtracker|ui)(?:\.\w+)+(?![\w-]|\.\w)")
FILE_SUFFIXES = {"exe", "sqlite3", "json", "xlsx", "zip"}


def missing_paths(text: str, root: Path) -> list[str]:
    found = {m.group().rstrip(".,") for m in PATH.finditer(text)}
    return sorted(p for p in found if not (root / p).exists())


def missing_names(text: str, root: Path) -> list[str]:
    names = {m.group() for m in DOTTED.finditer(text)}
    return sorted(name for name in names if name.rsplit(".", 1)[1] not in FILE_SUFFIXES
                  and not _resolves(name.split("."), root))


def _resolves(parts: list[str], root: Path) -> bool:
    """The longest prefix of `parts` that is a module; the next part must occur in it."""
    for end in range(len(parts), 0, -1):
        base = root.joinpath(*parts[:end])
        source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if source.is_file():
            rest = parts[end:]
            return not rest or re.search(rf"\b{re.escape(rest[0])}\b",
                                         source.read_text(encoding="utf-8")) is not None
    return False


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_code_a_document_names_exists(document: str):
    text = (ROOT / document).read_text(encoding="utf-8")
    assert missing_paths(text, ROOT) == []
    assert missing_names(text, ROOT) == []


def test_the_check_finds_a_moved_module(tmp_path: Path):
    (tmp_path / "dxtracker" / "figures").mkdir(parents=True)
    (tmp_path / "dxtracker" / "__init__.py").write_text("")
    (tmp_path / "dxtracker" / "figures" / "parse.py").write_text("def parse_value(): ...\n")
    text = ("One parser (`dxtracker/values.py`), now `dxtracker/figures/parse.py`: "
            "dxtracker.figures.parse.parse_value, dxtracker.values.parse_value, "
            "dxtracker.figures.parse.format_value. See ~/DXTracker/dxtracker.sqlite3.")
    assert missing_paths(text, tmp_path) == ["dxtracker/values.py"]
    assert missing_names(text, tmp_path) == ["dxtracker.figures.parse.format_value",
                                             "dxtracker.values.parse_value"]
