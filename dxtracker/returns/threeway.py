"""The three-way rule for one field of a return: base (at export), theirs (the return), ours
(headquarters now).

- theirs == base: the department did not touch it → nothing to do;
- ours == base: only the department changed it → take theirs;
- theirs == ours: both made the same change → nothing to do;
- otherwise both changed it differently → a conflict, left alone until someone chooses a side.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal, TypeVar

T = TypeVar("T")

Side = Literal["theirs", "ours"]
SIDES: tuple[Side, ...] = ("theirs", "ours")


class Outcome(Enum):
    UNCHANGED = "unchanged"
    CHANGE = "change"
    CONFLICT = "conflict"


def three_way(base: T, theirs: T, ours: T) -> Outcome:
    if theirs in (base, ours):
        return Outcome.UNCHANGED
    if ours == base:
        return Outcome.CHANGE
    return Outcome.CONFLICT


def cell_text(text: str | None) -> str:
    """An input cell's text for comparison: blank and None both mean "nothing entered"."""
    return text or ""
