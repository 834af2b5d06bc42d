"""The translation layer: Japanese is the source text, English comes from a JSON catalogue.

Every visible string in `ui/` is written as `tr("日本語", **fmt)` with a literal first argument,
so that `tests/ui/test_translations.py` can find it with `ast` and check that
`resources/translations/en.json` (an object ja → en) has it. Placeholders use `str.format`
names: `tr("{name}を保存しました", name=x)`; the English text uses the same names.

No Qt here on purpose: the catalogue is plain JSON, readable by tests and translators.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from dxtracker.store.paths import resource_path

LANGUAGES = ("ja", "en")
_state = {"language": "ja"}


def catalogue_path() -> Path:
    return resource_path("translations", "en.json")


@cache
def _catalogue() -> dict[str, str]:
    try:
        with catalogue_path().open(encoding="utf-8") as handle:
            return dict(json.load(handle))
    except (OSError, ValueError):
        # A broken catalogue must not stop the app: Japanese is always complete.
        return {}


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {LANGUAGES}")
    _state["language"] = language


def language() -> str:
    return _state["language"]


def tr(text_ja: str, **fmt: object) -> str:
    """The text in the current language; `fmt` fills `{name}` placeholders."""
    text = text_ja
    if _state["language"] == "en":
        text = _catalogue().get(text_ja) or text_ja
    return text.format(**fmt) if fmt else text


def list_text(items: Iterable[str]) -> str:
    """Items as a list in running text, as the language writes one: "A、B" / "A, B"."""
    return ("、" if _state["language"] == "ja" else ", ").join(items)


def reload_catalogue() -> None:
    _catalogue.cache_clear()
