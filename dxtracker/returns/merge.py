"""The dry run: what merging one return would change, what conflicts, and what is wrong with it.

`preview_merge` reads the database and never writes: the import history settles duplicates and
stale returns, `diff.diff_return` finds changes and conflicts. `merge_returns` (apply.py) calls
it inside the write transaction of each file, so what it applies is exactly what it previews.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from dxtracker.figures.locks import Lock, lock_of
from dxtracker.returns.collect import department_by_code
from dxtracker.returns.current import DepartmentState
from dxtracker.returns.diff import FIELD_LABELS, Conflict, FieldChange, diff_return, field_cell
from dxtracker.returns.history import (
    PriorImport,
    content_digest,
    find_duplicate,
    find_newer,
    stale_problem,
)
from dxtracker.returns.model import (
    ParsedReturn,
    ProposedRevision,
    ReturnMeta,
    ReturnProblem,
    ValueReading,
)
from dxtracker.returns.threeway import Side

__all__ = ["FIELD_LABELS", "Conflict", "FieldChange", "MergePreview", "preview_merge"]


@dataclass(frozen=True)
class MergePreview:
    file_name: str
    sha256: str
    meta: ReturnMeta | None
    content_sha256: str = ""  # what the return says, whatever its bytes (history.py)
    department_name: str = ""
    changes: tuple[FieldChange, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    proposals: tuple[ProposedRevision, ...] = ()
    warnings: tuple[ReturnProblem, ...] = ()
    errors: tuple[ReturnProblem, ...] = ()
    readings: tuple[ValueReading, ...] = ()  # how typed figures were read (「約30」→ 30（概数）)
    duplicate_of: PriorImport | None = None  # the same return was merged before: nothing to do
    stale_against: PriorImport | None = None  # a newer return of this department was merged
    resolved: tuple[Conflict, ...] = field(default=())  # conflicts decided for "ours"
    # Headquarters' rows the diff was made against (for the writer, same transaction).
    state: DepartmentState | None = field(default=None, compare=False, repr=False)

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def decide(self, take: Side | None = None,
               decisions: Mapping[str, Side] | None = None) -> MergePreview:
        """Apply the user's choices: a conflict taken for "theirs" becomes a change, one taken
        for "ours" is settled with nothing to do, the rest keep waiting."""
        decisions = decisions or {}
        changes, waiting, kept = list(self.changes), [], []
        for conflict in self.conflicts:
            side = decisions.get(conflict.key, take)
            if side == "theirs":
                changes.append(conflict.taking_theirs())
            elif side == "ours":
                kept.append(conflict)
            else:
                waiting.append(conflict)
        return replace(self, changes=tuple(changes), conflicts=tuple(waiting),
                       resolved=self.resolved + tuple(kept))


def preview_merge(session: Session, parsed: ParsedReturn, *, force: bool = False) -> MergePreview:
    """What merging `parsed` into the database in `session` would do (reads only).

    With `force`, a stale return (older than one of the same department already merged) is
    diffed like any other, with a warning; without, it is refused.
    """
    preview = MergePreview(parsed.file_name, parsed.sha256, parsed.meta,
                           warnings=tuple(p for p in parsed.problems if p.severity == "warning"),
                           errors=tuple(p for p in parsed.problems if p.severity != "warning"))
    if not parsed.ok or parsed.meta is None:
        return preview
    department = department_by_code(session, parsed.meta.department_code)
    if department is None:  # the reader checks this; a guard in case it ever does not
        return replace(preview, errors=(*preview.errors, unknown_department(parsed)))
    preview = replace(preview, department_name=department.name, proposals=parsed.proposals,
                      content_sha256=content_digest(parsed), readings=parsed.readings)
    duplicate = find_duplicate(session, parsed.sha256, preview.content_sha256)
    if duplicate is not None and not duplicate.conflicts_count:
        # Merged before and settled: diffing again could undo later changes at headquarters.
        return replace(preview, duplicate_of=duplicate, proposals=())
    newer = find_newer(session, department.id, parsed.meta.fiscal_year,
                       parsed.meta.exported_at)
    if newer is not None:
        problem = stale_problem(parsed, newer, force=force)
        if not force:
            return replace(preview, errors=(problem,), stale_against=newer)
        preview = replace(preview, warnings=(*preview.warnings, problem), stale_against=newer)
    if duplicate is not None:
        preview = replace(preview, duplicate_of=duplicate)
    changes, conflicts, state = diff_return(session, parsed, department.id)
    lock = lock_of(session, department.id, parsed.meta.fiscal_year)
    if lock is not None and (changes or conflicts):
        return replace(preview, errors=locked_fields(parsed.file_name, lock, changes, conflicts))
    return replace(preview, changes=changes, conflicts=conflicts, state=state)


def locked_fields(file_name: str, lock: Lock, changes: tuple[FieldChange, ...],
                  conflicts: tuple[Conflict, ...]) -> tuple[ReturnProblem, ...]:
    """One error per field the return would change in an accepted return, naming its cell.

    The whole file is refused rather than merged without those fields. Every field of a return
    belongs to the one department and year that was accepted, so "the rest of the file" would
    be its target proposals alone; merging them would record the file as merged, and the same
    file merged again after a reopen would then count as a duplicate with nothing to do. A
    return arriving after acceptance is news headquarters must act on (reopen it, or tell the
    department): refused, it is listed with these reasons in the refused files and on the
    tracker, and once reopened the same file merges whole like any other.
    """
    fields = [(c, c.old, c.new) for c in changes] + [(c, c.ours, c.theirs) for c in conflicts]
    problems = []
    for item, old, new in fields:
        label = FIELD_LABELS.get(item.field, item.field)
        ja, en = lock.message(f"{item.item_code}の{label}", f"{item.item_code} {item.field}")
        problems.append(ReturnProblem(
            file_name, item.sheet, field_cell(item.entity, item.field, item.row),
            f"{ja}（承認済み「{old or '空欄'}」、回答「{new or '空欄'}」）",
            f"{en} (accepted '{old or ''}', return '{new or ''}')"))
    return tuple(problems)


def unknown_department(parsed: ParsedReturn) -> ReturnProblem:
    code = parsed.meta.department_code if parsed.meta else ""
    return ReturnProblem(
        parsed.file_name, None, None,
        f"部局コード「{code}」はこの計画にありません。",
        f"Department code '{code}' is not in this plan.")
