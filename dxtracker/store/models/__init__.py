"""The plan as stored: typed SQLAlchemy 2 models, one module per subject.

`base` (the declarative base, `Meta`), `plan` (plan, visions, projects, departments), `kpi`,
`measure`, `records` (audit log, merged returns, proposals), `management` (editions, department
history, hand grades, settings). Importers use `from dxtracker.store.models import X`.
"""

from __future__ import annotations

# isort: off
# Imported in the order the models were first written: `create_all` creates the tables of each
# level of foreign keys in the order they were defined, so this order keeps the schema of a new
# file (`sqlite3 FILE .schema`) exactly as it was. It also registers every class before
# SQLAlchemy resolves the relationships that name a class of another module.
from dxtracker.store.models.base import ALL_DEPARTMENTS, NAMING_CONVENTION, Base, Meta
from dxtracker.store.models.plan import (
    Department,
    FuturePictureItem,
    Plan,
    Project,
    Vision,
    kpi_reporting_department,
    measure_department,
)
from dxtracker.store.models.kpi import (
    AGGREGATIONS,
    DIRECTIONS,
    Kpi,
    KpiActual,
    KpiTarget,
    TargetRevision,
)
from dxtracker.store.models.measure import STATUSES, Measure, MeasureProgress, ScheduleItem
from dxtracker.store.models.records import (
    PROPOSAL_STATUSES,
    RETURN_IMPORT_STATES,
    AuditEntry,
    MergeChange,
    MergeRun,
    ReturnImport,
    RevisionProposal,
)
from dxtracker.store.models.management import (
    DepartmentMerge,
    DepartmentName,
    ManualGrade,
    PlanEdition,
    PlanSetting,
)
from dxtracker.store.models.review import REVIEW_STATES as REVIEW_STATES, RefusedReturn as RefusedReturn, ReturnReview as ReturnReview, ReviewItem as ReviewItem
from dxtracker.store.models.access import DepartmentRole as DepartmentRole
# isort: on

__all__ = [
    "AGGREGATIONS", "ALL_DEPARTMENTS", "DIRECTIONS", "NAMING_CONVENTION", "PROPOSAL_STATUSES",
    "RETURN_IMPORT_STATES", "STATUSES",
    "AuditEntry", "Base", "Department", "DepartmentMerge", "DepartmentName",
    "FuturePictureItem", "Kpi", "KpiActual", "KpiTarget", "ManualGrade", "Measure",
    "MeasureProgress", "MergeChange", "MergeRun", "Meta", "Plan", "PlanEdition", "PlanSetting",
    "Project", "ReturnImport", "RevisionProposal", "ScheduleItem", "TargetRevision", "Vision",
    "kpi_reporting_department", "measure_department",
]
