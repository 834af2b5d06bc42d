"""Settings: language, department (or headquarters), database location, backup folder.

Changes apply at once (no Apply button): the language re-translates the window without
losing what was typed elsewhere; the department switches the role and the pages shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dxtracker.store.paths import network_path_warning
from ui.context import AppContext
from ui.database_actions import back_up, backup_dir, choose_database
from ui.i18n import tr
from ui.pages import Page

# Shown in their own language on purpose: a user who switched by mistake finds the way back.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
HEADQUARTERS = ""  # item data of the headquarters entry (None does not survive a QVariant)


class SettingsPage(Page):
    page_key = "settings"
    title_ja = "設定"
    refreshes_on_init = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language_combo")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.department_combo = QComboBox(self)
        self.department_combo.setObjectName("department_combo")
        self.db_edit = QLineEdit(self)
        self.db_edit.setReadOnly(True)
        self.db_button = QPushButton(self)
        self.server_button = QPushButton(self)
        self.server_button.setObjectName("server_button")
        self.db_warning = QLabel(self)
        self.db_warning.setWordWrap(True)
        self.db_warning.setStyleSheet("color: #c80000")
        self.backup_edit = QLineEdit(self)
        self.backup_edit.setObjectName("backup_edit")
        self.backup_button = QPushButton(self)
        self.backup_now_button = QPushButton(self)
        self.role_note = QLabel(self)
        self.role_note.setWordWrap(True)
        self._build_layout()
        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        self.department_combo.currentIndexChanged.connect(self._department_chosen)
        self.db_button.clicked.connect(lambda: choose_database(self, self.ctx))
        self.server_button.clicked.connect(self.connect_to_server)
        self.backup_button.clicked.connect(self._choose_backup_dir)
        self.backup_edit.editingFinished.connect(self._backup_dir_typed)
        self.backup_now_button.clicked.connect(lambda: back_up(self, self.ctx))
        self.retranslate()

    def _build_layout(self) -> None:
        self.display_group = QGroupBox(self)
        self.language_label = QLabel(self)
        self.language_label.setBuddy(self.language_combo)
        display = QFormLayout(self.display_group)
        display.addRow(self.language_label, self.language_combo)
        self.role_group = QGroupBox(self)
        self.department_label = QLabel(self)
        self.department_label.setBuddy(self.department_combo)
        role = QFormLayout(self.role_group)
        role.addRow(self.department_label, self.department_combo)
        role.addRow(self.role_note)
        self.data_group = QGroupBox(self)
        self.db_label = QLabel(self)
        self.db_label.setBuddy(self.db_button)
        self.backup_label = QLabel(self)
        self.backup_label.setBuddy(self.backup_edit)
        data = QFormLayout(self.data_group)
        data.addRow(self.db_label, _row(self.db_edit, self.db_button))
        data.addRow("", _row(self.server_button))
        data.addRow(self.db_warning)
        data.addRow(self.backup_label, _row(self.backup_edit, self.backup_button))
        data.addRow("", _row(self.backup_now_button))
        layout = QVBoxLayout(self)
        for group in (self.display_group, self.role_group, self.data_group):
            group.setMaximumWidth(760)
            layout.addWidget(group)
        layout.addStretch(1)
        self.setTabOrder(self.language_combo, self.department_combo)
        self.setTabOrder(self.department_combo, self.db_button)
        self.setTabOrder(self.db_button, self.server_button)
        self.setTabOrder(self.server_button, self.backup_edit)
        self.setTabOrder(self.backup_edit, self.backup_button)
        self.setTabOrder(self.backup_button, self.backup_now_button)

    # --- the Page interface ----------------------------------------------------------------
    def refresh(self) -> None:
        ctx = self.ctx
        _select(self.language_combo, ctx.language)
        self._fill_departments()
        self.db_edit.setText(ctx.db.name)  # a server's URL without its password
        self.db_edit.setToolTip(ctx.db.name)
        warning = network_path_warning(ctx.db.path) if ctx.db.path else None
        self.db_warning.setText(warning or "")
        self.db_warning.setVisible(bool(warning))
        self.backup_edit.setText(str(backup_dir(ctx)))

    def retranslate(self) -> None:
        self.display_group.setTitle(tr("表示"))
        self.language_label.setText(tr("表示言語(&L):"))
        self.role_group.setTitle(tr("所属"))
        self.department_label.setText(tr("部局(&D):"))
        self.role_note.setText(tr(
            "部局を選ぶと、その部局のKPIと施策を入力して回答を作成できます。"
            "「知事政策局（本部・取りまとめ）」を選ぶと、回答の取込・提出状況・全体の集計を行えます。"))
        self.data_group.setTitle(tr("データ"))
        self.db_label.setText(tr("データベース(&B):"))
        self.db_button.setText(tr("別のファイルを開く…"))
        self.server_button.setText(tr("サーバーのデータベースに接続…"))
        self.backup_label.setText(tr("バックアップ先(&K):"))
        self.backup_button.setText(tr("参照…"))
        self.backup_now_button.setText(tr("今すぐバックアップ"))
        self.refresh()

    # --- changes -----------------------------------------------------------------------------
    def _fill_departments(self) -> None:
        combo = self.department_combo
        blocked = combo.blockSignals(True)
        combo.clear()
        for name in self.ctx.departments:
            combo.addItem(name, name)
        combo.addItem(tr("知事政策局（本部・取りまとめ）"), HEADQUARTERS)
        _select(combo, HEADQUARTERS if self.ctx.is_headquarters else self.ctx.department)
        combo.blockSignals(blocked)

    def _language_chosen(self, index: int) -> None:
        self.ctx.set_language(self.language_combo.itemData(index))

    def _department_chosen(self, index: int) -> None:
        chosen = self.department_combo.itemData(index)
        self.ctx.set_department(chosen or None)
        self.ctx.saved.emit(tr("所属を変更しました。"))

    def connect_to_server(self) -> QDialog:
        """The dialog of host, port, database, user, password and TLS (issue 13)."""
        from ui.dialogs.server_connect import ServerConnectDialog

        self.server_dialog = ServerConnectDialog(self.ctx, self)
        self.server_dialog.open()
        return self.server_dialog

    def _choose_backup_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("バックアップ先を選ぶ"),
                                                  self.backup_edit.text())
        if folder:
            self.backup_edit.setText(folder)
            self._backup_dir_typed()

    def _backup_dir_typed(self) -> None:
        text = self.backup_edit.text().strip()
        self.ctx.settings.backup_dir = str(Path(text)) if text else None
        self.ctx.save_settings()


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    if not any(isinstance(w, QLineEdit) for w in widgets):
        layout.addStretch(1)
    return box


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0 and index != combo.currentIndex():
        blocked = combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(blocked)



