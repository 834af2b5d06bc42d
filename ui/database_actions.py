"""Opening another database file and backing up the current one, from any window."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from dxtracker.errors import DxTrackerError
from dxtracker.store.paths import default_backup_dir, network_path_warning, user_data_dir
from ui.context import AppContext
from ui.i18n import tr
from ui.tasks import error_text


def choose_database(parent: QWidget, ctx: AppContext) -> bool:
    """Ask for a file (a new name creates a database with the default plan) and open it."""
    path, _ = QFileDialog.getSaveFileName(
        parent, tr("データベースを開く"), str(ctx.db.path.parent if ctx.db.path else user_data_dir()),
        tr("DX Tracker データベース (*.sqlite3 *.db);;すべてのファイル (*)"),
        options=QFileDialog.Option.DontConfirmOverwrite)
    return open_database(parent, ctx, Path(path)) if path else False


def open_database(parent: QWidget, ctx: AppContext, path: Path) -> bool:
    """Open `path` after the network-drive warning; errors are shown, the old file stays."""
    warning = network_path_warning(path)
    if warning and QMessageBox.warning(
            parent, tr("データベースを開く"), warning + "\n\n" + tr("このまま開きますか？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
        return False
    try:
        ctx.open_database(path)
    except DxTrackerError as exc:
        QMessageBox.warning(parent, tr("データベースを開く"), error_text(exc))
        return False
    ctx.saved.emit(tr("データベースを開きました: {path}", path=path))
    return True


def backup_dir(ctx: AppContext) -> Path:
    configured = ctx.settings.backup_dir
    if configured:
        return Path(configured)
    # A server database has no folder of its own: the user's data folder's, as for a new file.
    return default_backup_dir(ctx.db.path or user_data_dir() / "server")


def back_up(parent: QWidget, ctx: AppContext) -> None:
    """Copy the database into the backup folder in the background (SQLite backup API). A
    server database is backed up on the server (pg_dump): the user is told so."""
    if ctx.db.path is None:
        QMessageBox.information(parent, tr("バックアップ"), tr(
            "サーバーのデータベースは、サーバーの管理者が pg_dump でバックアップします。"
            "DX Trackerからはバックアップしません。"))
        return
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir(ctx) / f"{ctx.db.path.stem}-{stamp}.sqlite3"
    db = ctx.db
    ctx.tasks.run(
        lambda _progress: db.backup_to(target),
        on_success=lambda path: ctx.saved.emit(tr("バックアップしました: {path}", path=path)),
        on_failure=lambda exc: QMessageBox.warning(
            parent, tr("バックアップ"),
            tr("バックアップできませんでした: {error}", error=error_text(exc))),
        progress_label=tr("バックアップしています…"), parent=parent)
