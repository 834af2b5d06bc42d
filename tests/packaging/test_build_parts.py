"""The parts of the build that run without building: manifest, zip, Inno Setup script, licences,
the frozen start-up settings and the icon."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "installer" / "dxtracker.iss"


def make_bundle(folder: Path) -> Path:
    (folder / "_internal").mkdir(parents=True)
    (folder / "dxtracker-gui").write_bytes(b"\x7fELF program")
    (folder / "dxtracker-gui").chmod(0o755)
    (folder / "_internal" / "libQt6Core.so.6").write_bytes(os.urandom(2048))
    (folder / "_internal" / "データ.json").write_text('{"a": 1}', encoding="utf-8")
    return folder


def test_manifest_holds_every_file_with_its_sha256(build: ModuleType, tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "DXTracker")
    manifest = build.write_manifest(bundle)
    entries = dict(reversed(line.split("  ", 1)) for line in manifest.read_text("utf-8").splitlines())
    assert set(entries) == {"dxtracker-gui", "_internal/libQt6Core.so.6", "_internal/データ.json"}
    for name, digest in entries.items():
        assert digest == hashlib.sha256((bundle / name).read_bytes()).hexdigest()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links: Linux bundles only")
def test_manifest_skips_links_and_zip_stores_them_as_links(build: ModuleType, tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "DXTracker")
    (bundle / "libQt6Core.so.6").symlink_to("_internal/libQt6Core.so.6")
    assert "  libQt6Core.so.6" not in build.write_manifest(bundle).read_text("utf-8")
    archive = zipfile.ZipFile(build.make_zip(bundle, tmp_path / "portable.zip"))
    link = archive.getinfo("DXTracker/libQt6Core.so.6")
    assert stat.S_ISLNK(link.external_attr >> 16)
    assert archive.read(link) == b"_internal/libQt6Core.so.6"


def test_portable_zip_unpacks_into_one_folder(build: ModuleType, tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "DXTracker")
    build.write_manifest(bundle)
    zip_path = build.make_zip(bundle, tmp_path / "DXTracker-0.1.0-portable.zip")
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert names == {"DXTracker/dxtracker-gui", "DXTracker/_internal/libQt6Core.so.6",
                         "DXTracker/_internal/データ.json", "DXTracker/SHA256SUMS.txt"}
        program = archive.getinfo("DXTracker/dxtracker-gui")
        if sys.platform != "win32":
            assert (program.external_attr >> 16) & 0o111, "the executable lost its x bit"
        data = archive.read("DXTracker/_internal/libQt6Core.so.6")
    assert data == (bundle / "_internal" / "libQt6Core.so.6").read_bytes()
    assert not zip_path.with_name(zip_path.name + ".part").exists()


def test_iscc_named_by_the_environment_is_used(build: ModuleType, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    iscc = tmp_path / "ISCC.exe"
    iscc.write_bytes(b"MZ")
    monkeypatch.setenv("ISCC", str(iscc))
    assert build.find_iscc() == iscc


def iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in ISS.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        elif line and not line.startswith(";") and current:
            sections[current].append(line)
    return sections


def test_installer_is_per_user_without_administrator_rights() -> None:
    setup = iss_sections()["Setup"]
    assert "PrivilegesRequired=lowest" in setup
    assert not any(line.startswith("PrivilegesRequiredOverridesAllowed") for line in setup)
    assert r"DefaultDirName={localappdata}\Programs\DXTracker" in setup
    assert "OutputBaseFilename=DXTracker-{#AppVersion}-setup" in setup


def test_uninstaller_deletes_only_inside_the_program_folder() -> None:
    # The user's database, backups and settings live in %LOCALAPPDATA%\DXTracker: never deleted.
    sections = iss_sections()
    deletions = sections.get("UninstallDelete", []) + sections.get("InstallDelete", [])
    for line in deletions:
        name = re.search(r'Name:\s*"([^"]+)"', line)
        assert name and name.group(1).startswith("{app}\\"), line


def test_installer_speaks_japanese_and_english_and_needs_a_version() -> None:
    assert ISS.read_bytes().startswith(b"\xef\xbb\xbf"), "ISCC reads UTF-8 only with a BOM"
    text = ISS.read_text(encoding="utf-8-sig")
    languages = iss_sections()["Languages"]
    assert any("Japanese.isl" in line for line in languages)
    assert any("Default.isl" in line for line in languages)
    assert "#error" in text.split("#ifndef AppVersion", 1)[1].split("#endif", 1)[0]
    messages = [line.split("=", 1)[0].split(".") for line in iss_sections()["CustomMessages"]]
    japanese = {key for language, key in messages if language == "japanese"}
    assert japanese and japanese == {key for language, key in messages if language == "english"}
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE)
    assert icon and (ISS.parent / icon.group(1).replace("\\", "/")).is_file()


def test_frozen_settings_do_nothing_from_source(frozen_env: ModuleType,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setenv("MPLCONFIGDIR", "/somewhere")
    frozen_env.prepare(gui=True)
    assert os.environ["MPLCONFIGDIR"] == "/somewhere"


def test_frozen_app_keeps_matplotlib_cache_in_the_user_cache(frozen_env: ModuleType,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    import platformdirs

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "pyinstaller-temporary"))
    frozen_env.prepare(gui=False)
    folder = Path(os.environ["MPLCONFIGDIR"])
    assert folder == Path(platformdirs.user_cache_dir("DXTracker", appauthor=False)) / "matplotlib"
    if sys.platform.startswith("linux"):
        assert folder == tmp_path / "DXTracker" / "matplotlib"


def test_windowed_app_gets_streams_to_write_to(frozen_env: ModuleType,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    frozen_env.prepare(gui=True)
    streams = [sys.stdout, sys.stderr]
    try:
        for stream in streams:
            assert stream is not None
            stream.write("ログ\n")
    finally:
        for stream in streams:
            if stream is not None:
                stream.close()


def test_licences_cover_the_app_not_the_tools(third_party: ModuleType, tmp_path: Path) -> None:
    names = {dist.metadata["Name"].lower().replace("_", "-")
             for dist in third_party.runtime_distributions()}
    assert {"pyside6-essentials", "shiboken6", "sqlalchemy", "openpyxl", "matplotlib", "numpy",
            "platformdirs", "defusedxml", "python-calamine"} <= names
    assert not names & {"pytest", "hypothesis", "pandas", "ruff", "pytest-qt", "pyinstaller"}
    index = third_party.write_licenses(tmp_path / "licenses")
    listing = index.read_text(encoding="utf-8")
    assert re.search(r"^PySide6_Essentials\s+\S+\s+LGPL-3\.0", listing, re.MULTILINE)
    assert re.search(r"^pyinstaller\s+.*exception", listing, re.MULTILINE)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (tmp_path / "licenses" / "LGPL-3.0.txt").read_text()
    assert (tmp_path / "licenses" / "Qt-PySide6-NOTICE.txt").is_file()


def test_app_icon_has_the_sizes_windows_uses() -> None:
    from PIL import Image

    icons = ROOT / "resources" / "icons"
    with Image.open(icons / "dxtracker.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icons / "dxtracker.png") as png:
        assert png.size == (256, 256) and png.mode == "RGBA"
