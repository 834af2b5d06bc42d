#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then runs the linter, the type checker and the whole test suite
# offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/mypy  # dxtracker/, as configured in pyproject.toml
.venv/bin/python -m pytest "$@"
