"""The button row shared by dialogs that write a file: [フォルダを開く] [primary] [閉じる]."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QPushButton


def file_dialog_buttons(primary: QPushButton, *, open_folder: Callable[[], None],
                        close: Callable[[], None],
                        open_folder_name: str) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """The open-folder button (hidden until a file is written), the close button, the row."""
    open_folder_button = QPushButton()
    open_folder_button.setObjectName(open_folder_name)
    open_folder_button.clicked.connect(open_folder)
    open_folder_button.setVisible(False)
    close_button = QPushButton()
    close_button.clicked.connect(close)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in (open_folder_button, primary, close_button):
        row.addWidget(button)
    return open_folder_button, close_button, row
