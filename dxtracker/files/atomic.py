"""Writing a file whole or not at all: the one way every workbook, PDF and settings file is saved.

The content goes to a temporary file in the target's folder, is flushed to disk and then moved
over the target with `os.replace` (FACTS.md "Replacing files on Windows"). An interrupted write
leaves the old file as it was; a file that another program holds open (Excel on Windows refuses
the replace with PermissionError) is reported by name, with what to do.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dxtracker.errors import DxTrackerError

__all__ = [
    "ANY_PROGRAM",
    "EXCEL",
    "PDF_VIEWER",
    "FileWriteError",
    "Program",
    "write_atomically",
    "write_bytes_atomically",
]

T = TypeVar("T")


class FileWriteError(DxTrackerError):
    """A file cannot be written: its folder is missing, or another program holds it open."""


@dataclass(frozen=True)
class Program:
    """A program that may hold the file open; the message asks the person to close it."""

    name_ja: str
    name_en: str


EXCEL = Program("Excelなど", "Excel")
PDF_VIEWER = Program("PDFビューアなど", "a PDF viewer")
ANY_PROGRAM = Program("ほかのプログラム", "another program")


def _read_umask() -> int:
    mask = os.umask(0)  # the only portable way to read it; done once, at import, not per thread
    os.umask(mask)
    return mask


# mkstemp creates private (0600) files; what we write is an ordinary document.
_FILE_MODE = 0o666 & ~_read_umask()


def write_atomically(path: Path | str, write: Callable[[Path], T], *,
                     held_by: Program = EXCEL) -> T:
    """Call `write(temporary)` to write the content, then put it at `path`; returns what
    `write` returned. Raises FileWriteError when the folder is missing or not writable, or when
    `held_by` (or anything else) holds `path` open; other OSErrors (a full disk) pass through.
    Either way no temporary file is left behind and the old file is untouched."""
    path = Path(path)
    temporary = _temporary_beside(path)
    try:
        result = write(temporary)
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except PermissionError as exc:
        raise FileWriteError(
            f"{path} に書き込めません。{held_by.name_ja}で開いている場合は閉じてから、"
            "もう一度実行してください。",
            f"Cannot write {path}. If it is open in {held_by.name_en}, close it and try again.",
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
    return result


def write_bytes_atomically(path: Path | str, content: bytes, *,
                           held_by: Program = EXCEL) -> None:
    """`write_atomically` for content already in memory."""
    write_atomically(path, lambda temporary: temporary.write_bytes(content), held_by=held_by)


def _temporary_beside(path: Path) -> Path:
    """An empty file in `path`'s folder (os.replace cannot cross file systems), named after it
    with its suffix (some writers choose the format by suffix), with an ordinary file's mode."""
    folder = path.parent
    if not folder.is_dir():
        raise FileWriteError(f"保存先のフォルダ {folder} がありません。",
                             f"The folder {folder} does not exist.")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    except PermissionError as exc:
        raise FileWriteError(f"フォルダ {folder} に書き込めません（権限がありません）。",
                             f"Cannot write to the folder {folder} (permission denied).") from exc
    os.close(handle)
    os.chmod(name, _FILE_MODE)
    return Path(name)
