"""前年度比較 (headquarters: every department; a department: its own items): what changed
since last year, or since each department's last accepted return — the comparison of
`dxtracker.report.comparison` in a table (`ui.widgets.comparison_view`)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.context import AppContext
from ui.pages import Page


class ComparisonPage(Page):
    page_key = "comparison"
    title_ja = "前年度比較"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        from ui.widgets.comparison_view import ComparisonView

        self.comparison_view = ComparisonView(ctx, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.comparison_view)
        self.refresh()

    def refresh(self) -> None:
        self.comparison_view.retranslate()  # the department or the departments may have changed
        self.comparison_view.refresh()

    def retranslate(self) -> None:
        self.comparison_view.retranslate()
