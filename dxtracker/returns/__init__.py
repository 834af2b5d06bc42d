"""Department returns (回答): the workbook each department sends, read safely, and merged.

This package's first half (format, export, reading) is re-exported here; the merge side
(merge, apply, history, undo, status) is imported from its own modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Imported on first use (PEP 562): importing any module of this package runs this file, and
# the reader and the export bring openpyxl, XlsxWriter and numpy (~0.3 s) into pages that only
# read the database (the KPI entry, the submission tracker, the dashboard).
_HOMES = {
    "department_rows": "collect", "plan_fingerprint": "collect",
    "ExportResult": "export", "default_return_file_name": "export",
    "export_return": "export", "write_return": "export",
    "FORMAT_VERSION": "model", "KpiEntry": "model", "MeasureEntry": "model",
    "ParsedReturn": "model", "ProposedRevision": "model", "ReturnMeta": "model",
    "ReturnProblem": "model", "ReturnRejected": "model",
    "read_return": "reader",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
