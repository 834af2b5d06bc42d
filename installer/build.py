"""Builds DX Tracker for distribution, in one command (README, "Packaging"):

    .venv/bin/python installer/build.py          (Windows: .venv\\Scripts\\python installer\\build.py)

1. PyInstaller with installer/dxtracker.spec → dist/DXTracker/ (one folder, two executables:
   `dxtracker` and `dxtracker-gui`, sharing one set of libraries);
2. the licences of everything bundled → dist/DXTracker/licenses/, and IT-NOTES.md;
3. SHA256SUMS.txt in dist/DXTracker/ (every file of the folder, for the IT section to verify);
4. dist/DXTracker-<version>-portable.zip, for PCs where nothing can be installed;
5. on Windows, when Inno Setup's ISCC.exe is found: dist/DXTracker-<version>-setup.exe;
6. dist/DXTracker-<version>-SHA256SUMS.txt for the zip and the installer.
A Windows bundle and installer can only be built on Windows (PyInstaller does not cross-build).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
SPEC = HERE / "dxtracker.spec"
ISS = HERE / "dxtracker.iss"
BUNDLE_NAME = "DXTracker"
MANIFEST_NAME = "SHA256SUMS.txt"
ISCC_LOCATIONS = [  # the default folders of a machine-wide and a per-user Inno Setup 6
    r"%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe",
    r"%ProgramFiles%\Inno Setup 6\ISCC.exe",
    r"%LOCALAPPDATA%\Programs\Inno Setup 6\ISCC.exe",
]


def read_version() -> str:
    sys.path.insert(0, str(ROOT))
    import dxtracker

    return dxtracker.__version__


def run_pyinstaller(clean: bool, cli_only: bool) -> None:
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
               "--distpath", str(DIST), "--workpath", str(WORK), "--log-level", "WARN"]
    if clean:
        command.append("--clean")
    env = dict(os.environ, DXTRACKER_BUILD_CLI_ONLY="1" if cli_only else "0")
    subprocess.run(command, check=True, cwd=ROOT, env=env)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(folder: Path) -> list[Path]:
    """Every file and symbolic link in `folder` (a Linux bundle links some libraries by name)."""
    found = []
    for directory, _, names in os.walk(folder):  # does not follow links into folders
        found += [Path(directory, name) for name in names]
    return sorted(found)


def write_manifest(folder: Path) -> Path:
    """SHA256SUMS.txt in `folder`: `sha256sum -c` format, paths relative to the folder."""
    manifest = folder / MANIFEST_NAME
    lines = [f"{sha256(path)}  {path.relative_to(folder).as_posix()}"
             for path in bundle_files(folder) if path != manifest and not path.is_symlink()]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def make_zip(folder: Path, zip_path: Path) -> Path:
    """A zip holding `folder` itself (so it unpacks into one folder), executables kept executable."""
    zip_path.unlink(missing_ok=True)
    temporary = zip_path.with_name(zip_path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in bundle_files(folder):
            name = (Path(folder.name) / path.relative_to(folder)).as_posix()
            if path.is_symlink():
                archive.writestr(_symlink_entry(name), os.readlink(path))
                continue
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    os.replace(temporary, zip_path)
    return zip_path


def _symlink_entry(name: str) -> zipfile.ZipInfo:
    # Stored as a link (as `unzip` and `zip -y` do), not as a second copy of the library.
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode below is honoured
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def find_iscc() -> Path | None:
    """Inno Setup's compiler: $ISCC, ISCC on PATH, or its default install folders."""
    candidates = [os.environ.get("ISCC"), shutil.which("ISCC"), shutil.which("iscc")]
    candidates += [os.path.expandvars(location) for location in ISCC_LOCATIONS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def build_installer(folder: Path, version: str) -> Path | None:
    if sys.platform != "win32":
        print("installer: skipped (the Windows installer is built on Windows only)")
        return None
    iscc = find_iscc()
    if iscc is None:
        print("installer: skipped (Inno Setup 6 not found: install it or set ISCC=path\\ISCC.exe)")
        return None
    subprocess.run([str(iscc), "/Q", f"/DAppVersion={version}", f"/DSourceDir={folder}",
                    f"/DOutputDir={folder.parent}", str(ISS)], check=True, cwd=HERE)
    return folder.parent / f"{BUNDLE_NAME}-{version}-setup.exe"


def write_sums(path: Path, files: list[Path]) -> Path:
    path.write_text("".join(f"{sha256(f)}  {f.name}\n" for f in files), encoding="utf-8")
    return path


def folder_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in bundle_files(folder) if not path.is_symlink())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build dist/DXTracker/, the portable zip and "
                                     "(on Windows, with Inno Setup) the installer.")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument("--no-zip", action="store_true", help="skip the portable zip")
    parser.add_argument("--no-installer", action="store_true", help="skip the Windows installer")
    parser.add_argument("--cli-only", action="store_true",
                        help="build the command line alone (work on the core)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    version = read_version()
    folder = DIST / BUNDLE_NAME
    run_pyinstaller(args.clean, args.cli_only)
    frozen_seconds = time.perf_counter() - started
    # Imported here: `packaging` comes with PyInstaller, which the build extra installs.
    sys.path.insert(0, str(HERE))
    import third_party

    third_party.write_licenses(folder / "licenses")
    shutil.copy2(HERE / "IT-NOTES.md", folder / "IT-NOTES.md")  # for whoever approves the install
    write_manifest(folder)
    artefacts = []
    if not args.no_zip:
        artefacts.append(make_zip(folder, DIST / f"{BUNDLE_NAME}-{version}-portable.zip"))
    if not args.no_installer:
        setup = build_installer(folder, version)
        artefacts += [setup] if setup else []
    if artefacts:
        write_sums(DIST / f"{BUNDLE_NAME}-{version}-SHA256SUMS.txt", artefacts)
    print(f"bundle: {folder} — {len(bundle_files(folder))} files, "
          f"{folder_size(folder) / 1e6:.1f} MB")
    for artefact in artefacts:
        print(f"{artefact.name}: {artefact.stat().st_size / 1e6:.1f} MB")
    print(f"build time: PyInstaller {frozen_seconds:.1f} s, "
          f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
