"""The one atomic file writer: whole file or the old one, never half, and clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxtracker.errors import DxTrackerError
from dxtracker.files import atomic
from dxtracker.files.atomic import (
    PDF_VIEWER,
    FileWriteError,
    write_atomically,
    write_bytes_atomically,
)


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def refuse(*_args: object, **_kwargs: object) -> None:
    raise PermissionError(13, "Permission denied")


def test_the_content_arrives_whole_with_an_ordinary_files_mode(tmp_path: Path) -> None:
    ordinary = tmp_path / "ordinary.xlsx"
    ordinary.write_bytes(b"")  # what open() gives a new file under this umask
    target = tmp_path / "return.xlsx"
    write_bytes_atomically(target, b"first")
    write_bytes_atomically(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert names_in(tmp_path) == ["ordinary.xlsx", "return.xlsx"]  # no temporary left
    assert target.stat().st_mode == ordinary.stat().st_mode  # not mkstemp's owner-only 0600


def test_the_writer_gets_a_temporary_beside_the_target_and_its_result_comes_back(
        tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    seen: list[Path] = []

    def write(temporary: Path) -> int:
        seen.append(temporary)
        temporary.write_text("pages", encoding="utf-8")
        return 3

    assert write_atomically(target, write) == 3
    assert seen[0].parent == tmp_path and seen[0].suffix == ".pdf" and seen[0] != target
    assert target.read_text(encoding="utf-8") == "pages" and not seen[0].exists()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "no-such-folder"
    with pytest.raises(FileWriteError) as info:
        write_bytes_atomically(folder / "plan.xlsx", b"x")
    assert str(folder) in info.value.message_ja and "がありません" in info.value.message_ja
    assert str(folder) in info.value.message_en
    assert not folder.exists()


def test_a_file_held_open_is_named_and_left_alone(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(DxTrackerError) as info:
        write_bytes_atomically(target, b"new")
    message = info.value
    assert isinstance(message, FileWriteError)
    assert str(target) in message.message_ja and "Excel" in message.message_ja
    assert "閉じてから、もう一度実行してください" in message.message_ja
    assert "close it and try again" in message.message_en
    assert target.read_bytes() == b"old"
    assert names_in(tmp_path) == ["report.xlsx"]


def test_a_pdf_held_open_names_the_pdf_viewer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(FileWriteError) as info:
        write_bytes_atomically(tmp_path / "report.pdf", b"%PDF", held_by=PDF_VIEWER)
    assert "PDFビューア" in info.value.message_ja and "PDF viewer" in info.value.message_en
    assert "Excel" not in info.value.message_ja
    assert names_in(tmp_path) == []


def test_a_folder_without_write_permission_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(FileWriteError) as info:
        write_bytes_atomically(tmp_path / "plan.xlsx", b"x")
    assert str(tmp_path) in info.value.message_ja and "権限" in info.value.message_ja


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_any_other_failure_passes_through_and_leaves_nothing(tmp_path: Path, monkeypatch,
                                                             failing: str) -> None:
    target = tmp_path / "settings.json"
    target.write_text("{}", encoding="utf-8")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    def write(temporary: Path) -> None:
        temporary.write_bytes(b"half")
        if failing == "write":
            disk_full()

    if failing == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError) as info:
        write_atomically(target, write)
    assert not isinstance(info.value, DxTrackerError)
    assert target.read_text(encoding="utf-8") == "{}"
    assert names_in(tmp_path) == ["settings.json"]

