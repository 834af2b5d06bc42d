"""Headquarters — submission tracker (提出状況と確認): departments × the selected fiscal year.

Per department: expected, received (when), refused files (remembered in the database across
sessions: `dxtracker.returns.refusals`), merged, stale, changes — and headquarters' review of
the return (受付 / 確認中 / 承認 / 差戻し, with its date). A filter shows the departments that
still need something; the buttons below act on the department chosen in the table (arrow keys
or the mouse, then the button or its Alt+letter): start the review, accept, send back (with a
reason per item, writing the workbook for the department), reopen, or write the send-back
workbook again. Each opens a dialog that says what will happen (ui/dialogs/review.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import language, list_text, tr
from ui.models import year_label
from ui.models.tracker_model import FILTERS, TrackerLine, TrackerModel, filter_text, when
from ui.pages import Page
from ui.tasks import error_text
from ui.widgets.review_summary import review_text_of

if TYPE_CHECKING:
    from dxtracker.returns.export import ExportResult

# action → the review states it may start from (as dxtracker.returns.review.ACTIONS says;
# tests/ui/test_review_flow.py checks they agree), and the workbook, written again.
ALLOWED = {"start": ("received", "sent_back"), "accept": ("received", "under_review"),
           "send_back": ("received", "under_review", "sent_back"), "reopen": ("accepted",),
           "workbook": ("sent_back",)}


class TrackerPage(Page):
    page_key = "tracker"
    title_ja = "提出状況"
    headquarters_only = True
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = TrackerModel(self)
        self.all_lines: list[TrackerLine] = []
        self.chosen: str | None = None  # the department chosen, kept while a filter hides it
        self.dialog: QDialog | None = None
        self._build()
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setObjectName("tracker_summary")
        self.summary.setWordWrap(True)
        self.filter_label = QLabel()
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("tracker_filter")
        self.filter_label.setBuddy(self.filter_combo)
        self.filter_combo.currentIndexChanged.connect(lambda _: self._show_lines())
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_label)
        filter_row.addWidget(self.filter_combo)
        filter_row.addStretch(1)
        self.view = QTableView()
        self.view.setObjectName("tracker_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((110, 140, 150, 120, 150, 120, 130, 64, 100)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.detail = QLabel()
        self.detail.setObjectName("tracker_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for the usual detail (state, acceptance, send-back, a refusal) beside the table.
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 5)
        self.buttons = {key: QPushButton() for key in ALLOWED}
        actions = QHBoxLayout()
        for key, button in self.buttons.items():
            button.setObjectName(f"review_{key}_button")
            button.clicked.connect(lambda _=False, k=key: self.review(k))
            actions.addWidget(button)
        actions.addStretch(1)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addLayout(filter_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        layout.addWidget(self.legend)

    # ------------------------------------------------------------------ Page API

    def refresh(self) -> None:
        from dxtracker.returns.status import submission_status

        with self.ctx.db.read() as session:
            statuses = submission_status(session, self.ctx.fiscal_year)
        self.all_lines = [TrackerLine(s) for s in statuses]
        self._show_lines()

    def retranslate(self) -> None:
        self.filter_label.setText(tr("絞り込み(&L):"))
        chosen = self.filter_combo.currentData() or "all"
        self.filter_combo.blockSignals(True)
        self.filter_combo.clear()
        for key in FILTERS:
            self.filter_combo.addItem(filter_text(key), key)
        self.filter_combo.setCurrentIndex(max(self.filter_combo.findData(chosen), 0))
        self.filter_combo.blockSignals(False)
        texts = {"start": tr("確認を開始(&K)…"), "accept": tr("承認(&A)…"),
                 "send_back": tr("差戻し(&B)…"), "reopen": tr("再開(&R)…"),
                 "workbook": tr("差戻しのブックを再作成(&W)…")}
        for key, button in self.buttons.items():
            button.setText(texts[key])
        self.legend.setText(tr(
            "提出状況 — 赤: 未提出　橙: 不受理（ファイルにエラーがあり取り込めなかった）　"
            "黄: 競合の判断待ち　緑: 取込済み。確認状況 — 受付 → 確認中 → 承認（実績値が確定し"
            "変更できなくなります）または 差戻し。理由や不受理の原因は行にマウスを置くか、行を"
            "選ぶと下に表示されます。"))
        self._show_lines()  # the table again, in the new language

    # ------------------------------------------------------------------ showing

    def filter_key(self) -> str:
        return str(self.filter_combo.currentData() or "all")

    def set_filter(self, key: str) -> None:
        self.filter_combo.setCurrentIndex(self.filter_combo.findData(key))

    def _show_lines(self) -> None:
        chosen = self.chosen
        self.model.set_lines([line for line in self.all_lines if line.matches(self.filter_key())])
        rows = [line.status.department_name for line in self.model.lines]
        if chosen in rows:
            self.view.setCurrentIndex(self.model.index(rows.index(chosen), 0))
        self.chosen = chosen
        self._update_texts()
        self._update_actions()

    def selected_line(self) -> TrackerLine | None:
        row = self.view.currentIndex().row()
        return self.model.lines[row] if 0 <= row < len(self.model.lines) else None

    def select_department(self, name: str) -> None:
        rows = [line.status.department_name for line in self.model.lines]
        self.view.setCurrentIndex(self.model.index(rows.index(name), 0))

    def _update_texts(self) -> None:
        self.heading.setText(tr("{year} 回答の提出状況と確認", year=year_label(self.ctx.fiscal_year)))
        from dxtracker.returns.status import review_counts

        expected = [line for line in self.all_lines if line.status.expected]
        count = {state: sum(1 for line in expected if line.state == state)
                 for state in ("merged", "waiting", "refused", "missing")}
        self.summary.setText(
            tr("対象 {expected}部局: 取込済み {merged}、判断待ち {waiting}、不受理 {refused}、"
               "未提出 {missing}", expected=len(expected), **count) + "\n"
            + review_text_of(review_counts([line.status for line in self.all_lines])))

    def _update_actions(self) -> None:
        line = self.selected_line()
        if line is not None:
            self.chosen = line.status.department_name
        state = line.review_state if line else None
        for key, button in self.buttons.items():
            button.setEnabled(state in ALLOWED[key])
        self.detail.setText(self._detail(line) if line else tr(
            "部局を選ぶと、確認状況の詳細と、行える操作が表示されます。"))

    @staticmethod
    def _detail(line: TrackerLine) -> str:
        status, review = line.status, line.status.review
        lines = [status.department_name]
        if review is None:
            lines.append(tr("統合した回答はまだありません。"))
        else:
            from ui.models.tracker_model import review_text

            lines.append(tr("確認状況: {state}（{when}、{who}）", state=review_text(review.state),
                            when=when(review.state_at), who=review.state_by or "—")
                         + (" " + tr("理由: {reason}", reason=review.note) if review.note else ""))
            if review.accepted_at:
                lines.append(tr("承認: {when} {who}", when=when(review.accepted_at),
                                who=review.accepted_by))
            if review.sent_back_at:
                items = list_text(f"{i.item_code}（{i.reason}）" for i in review.items)
                lines.append(tr("差戻し {count}回（最後は {when}）: {reason}", count=review.send_backs,
                                when=when(review.sent_back_at), reason=review.sent_back_reason)
                             + (" " + tr("項目: {items}", items=items) if items else ""))
        for refusal in line.refusals[:3]:
            lines.append(tr("不受理 {when} {file}: {reason}", when=when(refusal.refused_at),
                            file=refusal.file_name, reason=refusal.first_reason(language())))
        return "\n".join(lines)

    # ------------------------------------------------------------------ review actions

    def review(self, action: str) -> None:
        """Open the dialog of `action` for the chosen department (it says what will happen)."""
        line = self.selected_line()
        if line is None or line.review_state not in ALLOWED[action]:
            return
        department = line.status.department_name
        if action == "workbook":
            self.write_workbook(department)
            return
        if action == "send_back":
            from ui.dialogs.send_back import SendBackDialog

            self.dialog = SendBackDialog(self.ctx, department, self)
        else:
            from ui.dialogs.review import ReviewDialog

            self.dialog = ReviewDialog(self.ctx, department, action, self)
        self.dialog.finished.connect(lambda _: self.refresh())
        self.dialog.open()

    def choose_workbook_path(self, proposed: Path) -> Path | None:
        """Asked where the send-back workbook goes again; replaced in tests."""
        name, _ = QFileDialog.getSaveFileName(self, tr("差戻しのブックを保存"), str(proposed),
                                              tr("Excel ブック (*.xlsx)"))
        return Path(name) if name else None

    def write_workbook(self, department: str) -> None:
        from dxtracker.returns.send_back import send_back_file_name, write_send_back_workbook
        from ui.dialogs.file_dialog import default_folder

        fiscal_year = self.ctx.fiscal_year
        path = self.choose_workbook_path(default_folder() / send_back_file_name(fiscal_year,
                                                                                department))
        if path is None:
            return
        db = self.ctx.db

        def work(_progress) -> ExportResult:  # type: ignore[no-untyped-def]
            with db.read() as session:
                return write_send_back_workbook(session, department, fiscal_year, path)

        self.ctx.tasks.run(work, on_success=lambda result: self.detail.setText(
            tr("差戻しのブックを作成しました: {path}", path=result.path)),
            on_failure=lambda exc: self.detail.setText(error_text(exc)), parent=self)
