"""サーバーのデータベースに接続 / Connect to a server database: host, port, database, user,
password and TLS, a connection test on the worker, then the app reopens on that database.

The password goes to the operating system's credential store (`ui.credentials`) when "save
password" is ticked, and to the driver; the settings file keeps the URL without it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from dxtracker.errors import DxTrackerError
from dxtracker.store.location import SERVER_DRIVER, DatabaseLocation
from ui.context import AppContext
from ui.credentials import save_password
from ui.i18n import list_text, tr
from ui.tasks import error_text

SSL_MODES = ("prefer", "require", "verify-full")
DEFAULT_PORT = 5432


def test_connection(location: DatabaseLocation) -> str:
    """Connect and ask the server who and where we are (on the worker); the answer to show."""
    from sqlalchemy import text

    from dxtracker.store.db import Database

    db = Database(location)
    try:
        with db.read() as session:
            version = session.execute(text("SHOW server_version")).scalar()
            tls = session.execute(text(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
    finally:
        db.close()
    return tr("接続できました（PostgreSQL {version}、TLS: {tls}）。", version=version,
              tls=tr("あり") if tls else tr("なし"))


class ServerConnectDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("server_connect_dialog")
        self.setWindowTitle(tr("サーバーのデータベースに接続"))
        self.host, self.database, self.user = QLineEdit(), QLineEdit(), QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.sslmode = QComboBox()
        for mode, text in zip(SSL_MODES, (tr("使えれば暗号化 (prefer)"), tr("暗号化を必須 (require)"),
                                          tr("暗号化と証明書の確認 (verify-full)")), strict=True):
            self.sslmode.addItem(text, mode)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(tr("verify-full のときのCA証明書ファイル"))
        self.ca_button = QPushButton(tr("参照…"))
        self.ca_button.clicked.connect(self._choose_ca)
        self.remember = QCheckBox(tr("パスワードを保存する（OSの資格情報ストア）"))
        self.remember.setChecked(True)
        self.test_button = QPushButton(tr("接続テスト"))
        self.test_button.clicked.connect(self.test)
        self.result = QLabel()
        self.result.setObjectName("connect_result")
        self.result.setWordWrap(True)
        for name in ("host", "port", "database", "user", "password", "sslmode", "ca_file",
                     "remember", "test_button"):
            getattr(self, name).setObjectName(name)
        self._build()
        self._fill_from(ctx.db.location if ctx.is_loaded else None)

    def _build(self) -> None:
        form = QFormLayout()
        ca_row = QWidget()
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_file, 1)
        row.addWidget(self.ca_button)
        for label, widget in ((tr("サーバー(&H):"), self.host), (tr("ポート(&P):"), self.port),
                              (tr("データベース名(&D):"), self.database),
                              (tr("ユーザー名(&U):"), self.user),
                              (tr("パスワード(&W):"), self.password),
                              (tr("暗号化 (TLS)(&T):"), self.sslmode),
                              (tr("CA証明書:"), ca_row)):
            caption = QLabel(label)
            caption.setBuddy(widget if widget is not ca_row else self.ca_file)
            form.addRow(caption, widget)
        form.addRow("", self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("接続して開く"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        note = QLabel(tr("パスワードは設定ファイルにも画面の表示にも残りません。保存しない場合は、"
                         "起動のたびに尋ねます。"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result, 1)
        layout.addLayout(test_row)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _fill_from(self, location: DatabaseLocation | None) -> None:
        url = location.url if location is not None else None
        if url is None:
            return
        self.host.setText(url.host or str(url.query.get("host", "")))
        self.port.setValue(url.port or int(str(url.query.get("port", DEFAULT_PORT))))
        self.database.setText(url.database or "")
        self.user.setText(url.username or "")
        mode = str(url.query.get("sslmode", "prefer"))
        self.sslmode.setCurrentIndex(max(self.sslmode.findData(mode), 0))
        self.ca_file.setText(str(url.query.get("sslrootcert", "")))

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("CA証明書ファイルを選ぶ"), self.ca_file.text(),
                                              tr("証明書 (*.crt *.pem *.cer);;すべてのファイル (*)"))
        if path:
            self.ca_file.setText(path)

    def location(self) -> DatabaseLocation:
        """What the fields say (the password beside the URL, never in it)."""
        query = {"sslmode": self.sslmode.currentData()}
        if self.sslmode.currentData() == "verify-full" and self.ca_file.text().strip():
            query["sslrootcert"] = self.ca_file.text().strip()
        url = URL.create(SERVER_DRIVER, username=self.user.text().strip() or None,
                         host=self.host.text().strip() or None, port=self.port.value(),
                         database=self.database.text().strip() or None, query=query)
        return DatabaseLocation(url=url, password=self.password.text() or None)

    def _missing(self) -> str:
        names = [name for name, widget in ((tr("サーバー"), self.host),
                                           (tr("データベース名"), self.database),
                                           (tr("ユーザー名"), self.user))
                 if not widget.text().strip()]
        return tr("{fields}を入力してください。", fields=list_text(names)) if names else ""

    def _show(self, text: str, *, ok: bool) -> None:
        self.result.setStyleSheet("color: #1d6b2c;" if ok else "color: #b00000;")
        self.result.setText(text)

    def test(self) -> None:
        """Try the connection on the worker; the answer (or why not) below the fields."""
        if missing := self._missing():
            self._show(missing, ok=False)
            return
        location = self.location()
        self.test_button.setEnabled(False)
        self._show(tr("接続しています…"), ok=True)
        self.ctx.tasks.run(lambda _progress: test_connection(location),
                           on_success=self._tested, on_failure=self._test_failed,
                           progress_label=tr("接続しています…"), parent=self)

    def _tested(self, answer: str) -> None:
        self.test_button.setEnabled(True)
        self._show(answer, ok=True)

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self._show(self._explain(exc), ok=False)

    def _explain(self, exc: BaseException) -> str:
        """The error, led by what to do when it is the password (libpq's words are English)."""
        driver = str(exc.__cause__ or "")
        if "password authentication failed" in driver or "no password supplied" in driver:
            return tr("パスワードが違うか、入力されていません（ユーザー {user}）。"
                      "パスワードを確かめて入力し直してください。",
                      user=self.user.text().strip()) + "\n" + error_text(exc)
        return error_text(exc)

    def accept(self) -> None:
        """Open the database (the app switches to it); the dialog stays open on failure."""
        if missing := self._missing():
            self._show(missing, ok=False)
            return
        location = self.location()
        try:
            self.ctx.open_database(location)
        except DxTrackerError as exc:
            self._show(self._explain(exc), ok=False)
            return
        message = tr("サーバーのデータベースを開きました: {name}", name=location.name)
        remember = self.remember.isChecked() and location.password
        if remember and not save_password(location, location.password or ""):
            message += tr("（このPCにはパスワードを保存できる資格情報ストアがないため、"
                              "起動のたびに尋ねます）")
        self.ctx.saved.emit(message)
        super().accept()
