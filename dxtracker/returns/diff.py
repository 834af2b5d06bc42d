"""The three-way diff of one return against headquarters, field by field.

The base of a field is what headquarters held when the return was exported: its value now,
unless the audit log shows a change since the export, then the value before that change. Taking
the base from headquarters rather than from the workbook's own record of its cells matters for
returns exported by a department's own copy of DX Tracker: there the workbook's cells and its
record are both the department's figures, and they must still count as news to headquarters.
For a workbook that headquarters exported, the two bases are the same. (The workbook's record
still settles one case: a change logged in the very second of the export.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dxtracker.returns.current import (
    EMPTY_KPI,
    EMPTY_PROGRESS,
    DepartmentState,
    FieldKey,
    LoggedChange,
    changes_since,
    kpi_states,
    progress_states,
)
from dxtracker.returns.layout import (
    KPI_COLUMNS,
    KPI_SHEET,
    MEASURE_COLUMNS,
    MEASURE_SHEET,
    clean_text,
)
from dxtracker.returns.model import ParsedReturn
from dxtracker.returns.threeway import Outcome, cell_text, three_way

PROGRESS_FIELDS = ("status", "record", "issues", "next_policy")
# Where each kind of entry sits in the workbook, for messages that name the place.
SHEET_NAMES = {"kpi_actual": KPI_SHEET, "measure_progress": MEASURE_SHEET}
FIELD_LABELS = {"actual": "実績値", "note": "備考", "status": "進捗状況", "record": "取組実績",
                "issues": "課題", "next_policy": "今後の対応方針"}


def sheet_of(entity: str) -> str:
    return SHEET_NAMES.get(entity, entity)


_COLUMNS_OF = {"kpi_actual": KPI_COLUMNS, "measure_progress": MEASURE_COLUMNS}


def field_cell(entity: str, field: str, row: int | None) -> str | None:
    """The cell of a field ("J7") where the export puts it: the sheets are protected, so a
    column stays where it was written (the reader finds it by its header all the same)."""
    columns = _COLUMNS_OF.get(entity)
    keys = [c.key for c in columns] if columns else []
    if row is None or field not in keys:  # a field is named as its column
        return None
    # Here, not at the top: openpyxl costs ~0.2 s to import, and the merge page imports this
    # module when it first shows (before any file is read).
    from openpyxl.utils import get_column_letter

    position = keys.index(field)
    return f"{get_column_letter(position + 1)}{row}"


@dataclass(frozen=True)
class _Field:
    """One input field of one department's row of a year: what changes and conflicts are of."""

    entity: str  # "kpi_actual" or "measure_progress", as in the audit log
    item_code: str
    fiscal_year: int
    department_code: str
    field: str

    @property
    def key(self) -> str:
        """What `decisions` is keyed by: "P01-K1/2022/D03/actual"."""
        return f"{self.item_code}/{self.fiscal_year}/{self.department_code}/{self.field}"

    @property
    def sheet(self) -> str:
        return sheet_of(self.entity)


@dataclass(frozen=True)
class FieldChange(_Field):
    """One field the merge sets: old (headquarters now) → new (the return)."""

    old: str | None
    new: str | None
    row: int | None = None
    resolution: str = "change"  # "theirs" when a conflict was decided for the return


@dataclass(frozen=True)
class Conflict(_Field):
    """A field changed both in the return and at headquarters since the export."""

    base: str | None
    theirs: str | None
    ours: str | None
    row: int | None = None

    def taking_theirs(self) -> FieldChange:
        return FieldChange(self.entity, self.item_code, self.fiscal_year, self.department_code,
                           self.field, self.ours, self.theirs, self.row, resolution="theirs")


def diff_return(session: Session, parsed: ParsedReturn, department_id: int
                ) -> tuple[tuple[FieldChange, ...], tuple[Conflict, ...], DepartmentState]:
    """The three-way diff of every input cell of the return against headquarters."""
    assert parsed.meta is not None
    meta = parsed.meta
    diff = _Diff(changes_since(session, meta.department_code, meta.fiscal_year,
                               meta.exported_at), meta.exported_at)
    ours_kpi = kpi_states(session, department_id, meta.fiscal_year,
                          (e.kpi_code for e in parsed.kpis))
    for entry in parsed.kpis:
        ours = ours_kpi.get(entry.kpi_code, EMPTY_KPI)
        diff.row("kpi_actual", entry.kpi_code, entry.fiscal_year, entry.department_code,
                 entry.row, {"actual": (entry.base_value, entry.value, ours.value),
                             "note": (entry.base_note, entry.note, ours.note)})
    ours_progress = progress_states(session, department_id, meta.fiscal_year,
                                    (e.measure_code for e in parsed.measures))
    for measure in parsed.measures:
        progress = ours_progress.get(measure.measure_code, EMPTY_PROGRESS)
        diff.row("measure_progress", measure.measure_code, measure.fiscal_year,
                 measure.department_code, measure.row,
                 {"status": (measure.base_status, measure.status, progress.status),
                  "record": (measure.base_record, measure.record, progress.record),
                  "issues": (measure.base_issues, measure.issues, progress.issues),
                  "next_policy": (measure.base_next_policy, measure.next_policy,
                                  progress.next_policy)})
    return tuple(diff.changes), tuple(diff.conflicts), DepartmentState(ours_kpi, ours_progress)


TEXT_FIELDS = frozenset({"note", "record", "issues", "next_policy"})


class _Diff:
    def __init__(self, logged: dict[FieldKey, list[LoggedChange]], exported_at: datetime
                 ) -> None:
        self.logged = logged  # headquarters' changes since the export, by field
        self.export_second = exported_at.replace(microsecond=0)
        self.changes: list[FieldChange] = []
        self.conflicts: list[Conflict] = []

    def base(self, key: FieldKey, recorded: str | None, ours: str | None) -> str | None:
        """Headquarters' value when the return was exported.

        Changes logged in the very second of the export may have come just before it (the log
        keeps whole seconds): the last of them whose result the workbook recorded as the cell's
        value at export came before it, and so did every change before that one. (A merge and
        its fix within one second log two changes, the first not the recorded value.)
        """
        changes = self.logged.get(key, ())
        first_after = 0
        for position, change in enumerate(changes):  # in the order they were logged
            if change.at > self.export_second:
                break
            if cell_text(change.new) == cell_text(recorded):
                first_after = position + 1
        return changes[first_after].old if first_after < len(changes) else ours

    def row(self, entity: str, code: str, fiscal_year: int, department_code: str, row: int,
            fields: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        logged = self.logged  # usually empty: nothing changed at headquarters since the export
        for name, (recorded, theirs, ours) in fields.items():
            base = self.base((entity, code, name), recorded, ours) if logged else ours
            if name in TEXT_FIELDS:  # compare texts as a cell holds them
                base, ours = as_in_cell(base), as_in_cell(ours)
            base_t, theirs_t, ours_t = cell_text(base), cell_text(theirs), cell_text(ours)
            outcome = three_way(base_t, theirs_t, ours_t)
            if outcome is Outcome.CHANGE:
                self.changes.append(FieldChange(entity, code, fiscal_year, department_code,
                                                name, ours_t or None, theirs_t or None, row))
            elif outcome is Outcome.CONFLICT:
                self.conflicts.append(Conflict(entity, code, fiscal_year, department_code,
                                               name, base_t or None, theirs_t or None,
                                               ours_t or None, row))


# What `layout.clean_text` would change: characters XML cannot hold, and CR line breaks. Below
# FAST_LIMIT characters the cell limit cannot be reached, even with every "_xHHHH_" escaped.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
FAST_LIMIT = 10_000


def as_in_cell(text: str | None) -> str:
    """Headquarters' text as the export writes it into a cell (and the base records it), so
    that text Excel cannot hold does not look like a change made at headquarters."""
    if not text:
        return ""
    if len(text) < FAST_LIMIT and not _NEEDS_CLEANING.search(text):
        return text  # the common case, without the cost of clean_text
    return clean_text(text).text


