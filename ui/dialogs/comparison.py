"""変更点の確認: a department's items for a fiscal year, compared with last year or with its last
accepted return — opened from 回答の書き出し, so that a department sees what it is about to
send before it exports (the same view as the 前年度比較 page)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.i18n import tr
from ui.widgets.comparison_view import ComparisonView


class ComparisonDialog(QDialog):
    def __init__(self, ctx: AppContext, department: str, fiscal_year: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparison_dialog")
        self.comparison_view = ComparisonView(ctx, department=department,
                                              fiscal_year=fiscal_year, parent=self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.comparison_view, 1)
        layout.addWidget(buttons)
        self.resize(1100, 640)
        self.setWindowTitle(tr("変更点の確認"))
        self.close_button.setText(tr("閉じる"))
        self.comparison_view.refresh()
