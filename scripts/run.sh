#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then starts DX Tracker on the database in the user's data folder;
# a fresh install opens with the embedded default plan. Extra arguments go to the app
# (e.g. --db PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/dxtracker-gui "$@"
