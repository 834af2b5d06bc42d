"""The user's settings, one JSON file: language, department, database, backups, window state.

Plain JSON (no QSettings) so that tests and support staff can read and write it. Unknown keys
are ignored and missing ones take their defaults, so files written by older or newer versions
load; a file that cannot be read is set aside (renamed *.broken) and the defaults are used.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from dxtracker import APP_NAME
from dxtracker.files.atomic import ANY_PROGRAM, write_bytes_atomically

ROLE_DEPARTMENT = "department"
ROLE_HEADQUARTERS = "headquarters"


def default_settings_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=False)) / (
        "settings.json"
    )


@dataclass
class Settings:
    language: str = "ja"
    department: str | None = None  # None: headquarters, or not yet chosen (role == "")
    role: str = ""  # "department" | "headquarters"; "" until the first-start question
    db_path: str | None = None
    backup_dir: str | None = None
    fiscal_year: int | None = None
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState()
    last_page: str = ""
    last_project: str = ""  # the project view's project code
    splitters: dict[str, str] = field(default_factory=dict)  # key → base64 of saveState()
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def role_chosen(self) -> bool:
        return self.role in (ROLE_DEPARTMENT, ROLE_HEADQUARTERS)

    @property
    def is_headquarters(self) -> bool:
        return self.role == ROLE_HEADQUARTERS

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = Path(path) if path else default_settings_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("settings file is not a JSON object")
        except FileNotFoundError:
            return cls(path=path)
        except (OSError, ValueError):
            _set_aside(path)
            return cls(path=path)
        known = {f.name for f in fields(cls)} - {"path"}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        settings.path = path
        settings._sanitise()
        return settings

    def _sanitise(self) -> None:
        if self.language not in ("ja", "en"):
            self.language = "ja"
        if not isinstance(self.splitters, dict):
            self.splitters = {}
        if self.fiscal_year is not None and not isinstance(self.fiscal_year, int):
            self.fiscal_year = None

    def save(self) -> None:
        """Write atomically (temporary file, then replace) so a crash never leaves half a file."""
        path = self.path or default_settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        write_bytes_atomically(path, text.encode("utf-8"), held_by=ANY_PROGRAM)


def _set_aside(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.replace(path, path.with_name(path.name + ".broken"))
