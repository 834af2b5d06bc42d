"""What a dry run must foresee about the files before this one in the same run.

A real merge settles two cases from the import history it writes as it goes: the same return
given twice (the second is a duplicate: nothing to do) and an older return of a department
after a newer one (stale: refused unless forced). A dry run writes no history, so without this
it would say "can be merged" for both files of such a pair; `RunOrder` remembers the files it
has passed as mergeable and settles the later ones exactly as the real merge will.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from dxtracker.returns.history import PriorImport, stale_problem
from dxtracker.returns.merge import MergePreview
from dxtracker.returns.model import ParsedReturn

# PriorImport.state of a file earlier in the same run (not in the history yet).
THIS_RUN = "this_run"


@dataclass
class RunOrder:
    by_content: dict[str, PriorImport] = field(default_factory=dict)  # sha256s → earlier file
    newest: dict[tuple[str, int], PriorImport] = field(default_factory=dict)  # (dept, year)

    def settle(self, parsed: ParsedReturn, preview: MergePreview, *, force: bool
               ) -> MergePreview:
        """`preview` as the real merge would end it, given the mergeable files before it."""
        if preview.refused or preview.meta is None or preview.duplicate_of is not None:
            return preview
        earlier = self.by_content.get(preview.sha256) or \
            self.by_content.get(preview.content_sha256)
        if earlier is not None and not earlier.conflicts_count:
            return replace(preview, duplicate_of=earlier, proposals=(), changes=(),
                           conflicts=())
        key = (preview.meta.department_code, preview.meta.fiscal_year)
        newer = self.newest.get(key)
        if newer is not None and newer.exported_at > preview.meta.exported_at:
            problem = stale_problem(parsed, newer, force=force)
            if not force:
                return replace(preview, errors=(problem,), stale_against=newer)
            preview = replace(preview, warnings=(*preview.warnings, problem),
                              stale_against=newer)
        self._remember(preview, key)
        return preview

    def _remember(self, preview: MergePreview, key: tuple[str, int]) -> None:
        meta = preview.meta
        assert meta is not None
        passed = PriorImport(0, 0, preview.file_name, preview.sha256, meta.department_code,
                             preview.department_name or meta.department_name, meta.fiscal_year,
                             meta.exported_at, datetime.now(), "", len(preview.changes),
                             len(preview.conflicts), 0,
                             len(preview.warnings), len(preview.proposals), False, THIS_RUN)
        self.by_content.setdefault(preview.sha256, passed)
        if preview.content_sha256:
            self.by_content.setdefault(preview.content_sha256, passed)
        newest = self.newest.get(key)
        if newest is None or newest.exported_at < meta.exported_at:
            self.newest[key] = passed
