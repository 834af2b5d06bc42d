"""Entry point of the frozen `dxtracker-gui` desktop app (windowed executable)."""

from __future__ import annotations

import multiprocessing
import sys

import frozen_env

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not rerun the program
    frozen_env.prepare(gui=True)

    from ui.app import main

    sys.exit(main())
