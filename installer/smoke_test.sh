#!/usr/bin/env bash
# Smoke test of the frozen build (Linux; .ci/run runs it after the test suite).
# Builds dist/DXTracker/ with the one build command (installer/build.py; extra arguments go to
# it), then runs the frozen programs on a temporary database and a temporary home folder:
#   - `dxtracker --version`, `init`, `plan show --json` (10 projects, 28 KPIs), `init` into the
#     user's data folder, and `report` when the core has it (charts: matplotlib in the bundle);
#   - `dxtracker-gui --screenshot` offscreen: the PNGs exist, are large and not blank;
#   - the command line's archive holds no PySide6/ui, and the GUI's holds every page module;
#   - nothing is written into the program folder;
#   - with strace (if present): no IPv4/IPv6 connection, and the command line loads no Qt file.
# Prints build time and bundle size.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
BUNDLE=dist/DXTracker
CLI="$BUNDLE/dxtracker"
GUI="$BUNDLE/dxtracker-gui"
export QT_QPA_PLATFORM=offscreen
unset DXTRACKER_DB MPLCONFIGDIR

fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }
step() { echo "--- $*"; }

WORK=$(mktemp -d -t dxtracker-smoke-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The frozen programs see a fresh user: their settings, data and caches land under $WORK.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
  XDG_CACHE_HOME="$WORK/home/.cache"
mkdir -p "$HOME"

step "build: $PY installer/build.py $*"
build_started=$(date +%s)
"$PY" installer/build.py "$@"
build_seconds=$(( $(date +%s) - build_started ))
[ -x "$CLI" ] || fail "$CLI was not built"
[ -x "$GUI" ] || fail "$GUI was not built"

snapshot() { find "$BUNDLE" -printf '%P %s %T@\n' | sort; }
snapshot > "$WORK/bundle-before.txt"

step "archives: no Qt in the command line, no development tools, every module of ours"
"$PY" -m PyInstaller.utils.cliutils.archive_viewer -l -r -b "$CLI" > "$WORK/cli-archive.txt"
"$PY" -m PyInstaller.utils.cliutils.archive_viewer -l -r -b "$GUI" > "$WORK/gui-archive.txt"
if grep -E '^\s*(PySide6|shiboken6|ui)(\.|$)' "$WORK/cli-archive.txt"; then
  fail "the command line's archive holds Qt or ui modules (listed above)"
fi
if grep -hE '^\s*(pandas|IPython|hypothesis|pytest|_pytest|tkinter|setuptools)(\.|$)' \
    "$WORK/cli-archive.txt" "$WORK/gui-archive.txt"; then
  fail "a development-only package was bundled (listed above)"
fi
# matplotlib's Qt canvas (the charts in the app) needs these, whether or not ui/ imports them.
for module in matplotlib.backends.backend_qtagg matplotlib.backends.qt_compat; do
  grep -qE "^\s*$module\$" "$WORK/gui-archive.txt" || fail "$module is not in $GUI"
done
for qt_module in QtCore QtGui QtWidgets QtSvg; do
  ls "$BUNDLE"/_internal/PySide6/$qt_module.* > /dev/null 2>&1 || fail "PySide6.$qt_module is not in $BUNDLE"
done
# Our own modules, every one (some are imported by name only, e.g. ui/pages' registry).
"$PY" - "$WORK/cli-archive.txt" "$WORK/gui-archive.txt" <<'EOF'
import sys
from pathlib import Path

def modules(package):
    for path in sorted(Path(package).rglob("*.py")):
        parts = path.with_suffix("").parts
        if parts[-1] != "__main__":
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

cli, gui = ({line.strip() for line in open(name, encoding="utf-8")} for name in sys.argv[1:])
missing = [f"{m} (command line)" for m in modules("dxtracker") if m not in cli]
core = [m for m in modules("dxtracker") if not m.startswith("dxtracker.cli")]  # the CLI's own
missing += [f"{m} (desktop app)" for m in [*core, *modules("ui")] if m not in gui]
assert not missing, "not bundled: " + ", ".join(missing)
EOF

step "command line"
expected_version="dxtracker $("$PY" -c 'import dxtracker; print(dxtracker.__version__)')"
actual_version=$("$CLI" --version)
[ "$actual_version" = "$expected_version" ] || fail "--version says '$actual_version', expected '$expected_version'"
DB="$WORK/smoke.sqlite3"
"$CLI" --db "$DB" init
"$CLI" --db "$DB" plan show --json > "$WORK/plan.json"
"$PY" - "$WORK/plan.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1], encoding="utf-8"))
projects = plan["projects"]
kpis = sum(len(project["kpis"]) for project in projects)
assert plan["format"] == "dxtracker-plan-show", plan["format"]
assert (len(projects), kpis) == (10, 28), f"{len(projects)} projects, {kpis} KPIs"
print(f"plan show --json: {len(projects)} projects, {kpis} KPIs")
EOF
"$CLI" init > /dev/null
[ -f "$XDG_DATA_HOME/DXTracker/dxtracker.sqlite3" ] || fail "init without --db did not write into the user's data folder"

if "$CLI" report --help > /dev/null 2>&1; then
  step "report (charts through matplotlib)"
  pdf_option=()
  "$CLI" report --help | grep -q -- '--pdf' && pdf_option=(--pdf "$WORK/report.pdf")
  "$CLI" --db "$DB" report -o "$WORK/report.xlsx" "${pdf_option[@]}"
  [ -s "$WORK/report.xlsx" ] || fail "report wrote no workbook"
  if [ ${#pdf_option[@]} -gt 0 ]; then
    [ "$(head -c 5 "$WORK/report.pdf")" = "%PDF-" ] || fail "report --pdf wrote no PDF"
  fi
  ls "$XDG_CACHE_HOME"/DXTracker/matplotlib/fontlist-*.json > /dev/null 2>&1 \
    || fail "matplotlib's font cache is not in the user's cache folder"
else
  echo "(no report command yet: matplotlib is not exercised)"
fi

step "desktop app, offscreen: --screenshot"
gui_started=$(date +%s%N)
"$GUI" --screenshot "$WORK/shots" --db "$DB" --department 商工労働部 --settings "$WORK/settings.json"
gui_ms=$(( ($(date +%s%N) - gui_started) / 1000000 ))
"$PY" - "$WORK/shots" <<'EOF'
import sys
from pathlib import Path

from PySide6.QtGui import QImage

shots = sorted(Path(sys.argv[1]).glob("*.png"))
assert shots, "no screenshot was saved"
for path in shots:
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not a readable PNG"
    assert image.width() >= 400 and image.height() >= 300, f"{path.name} is {image.width()}x{image.height()}"
    step = max(1, image.width() * image.height() // 40000)  # sample about 40,000 pixels
    colours = {image.pixel(i % image.width(), i // image.width())
               for i in range(0, image.width() * image.height(), step)}
    # Text, borders and tables give hundreds of colours; a blank or single-colour view has a few.
    assert len(colours) >= 50, f"{path.name} looks blank ({len(colours)} colours)"
    print(f"{path.name}: {image.width()}x{image.height()}, {len(colours)} colours, {path.stat().st_size} bytes")
EOF

if command -v strace > /dev/null 2>&1 && strace -f -o /dev/null true 2> /dev/null; then
  step "strace: no network connection; the command line loads no Qt"
  strace -f -e trace=connect,openat -o "$WORK/cli.trace" "$CLI" --db "$DB" plan show --json > /dev/null
  strace -f -e trace=connect,openat -o "$WORK/gui.trace" \
    "$GUI" --screenshot "$WORK/shots2" --db "$DB" --settings "$WORK/settings2.json" > /dev/null
  if grep -hE 'connect\(.*AF_INET6?[,}]' "$WORK/cli.trace" "$WORK/gui.trace"; then
    fail "a frozen program opened a network connection (above)"
  fi
  if grep -E 'openat\(.*(PySide6|libQt6|shiboken6)' "$WORK/cli.trace" | head -3 | grep .; then
    fail "the frozen command line loaded Qt files (above)"
  fi
else
  echo "(strace not available: network and Qt-loading checks skipped)"
fi

step "the program folder is unchanged"
snapshot > "$WORK/bundle-after.txt"
diff "$WORK/bundle-before.txt" "$WORK/bundle-after.txt" || fail "the frozen programs wrote into $BUNDLE"

bundle_mb=$(du -sm "$BUNDLE" | cut -f1)
zip_file=$(ls dist/DXTracker-*-portable.zip 2> /dev/null | head -1 || true)
echo "SMOKE TEST PASSED"
echo "build time: ${build_seconds} s; bundle: ${bundle_mb} MB on disk ($(find "$BUNDLE" -type f | wc -l) files)" \
  "${zip_file:+; $(basename "$zip_file"): $(du -m "$zip_file" | cut -f1) MB}; frozen GUI start to screenshots saved: ${gui_ms} ms"
