"""The base of a field when headquarters changed it in the very second of the export.

The audit log keeps whole seconds, so changes logged in the export's second may have come
before or after it; the workbook's record of the cell at export tells them apart.
"""

from __future__ import annotations

from datetime import datetime

from dxtracker.returns.current import LoggedChange
from dxtracker.returns.diff import _Diff

EXPORTED = datetime(2024, 5, 1, 10, 2, 37, 500_000)
SAME_SECOND = datetime(2024, 5, 1, 10, 2, 37)
LATER = datetime(2024, 5, 1, 10, 2, 38)
KEY = ("kpi_actual", "P03-K2", "actual")


def base(changes: list[LoggedChange], recorded: str | None, ours: str | None) -> str | None:
    return _Diff({KEY: changes}, EXPORTED).base(KEY, recorded, ours)


def test_two_changes_in_the_export_second_both_before_it():
    # A merge (blank -> 26) and its fix (26 -> 24), then the export, all in one second: the
    # workbook recorded 24, so headquarters held 24 at export and changed nothing since.
    changes = [LoggedChange(SAME_SECOND, None, "26"), LoggedChange(SAME_SECOND, "26", "24")]
    assert base(changes, recorded="24", ours="24") == "24"


def test_a_change_in_the_export_second_after_it():
    # The workbook recorded 26: the change to 24 came after the export, so the base is 26.
    changes = [LoggedChange(SAME_SECOND, None, "26"), LoggedChange(SAME_SECOND, "26", "24")]
    assert base(changes, recorded="26", ours="24") == "26"


def test_a_change_in_a_later_second_is_after_the_export_whatever_the_record():
    changes = [LoggedChange(SAME_SECOND, None, "24"), LoggedChange(LATER, "24", "30")]
    assert base(changes, recorded="24", ours="30") == "24"
    assert base([LoggedChange(LATER, "24", "24x")], recorded="24x", ours="24x") == "24"


def test_no_change_logged_the_base_is_ours():
    assert base([], recorded="24", ours="24") == "24"
