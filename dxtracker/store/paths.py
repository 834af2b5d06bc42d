"""Where things live: the user's data folder, the database, backups, and bundled resources."""

from __future__ import annotations

import sys
from pathlib import Path

from dxtracker import APP_NAME

DB_ENV = "DXTRACKER_DB"
DB_FILE_NAME = "dxtracker.sqlite3"
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs", "9p", "afs"}


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, from a source checkout or a frozen (PyInstaller) build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    # The checkout's root holds dxtracker/ and resources/ side by side.
    checkout = Path(__file__).resolve().parents[2]
    root = Path(frozen_root) if frozen_root else checkout
    return root.joinpath("resources", *parts)


def default_plan_path() -> Path:
    return resource_path("default_plan.json")


def user_data_dir() -> Path:
    # Imported here: the desktop app needs resource_path before its window shows, this not.
    import platformdirs

    # %LOCALAPPDATA%\DXTracker on Windows: the local disk, never a roaming network profile.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def default_backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def is_network_path(path: Path) -> bool:
    """True when `path` is on a network drive (SQLite's locking is unreliable there)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":
        return _windows_drive_is_remote(path)
    return _mount_fs_type(path) in NETWORK_FILESYSTEMS


def _windows_drive_is_remote(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = Path(path).resolve().drive
    if not drive:
        return False
    drive_remote = 4
    if sys.platform != "win32":  # only called on Windows; tells the type checker so too
        return False
    drive_type: int = ctypes.windll.kernel32.GetDriveTypeW(drive + "\\")
    return drive_type == drive_remote


def _mount_fs_type(path: Path) -> str:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    target = str(Path(path).resolve())
    best, fs_type = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1]
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > len(best):
            best, fs_type = mount_point, fields[2]
    return fs_type


def network_path_warning(path: Path) -> str | None:
    if not is_network_path(path):
        return None
    return (
        f"警告: {path} はネットワーク上の場所です。SQLiteのデータベースをネットワークドライブに置くと、"
        "ロックの不具合でファイルが壊れることがあります。ローカルディスクに置き、"
        "部局とのやり取りは回答のExcelファイルで行ってください。"
    )
