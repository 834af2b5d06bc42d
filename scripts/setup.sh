#!/usr/bin/env bash
# Sets up DX Tracker on a fresh Debian/Ubuntu machine: system packages (when run as root or
# with sudo), a virtual environment in .venv, and the project with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

# Japanese fonts for the UI and charts, Qt's runtime libraries for offscreen use, and
# LibreOffice Calc, which the tests use as a second spreadsheet program. PostgreSQL's server
# binaries: the tests start a throwaway cluster to run the core suite on a server database too
# (tests/postgres.py; nothing is set up as a service). IPAex Gothic: the PDF report's Japanese
# font (TrueType outlines, embedded as searchable text; Noto Sans CJK's CFF outlines are not).
APT_PACKAGES="fonts-noto-cjk fonts-ipaexfont-gothic libegl1 libgl1 libxkbcommon0 libfontconfig1 \
libdbus-1-3 libglib2.0-0 libxkbcommon-x11-0 libxcb-cursor0 libreoffice-calc-nogui poppler-utils \
strace postgresql openssl"

if command -v apt-get >/dev/null 2>&1 && [ "${DXTRACKER_SKIP_APT:-0}" != 1 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    missing=$(dpkg-query -W -f='${Package} ${Status}\n' $APT_PACKAGES 2>/dev/null \
      | grep -v "install ok installed" | cut -d' ' -f1 || true)
    if [ -n "$missing" ] || ! dpkg-query -W $APT_PACKAGES >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null
    fi
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,bench,build]"
