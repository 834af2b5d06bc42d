"""Files that say a workbook is open in Excel or LibreOffice.

While Excel has `回答.xlsx` open it keeps a small owner file `~$回答.xlsx` beside it (for long
names the first two characters are replaced: `~$答.xlsx`); LibreOffice keeps `.~lock.回答.xlsx#`.
Two things follow for headquarters. The owner file is no return: given one (a folder's `*.xlsx`
picks it up), it is refused, saying so. A return with an owner file beside it may be in the
middle of being edited: it is read as saved, with a warning that unsaved changes are not in it.
"""

from __future__ import annotations

import os
from pathlib import Path

from dxtracker.returns.opening import ReturnReading

_OWNER_FILE_LIMIT = 4096  # an owner file is 165 bytes; anything bigger is not one


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(("~$", ".~lock."))


def refuse_lock_file(reading: ReturnReading) -> None:
    """Record why an owner file cannot be merged (the caller stops reading it)."""
    reading.error(None, None,
                  "Excel（またはLibreOffice）がブックを開いている間だけ作る一時ファイル（ロック"
                  "ファイル）です。回答ファイルではないため取り込みません。名前が「~$」で始まらない"
                  "回答ファイルを選んでください。",
                  "This is the lock file Excel (or LibreOffice) keeps while a workbook is open, "
                  "not a return. Choose the return itself (its name does not start with ~$).")


def warn_if_open(reading: ReturnReading) -> None:
    """Warn when an owner file beside the return says someone has it open."""
    path = reading.path
    name = path.name
    try:
        beside = set(os.listdir(path.parent))  # one listing costs less than three look-ups
    except OSError:
        return
    for candidate in (f"~${name}", f"~${name[2:]}", f".~lock.{name}#"):
        lock = path.with_name(candidate)
        if candidate in beside:
            owner = _owner(lock)
            who_ja = f"{owner}さんが" if owner else ""
            who_en = f" by {owner}" if owner else ""
            reading.warning(None, None,
                            f"このファイルは{who_ja}Excelなどで開いているようです（{candidate} が"
                            "あります）。保存されていない変更は取り込まれません。保存して閉じて"
                            "から、もう一度取り込んでください。",
                            f"The file seems to be open{who_en} in Excel or LibreOffice "
                            f"({candidate} exists): changes not yet saved are not in it. Save "
                            "and close it, then import it again.")
            return


def _owner(lock: Path) -> str:
    """The user name an owner file records, or "" when it cannot be read."""
    try:
        if lock.stat().st_size > _OWNER_FILE_LIMIT:
            return ""
        data = lock.read_bytes()
    except OSError:
        return ""
    if lock.name.startswith(".~lock."):  # LibreOffice: ",user name,host,date,url;"
        fields = data.decode("utf-8", "replace").split(",")
        return next((f.strip() for f in fields[:2] if f.strip()), "")
    length = data[0] if data else 0  # Excel: the name's length, then the name
    return data[1: 1 + length].decode("cp932", "replace").strip() if 0 < length < 54 else ""
