"""Draws DX Tracker's application icon: resources/icons/dxtracker.png (256 px) and dxtracker.ico.

Drawn with QPainter (nothing downloaded), so the icon can be regenerated and changed in code:
a rounded blue square with three rising bars and a tick, readable down to 16 px.
Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python installer/make_icon.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 256
ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256]  # what Windows asks for at 100–250 % scaling


def draw_icon(size: int = SIZE) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / SIZE, size / SIZE)
    _draw_background(painter)
    _draw_bars(painter)
    _draw_tick(painter)
    painter.end()
    return image


def _draw_background(painter: QPainter) -> None:
    gradient = QLinearGradient(0, 0, 0, SIZE)
    gradient.setColorAt(0.0, QColor("#2f6fd0"))
    gradient.setColorAt(1.0, QColor("#17407f"))
    path = QPainterPath()
    path.addRoundedRect(QRectF(8, 8, SIZE - 16, SIZE - 16), 44, 44)
    painter.fillPath(path, gradient)


def _draw_bars(painter: QPainter) -> None:
    # Three bars rising left to right: KPI actuals approaching their targets.
    painter.setPen(Qt.PenStyle.NoPen)
    baseline = 204
    for index, (height, colour) in enumerate([(62, "#cfe0ff"), (100, "#e6efff"), (138, "#ffffff")]):
        left = 50 + index * 56
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(QRectF(left, baseline - height, 40, height), 6, 6)


def _draw_tick(painter: QPainter) -> None:
    # A green tick over the bars: progress checked.
    pen = QPen(QColor("#37c871"), 22, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPolyline([QPointF(56, 78), QPointF(96, 114), QPointF(200, 40)])


def write_icons(icon_dir: Path = ICON_DIR) -> tuple[Path, Path]:
    icon_dir.mkdir(parents=True, exist_ok=True)
    png_path = icon_dir / "dxtracker.png"
    ico_path = icon_dir / "dxtracker.ico"
    if not draw_icon().save(str(png_path), "PNG"):
        raise OSError(f"could not write {png_path}")
    # Pillow (a matplotlib dependency) writes one .ico holding every size Windows picks from.
    Image.open(png_path).save(ico_path, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    return png_path, ico_path


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in write_icons():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
