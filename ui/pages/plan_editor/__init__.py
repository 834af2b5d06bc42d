"""Plan management at headquarters (計画の管理): edit a project, KPI or measure, revise targets
with a reason and see the revisions, decide the departments' proposals, manage departments.

Every save goes through the core (`dxtracker.plan.edit_projects`, `edit_kpis`,
`edit_measures`, `revisions`, `proposals`, `departments`): one transaction, audited with source "form", figures checked by the value
parser. A changed outline (names, departments, new items) is re-read app-wide through
`ctx.attach_database`, as after File > Open, so that the navigation and every page follow.

page.py             the page and its three tabs
item_editor.py      項目の編集: the outline to choose from, save (Ctrl+S), add a KPI or measure
forms.py            the project and measure forms, the department checklist, what a form does
kpi_form.py         the KPI form: targets, the reason a revision needs, the revisions so far
panels.py           修正提案: accept or reject the departments' proposed targets;
                    部局: add, rename, retire, merge departments
(the read-only tables are `ui.models.rows_model.RowsModel`, shared with other pages)
"""

from __future__ import annotations

from ui.pages.plan_editor.page import PlanEditorPage

__all__ = ["PlanEditorPage"]
