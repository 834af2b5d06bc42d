"""The audit log (変更履歴): every change to the plan and to entered progress — who, when,
what (old → new), why and from where — filtered as one types, exported to Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dxtracker.store.audit_query import COLUMNS, SOURCES, AuditFilter, AuditRow, query_audit
from ui.context import AppContext
from ui.i18n import tr
from ui.models.rows_model import RowsTableModel
from ui.pages import Page

ROW_LIMIT = 5_000
NO_DATE = QDate(2000, 1, 1)  # the date edits' "not set" value (shown as special text)


def column_titles() -> list[str]:
    return [tr("日時"), tr("利用者"), tr("部局"), tr("変更元"), tr("変更元の詳細"), tr("対象"),
            tr("コード"), tr("項目"), tr("変更前"), tr("変更後"), tr("理由")]


def source_titles() -> dict[str, str]:
    return {"form": tr("画面"), "cli": tr("コマンド"), "return": tr("回答ファイル"),
            "import": tr("取込"), "upgrade": tr("更新")}


class AuditTableModel(RowsTableModel):
    """The audit entries as a table (a list of core rows; `set_rows` resets the model)."""

    rows: list[AuditRow]

    def headers(self) -> list[str]:
        return column_titles()

    def cell(self, row: AuditRow, column: int) -> Any:
        key = COLUMNS[column][0]
        value = getattr(row, key)
        if key == "at":
            return f"{value:%Y-%m-%d %H:%M:%S}"
        if key == "source":
            return source_titles().get(value, value)
        if key in ("old_value", "new_value") and value is None:
            return tr("（空欄）")
        return value


class AuditPage(Page):
    page_key = "audit"
    title_ja = "変更履歴"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = AuditTableModel(self)
        self._build()
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("audit_filter")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_label = QLabel()
        self.filter_label.setBuddy(self.filter_edit)
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("audit_source")
        self.since, self.until = QDateEdit(), QDateEdit()
        for name, edit in (("audit_since", self.since), ("audit_until", self.until)):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(NO_DATE)
            edit.setDate(NO_DATE)
            edit.dateChanged.connect(lambda _: self.refresh())
        self.export_button = QPushButton()
        self.export_button.setObjectName("audit_export")
        self.export_button.clicked.connect(self.export)
        self.count_label = QLabel()
        self.count_label.setObjectName("audit_count")
        # Filter as one types, without a query per keystroke.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(300)
        self.timer.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(lambda _: self.timer.start())
        self.filter_edit.returnPressed.connect(self.refresh)
        self.source_combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.view = QTableView()
        self.view.setObjectName("audit_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        top = QHBoxLayout()
        for widget in (self.filter_label, self.filter_edit, self.source_combo, self.since,
                       QLabel("–"), self.until, self.export_button):
            top.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

    def retranslate(self) -> None:
        self.filter_label.setText(tr("絞り込み(&F):"))
        self.filter_edit.setPlaceholderText(tr("利用者・部局・コード・値・理由の一部"))
        self.export_button.setText(tr("Excelに書き出す(&E)…"))
        for edit in (self.since, self.until):
            edit.setSpecialValueText(tr("指定なし"))
        current = self.source_combo.currentData()
        blocked = self.source_combo.blockSignals(True)
        self.source_combo.clear()
        self.source_combo.addItem(tr("すべての変更元"), "")
        for key in SOURCES:
            self.source_combo.addItem(source_titles()[key], key)
        self.source_combo.setCurrentIndex(max(self.source_combo.findData(current), 0))
        self.source_combo.blockSignals(blocked)
        self.model.retranslate()
        self._update_count()

    def criteria(self) -> AuditFilter:
        return AuditFilter(text=self.filter_edit.text().strip(),
                           source=self.source_combo.currentData() or "",
                           since=_date(self.since), until=_date(self.until))

    def refresh(self) -> None:
        self.timer.stop()
        with self.ctx.db.read() as session:
            rows = query_audit(session, self.criteria(), limit=ROW_LIMIT)
        self.model.set_rows(rows)
        self._update_count()

    def _update_count(self) -> None:
        count = len(self.model.rows)
        self.count_label.setText(
            tr("新しい順に最初の{count}件を表示しています。条件で絞り込んでください。", count=count)
            if count >= ROW_LIMIT else tr("{count}件", count=count))

    def ask_export_path(self) -> Path | None:
        """Where to write the workbook; replaced in tests."""
        name, _ = QFileDialog.getSaveFileName(self, tr("変更履歴をExcelに書き出す"),
                                              "audit.xlsx", tr("Excelブック (*.xlsx)"))
        return Path(name) if name else None

    def export(self) -> None:
        from dxtracker.store.audit_query import export_audit

        path = self.ask_export_path()
        if path is None:
            return
        rows, db, criteria = list(self.model.rows), self.ctx.db, self.criteria()
        if len(rows) >= ROW_LIMIT:  # the table shows the first rows only: export them all
            def work(_progress: Any) -> Path:
                with db.read() as session:
                    return export_audit(query_audit(session, criteria, limit=10**9), path)
        else:
            def work(_progress: Any) -> Path:
                return export_audit(rows, path)
        self.ctx.tasks.run(work, parent=self, progress_label=tr("書き出しています…"),
                           on_success=self._exported)

    def _exported(self, path: Path) -> None:
        self.export_message = tr("変更履歴を書き出しました: {path}", path=str(path))
        self.count_label.setText(self.export_message)


def _date(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())
