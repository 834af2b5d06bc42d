"""Merging returns into the database: each file in one transaction, a backup first, history kept.

A refused file changes nothing and the other files are still merged. Conflicts are left alone
unless `take` (every conflict) or `decisions` (one conflict, keyed by `Conflict.key`) chooses a
side; the rest of the file is merged and the file can be merged again later to decide them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from dxtracker.errors import DxTrackerError
from dxtracker.returns.collector import collector_paused
from dxtracker.returns.merge import Conflict, MergePreview, preview_merge
from dxtracker.returns.model import ParsedReturn, ReturnProblem
from dxtracker.returns.reader import read_return
from dxtracker.returns.refusals import RefusedFile, record_refusals, resolve_refusals_in
from dxtracker.returns.run_order import RunOrder
from dxtracker.returns.threeway import Side
from dxtracker.returns.writer import write_merge
from dxtracker.store.audit import current_user, now
from dxtracker.store.backups import backup_before_merge
from dxtracker.store.db import Database
from dxtracker.store.models import MergeRun

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
FileOutcome = Literal["merged", "duplicate", "refused"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (or would happen, in a dry run)."""

    path: Path
    preview: MergePreview
    outcome: FileOutcome
    import_id: int | None = None

    @property
    def file_name(self) -> str:
        return self.preview.file_name

    @property
    def waiting(self) -> tuple[Conflict, ...]:
        return self.preview.conflicts if self.outcome == "merged" else ()


@dataclass(frozen=True)
class MergeReport:
    files: tuple[FileResult, ...]
    dry_run: bool
    backup_path: Path | None = None
    run_id: int | None = None

    @property
    def refused(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.outcome == "refused")

    @property
    def waiting(self) -> tuple[Conflict, ...]:
        return tuple(c for f in self.files for c in f.waiting)

    @property
    def exit_code(self) -> int:
        """0 all merged, 1 a file refused (that wins), 3 conflicts wait for a decision."""
        if self.refused:
            return 1
        return 3 if self.waiting else 0


@dataclass(frozen=True)
class _Choices:
    force: bool
    take: Side | None
    decisions: Mapping[str, Side] | None

    def preview(self, session: Session, parsed: ParsedReturn) -> MergePreview:
        return preview_merge(session, parsed, force=self.force).decide(self.take, self.decisions)


@dataclass
class _Run:
    """State shared by the files of one merge run."""

    db: Database
    backup_dir: Path | None
    choices: _Choices
    backup_path: Path | None = None
    run_id: int | None = None
    fiscal_year: int | None = None  # the year being merged, when the caller says
    order: RunOrder = field(default_factory=RunOrder)  # what a dry run has passed

    def ensure_backup(self) -> None:
        # A server database keeps no file of ours: the merge's own undo records (old value of
        # every field, rows it created, stamps) are what it is undone from; whole-database
        # backups are the server's (pg_dump).
        if self.backup_path is None and self.db.path is not None:
            self.backup_path = backup_before_merge(self.db.path, self.backup_dir)


# Files read in one read session: the reader's per-session cache (the plan's fingerprint) is
# then computed once per chunk, and memory stays bounded however many files are given.
READ_CHUNK = 20


def merge_returns(
    db: Database,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    force: bool = False,
    take: Side | None = None,
    decisions: Mapping[str, Side] | None = None,
    backup_dir: Path | None = None,
    progress: Progress | None = None,
    record_refused: bool | None = None,
    fiscal_year: int | None = None,
) -> MergeReport:
    """Merge each return in `paths` (or only preview it, with `dry_run`).

    Refused files are remembered in the database (refusals.py) after a real merge, and after
    a dry run only with `record_refused=True` (the app's check). With `fiscal_year`, a return
    for another year is refused (a department that filled in last year's file again)."""
    run = _Run(db, backup_dir, _Choices(force, take, decisions), fiscal_year=fiscal_year)
    files = [Path(p) for p in paths]
    results: list[FileResult] = []
    with collector_paused():  # bulk allocation (see collector.py)
        for start in range(0, len(files), READ_CHUNK):
            chunk = _read_chunk(run, files, start, dry_run, progress)
            for path, parsed, settled in chunk:
                results.append(settled or _merge_file(run, path, parsed))
    if progress is not None:
        progress(len(files), len(files), "")
    if record_refused if record_refused is not None else not dry_run:
        _remember_refused(db, results)
    return MergeReport(tuple(results), dry_run, run.backup_path, run.run_id)


def _remember_refused(db: Database, results: list[FileResult]) -> None:
    try:
        record_refusals(db, (_refused_file(r) for r in results if r.outcome == "refused"))
    except DxTrackerError as exc:
        # The report of what was merged matters more than the note of what was refused (the
        # database may be busy with another program): say so, and go on.
        log.warning("refused files not recorded: %s", exc)


def _refused_file(result: FileResult) -> RefusedFile:
    meta = result.preview.meta
    return RefusedFile(result.file_name, result.preview.sha256,
                       meta.department_code if meta else None,
                       meta.fiscal_year if meta else None, result.preview.errors)


def _read_chunk(run: _Run, files: list[Path], start: int, dry_run: bool,
                progress: Progress | None
                ) -> list[tuple[Path, ParsedReturn, FileResult | None]]:
    """Read the files of one chunk; a dry run or a refused file is settled right there."""
    chunk = []
    with run.db.read() as session:
        for index in range(start, min(start + READ_CHUNK, len(files))):
            path = files[index]
            if progress is not None:
                progress(index, len(files), path.name)
            parsed = read_return(path, session, expected_fiscal_year=run.fiscal_year)
            settled = None
            if dry_run or not parsed.ok:
                preview = run.order.settle(parsed, run.choices.preview(session, parsed),
                                           force=run.choices.force)
                settled = FileResult(path, preview, _outcome(preview))
            chunk.append((path, parsed, settled))
    return chunk


def _outcome(preview: MergePreview) -> FileOutcome:
    if preview.refused:
        return "refused"
    return "duplicate" if preview.duplicate_of and not preview.duplicate_of.conflicts_count \
        else "merged"


def _merge_file(run: _Run, path: Path, parsed: ParsedReturn) -> FileResult:
    preview: MergePreview | None = None
    try:
        # Exclusive: two merges (or a merge and any other write) never interleave.
        with run.db.transaction(exclusive=True) as session:
            preview = run.choices.preview(session, parsed)
            outcome = _outcome(preview)
            if outcome != "merged":
                return FileResult(path, preview, outcome)
            # Inside the write transaction, before its first write: the backup shows the
            # database exactly as this merge found it (readers may still read meanwhile).
            run.ensure_backup()
            run_id = _merge_run_id(session, run)
            import_id = write_merge(session, run_id, parsed, preview, forced=run.choices.force)
            resolve_refusals_in(session, parsed.sha256)
        run.run_id = run_id
        return FileResult(path, preview, "merged", import_id)
    except DxTrackerError as exc:
        return _refused(path, parsed, preview, exc)


def _merge_run_id(session: Session, run: _Run) -> int:
    """The run's row: added with the first file merged, and committed with it (a file that was
    refused leaves none); the files after it only need its id."""
    if run.run_id is not None:
        return run.run_id
    merge_run = MergeRun(started_at=now(), user=current_user(),
                         backup_path=str(run.backup_path or ""))
    session.add(merge_run)
    session.flush()
    return merge_run.id


def _refused(path: Path, parsed: ParsedReturn, preview: MergePreview | None,
             exc: DxTrackerError) -> FileResult:
    """A file whose transaction was rolled back: nothing of it was written."""
    problem = ReturnProblem(parsed.file_name, None, None,
                            f"統合できませんでした（変更は保存していません）: {exc.message_ja}",
                            f"Could not merge (nothing was saved): {exc.message_en}")
    base = preview or MergePreview(parsed.file_name, parsed.sha256, parsed.meta)
    return FileResult(path, _with_error(base, problem), "refused")


def _with_error(preview: MergePreview, problem: ReturnProblem) -> MergePreview:
    return replace(preview, errors=(*preview.errors, problem))
