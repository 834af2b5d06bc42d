from __future__ import annotations

import os

# Qt tests run offscreen; the core tests never import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
