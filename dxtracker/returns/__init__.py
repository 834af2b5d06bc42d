"""Department returns (回答): the workbook each department sends, read safely, and merged.

This package's first half (format, export, reading) is re-exported here; the merge side
(merge, apply, history, undo, status) is imported from its own modules.
"""

from __future__ import annotations

from dxtracker.returns.collect import department_rows, plan_fingerprint
from dxtracker.returns.export import (
    ExportResult,
    default_return_file_name,
    export_return,
    write_return,
)
from dxtracker.returns.model import (
    FORMAT_VERSION,
    KpiEntry,
    MeasureEntry,
    ParsedReturn,
    ProposedRevision,
    ReturnMeta,
    ReturnProblem,
    ReturnRejected,
)
from dxtracker.returns.reader import read_return

__all__ = [
    "FORMAT_VERSION",
    "ExportResult",
    "KpiEntry",
    "MeasureEntry",
    "ParsedReturn",
    "ProposedRevision",
    "ReturnMeta",
    "ReturnProblem",
    "ReturnRejected",
    "default_return_file_name",
    "department_rows",
    "export_return",
    "plan_fingerprint",
    "read_return",
    "write_return",
]
