"""Errors meant for the person at the desk: Japanese first, English available.

Every error the command line or the app shows to a user derives from `DxTrackerError`;
anything else is a bug and gets a traceback.
"""

from __future__ import annotations

from pathlib import Path


class DxTrackerError(Exception):
    """A problem the user can act on. `str()` is the Japanese message."""

    def __init__(self, message_ja: str, message_en: str = "") -> None:
        super().__init__(message_ja)
        self.message_ja = message_ja
        self.message_en = message_en or message_ja

    def message(self, language: str = "ja") -> str:
        return self.message_en if language == "en" else self.message_ja


class DatabaseError(DxTrackerError):
    # `path`: the file, or the shown name of a server database (its URL without a password)
    def __init__(self, path: Path | str, detail_ja: str, detail_en: str = "") -> None:
        super().__init__(
            f"データベース {path}: {detail_ja}",
            f"Database {path}: {detail_en or detail_ja}",
        )
        self.path = path


class DatabaseBusy(DatabaseError):
    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            "ほかのプログラム（DX Trackerの別の画面やコマンドなど）が使用中のため書き込めません。"
            "そちらを閉じてから、もう一度実行してください。変更は保存されていません。",
            "another program (another DX Tracker window or command) is using it, so nothing "
            "could be written. Close it and try again; nothing was saved.",
        )


class DatabaseConflict(DatabaseBusy):
    """On a server: another user wrote the same item at the same moment (the later write is
    refused whole, so that nobody's work is overwritten unseen)."""

    def __init__(self, path: Path | str) -> None:
        DatabaseError.__init__(
            self, path,
            "ほかの利用者が同じ項目を同時に変更したため、保存しませんでした。最新の内容を表示し直して"
            "から、もう一度実行してください。",
            "another user changed the same item at the same moment, so nothing was saved. "
            "Reload to see the latest content and try again.",
        )


class DatabaseTooNew(DatabaseError):
    def __init__(self, path: Path | str, found: int, supported: int) -> None:
        super().__init__(
            path,
            f"新しい版のDX Trackerで作成されています（スキーマ版 {found}、この版は {supported} まで）。"
            "DX Trackerを更新してから開いてください。ファイルは変更していません。",
            f"it was written by a newer DX Tracker (schema {found}; this version reads up to "
            f"{supported}). Update DX Tracker to open it; the file was not changed.",
        )


class NotFound(DxTrackerError):
    """A code, department or fiscal year that the plan does not have."""


class PlanFileError(DxTrackerError):
    """A plan data file that cannot be loaded; lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        head = f"計画ファイル {path} を読み込めません（{len(problems)}件の問題）:"
        head_en = f"Cannot load plan file {path} ({len(problems)} problem(s)):"
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{head}\n{body}", f"{head_en}\n{body}")
        self.problems = problems
