from __future__ import annotations

import sys

from dxtracker.cli import main

sys.exit(main())
