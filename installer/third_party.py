"""The licences of everything in the bundle, written to its `licenses/` folder for the IT section.

What is bundled is what `dxtracker` needs at run time: its requirements and theirs (no extras),
read from the installed packages' metadata; plus Python itself, and PyInstaller, whose
bootloader starts each executable. Each package's licence files are copied as they are, and
THIRD-PARTY.txt lists name, version and licence of each.
"""

from __future__ import annotations

import re
import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
ROOT_DISTRIBUTION = "dxtracker"
BOOTLOADER_DISTRIBUTION = "pyinstaller"  # GPL-2.0+ with an exception for the bootloader
BOOTLOADER_NOTE = (" (its bootloader, inside each executable, carries an exception allowing"
                   " any licence for the programs built with it: see COPYING.txt)")
LICENCE_FILE = re.compile(r"licen[cs]e|copying|notice", re.IGNORECASE)


def runtime_distributions(root: str = ROOT_DISTRIBUTION) -> list[metadata.Distribution]:
    """`root` and everything it requires at run time on this platform, sorted by name."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    # (name, extra): an extra asked for (psycopg[binary]) brings what it requires too
    pending = [(root, "")]
    while pending:
        name, extra = pending.pop()
        name = canonicalize_name(name)
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform
        found[name] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                pending += [(requirement.name, wanted) for wanted in ("", *requirement.extras)]
    return sorted(found.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def licence_name(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return "; ".join(classifiers) or "see the licence files"


def licence_files(dist: metadata.Distribution) -> list[tuple[Path, Path]]:
    """(installed file, path under the package's folder in licenses/) for each licence file."""
    pairs = []
    for file in dist.files or []:
        if not LICENCE_FILE.search(file.name) or file.suffix in (".py", ".pyc", ".pyi"):
            continue
        parts = file.parts[1:] if file.parts[0].endswith(".dist-info") else file.parts
        pairs.append((Path(str(file.locate())), Path(*parts)))
    return [(source, target) for source, target in pairs if source.is_file()]


def python_licence() -> Path | None:
    candidates = [Path(sysconfig.get_path("stdlib")) / "LICENSE.txt",
                  Path(sys.base_prefix) / "LICENSE.txt"]
    return next((path for path in candidates if path.is_file()), None)


def write_licenses(folder: Path) -> Path:
    """Fill `folder` (replaced if present) and return its THIRD-PARTY.txt."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for notice in sorted((HERE / "licenses").glob("*.txt")):
        shutil.copy2(notice, folder / notice.name)
    lines = [f"{'Python':<28} {sys.version.split()[0]:<12} PSF-2.0"]
    python = python_licence()
    if python:
        target = folder / "Python" / "LICENSE.txt"
        target.parent.mkdir()
        shutil.copy2(python, target)
    bootloader = metadata.distribution(BOOTLOADER_DISTRIBUTION)
    for dist in [*runtime_distributions(), bootloader]:
        name, version = dist.metadata["Name"], dist.version
        note = BOOTLOADER_NOTE if dist is bootloader else ""
        lines.append(f"{name:<28} {version:<12} {licence_name(dist)}{note}")
        for source, relative in licence_files(dist):
            target = folder / f"{name}-{version}" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    index = folder / "THIRD-PARTY.txt"
    header = ("DX Tracker bundles these programs and libraries (name, version, licence).\n"
              "Licence texts: the folders beside this file. Qt/PySide6 (LGPL-3.0): "
              "Qt-PySide6-NOTICE.txt.\n\n")
    index.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return index
