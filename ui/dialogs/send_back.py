"""Sending a return back (差戻し): the items to fix, chosen from the return's own items with a
reason each, an overall reason, and where the workbook for the department goes.

Keyboard: the item table takes the arrows; Space ticks the item in the first column, F2 (or
typing) writes its reason in the last (a typed reason ticks the item); Tab moves on to the
overall reason, the file name, the folder and the buttons. The text above the button says what
will happen: the state becomes 差戻し and the workbook is written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.dialogs.file_dialog import FileWritingDialog
from ui.dialogs.review import reason_edit, run_review
from ui.i18n import list_text, tr
from ui.models import year_label

if TYPE_CHECKING:
    from dxtracker.returns.export import ExportResult
    from dxtracker.returns.review_info import ReviewInfo

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Item:
    code: str
    kind: str  # kpi, measure
    name: str
    current: str  # the figure or status headquarters holds now
    chosen: bool = False
    reason: str = ""


def load_items(ctx: AppContext, department: str) -> list[Item]:
    """The return's rows (its KPIs and measures), with what headquarters holds now."""
    from dxtracker.returns.collect import department_rows

    with ctx.db.read() as session:
        rows = department_rows(session, department, ctx.fiscal_year)
    items = [Item(k.kpi_code, "kpi", k.kpi_name.splitlines()[0],
                  f"{k.actual} {k.unit}".strip() if k.actual else "") for k in rows.kpis]
    items += [Item(m.measure_code, "measure", m.title, m.status or "") for m in rows.measures]
    return items


class ItemsModel(QAbstractTableModel):
    CHOSEN, KIND, NAME, CURRENT, REASON = range(5)

    def __init__(self, items: list[Item], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items = items

    def headers(self) -> list[str]:
        return [tr("差し戻す"), tr("種別"), tr("項目名"), tr("現在の値"), tr("理由")]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.CHOSEN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.REASON:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.CHOSEN:
            return Qt.CheckState.Checked if item.chosen else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                    Qt.ItemDataRole.ToolTipRole):
            kind = tr("指標") if item.kind == "kpi" else tr("施策")
            return [item.code, kind, item.name, item.current, item.reason][column]
        return None

    def setData(self, index: Index, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == self.CHOSEN:
            item.chosen = Qt.CheckState(value) == Qt.CheckState.Checked  # type: ignore[arg-type]
        elif role == Qt.ItemDataRole.EditRole and index.column() == self.REASON:
            item.reason = str(value).strip()
            item.chosen = item.chosen or bool(item.reason)  # a reason typed chooses the item
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 4))
        return True

    def chosen(self) -> list[Item]:
        return [item for item in self.items if item.chosen]


class SendBackDialog(FileWritingDialog):
    def __init__(self, ctx: AppContext, department: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("send_back_dialog")
        self.department, self.fiscal_year = department, ctx.fiscal_year
        self.result_info: ReviewInfo | None = None
        self.model = ItemsModel(load_items(ctx, department), self)
        self._build()
        self.retranslate()
        self.view.setFocus()

    def _build(self) -> None:
        from dxtracker.returns.send_back import send_back_file_name

        self.explanation = QLabel()
        self.explanation.setObjectName("send_back_explanation")
        self.explanation.setWordWrap(True)
        self.items_label = QLabel()
        self.view = QTableView()
        self.view.setObjectName("send_back_items")
        self.view.setModel(self.model)
        self.items_label.setBuddy(self.view)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed
                                  | QAbstractItemView.EditTrigger.DoubleClicked)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table for the next field
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((96, 76, 260, 100)):
            self.view.setColumnWidth(column, width)
        self.reason = reason_edit("send_back_reason")
        self.name_edit = QLineEdit(send_back_file_name(self.fiscal_year, self.department))
        self.name_edit.setObjectName("send_back_file_name")
        folder_row = self._folder_row("send_back_folder")
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(3)]
        for label, field in zip(self.labels, (self.reason, self.name_edit, self.folder_edit),
                                strict=True):
            label.setBuddy(field)
        self.form.addRow(self.labels[0], self.reason)
        self.form.addRow(self.labels[1], self.name_edit)
        self.form.addRow(self.labels[2], folder_row)
        self.message = QLabel()
        self.message.setObjectName("send_back_message")
        self.message.setWordWrap(True)
        self.model.dataChanged.connect(lambda *_: self.message.clear())  # said, and acted on
        self.ok_button = QPushButton()
        self.ok_button.setObjectName("send_back_ok")
        self.ok_button.clicked.connect(self.apply)
        buttons = self._button_row(self.ok_button, open_folder_name="send_back_open_folder")
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.items_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(860, 620)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("回答の差戻し"))
        self.explanation.setText(tr(
            "{department}の{year}の回答を差し戻します。修正を求める項目にチェックを付け、理由を"
            "入力してください（F2 または入力で理由を書くとチェックが付きます）。\n"
            "「差し戻す」を押すと、確認状況が「差戻し」になり、選んだ項目を色と「差戻しの理由」"
            "の列で示した回答ブックを作成します。部局が修正したブックを取り込むと「受付」に戻ります。",
            department=self.department, year=year_label(self.fiscal_year)))
        self.items_label.setText(tr("差し戻す項目(&I):"))
        for label, text in zip(self.labels, (tr("差戻しの理由（必須）(&E):"),
                                             tr("ファイル名(&N):"), tr("保存先フォルダ(&F):")),
                               strict=True):
            label.setText(text)
        self.browse_button.setText(tr("参照(&B)…"))
        self.ok_button.setText(tr("差し戻す(&S)"))
        self.open_folder_button.setText(tr("フォルダを開く(&O)"))
        self.close_button.setText(self._close_text())

    def confirm_overwrite(self, path: Path) -> bool:
        """Asked when the file exists (a second send-back, say); replaced in tests."""
        answer = QMessageBox.question(self, self.windowTitle(),
                                      tr("{path} はすでにあります。上書きしますか？", path=path))
        return answer == QMessageBox.StandardButton.Yes

    def problem(self) -> str:
        """Why the send-back cannot go yet ("" when it can)."""
        if not self.reason.toPlainText().strip():
            return tr("差戻しの理由を入力してください。")
        missing = [item.code for item in self.model.chosen() if not item.reason]
        if missing:
            return tr("チェックした項目の理由を入力してください: {codes}",
                      codes=list_text(missing))
        if not self.name_edit.text().strip():
            return tr("ファイル名を入力してください。")
        if not self.target_path().parent.is_dir():
            return tr("保存先フォルダ {folder} がありません。", folder=self.target_path().parent)
        return ""

    def apply(self) -> None:
        from dxtracker.returns.send_back import send_back_return

        problem = self.problem()
        if problem:
            self._show(problem, error=True)
            return
        if self.target_path().exists() and not self.confirm_overwrite(self.target_path()):
            return
        db, department, fiscal_year = self.ctx.db, self.department, self.fiscal_year
        reason, path = self.reason.toPlainText().strip(), self.target_path()
        items = {item.code: item.reason for item in self.model.chosen()}
        self.ok_button.setEnabled(False)
        self._show(tr("差し戻しています…"))
        run_review(self, lambda: send_back_return(db, department, fiscal_year, reason=reason,
                                                  items=items, path=path, source="form"),
                   self._done)

    def _done(self, result: tuple[ReviewInfo, ExportResult]) -> None:
        self.result_info, written = result[0], result[1].path
        self.written = written
        self._show(tr("差し戻しました。このブックを{department}へ送ってください: {path}",
                      department=self.department, path=written))
        self.ok_button.setVisible(False)  # sent back: once is enough from here
        self.open_folder_button.setVisible(True)
        self.open_folder_button.setFocus()
        self.retranslate()
        self.ctx.notify_saved(tr("{department}の{year}の回答を差し戻しました",
                                 department=self.department, year=year_label(self.fiscal_year)))
