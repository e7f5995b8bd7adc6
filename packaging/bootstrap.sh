#!/usr/bin/env bash
# One entry point for a fresh machine.
#   packaging/bootstrap.sh app    set up, then start Teller on the embedded sandbox
#   packaging/bootstrap.sh test   set up, then run the whole test suite offscreen
#   packaging/bootstrap.sh setup  set up only
# Extra arguments after the mode go to teller-app / pytest.
set -euo pipefail
mode="${1:-app}"; shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LANG="${LANG:-C.UTF-8}"

# --- Debian libraries Qt needs (see docs/ARCHITECTURE.md, "Testing") -----------------------
qt_libs=(libgl1 libegl1 libglib2.0-0 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3)
gui_libs=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
          libxcb-render-util0 libxcb-shape0 libxcb-xkb1)
keyring_tools=(gnome-keyring dbus dbus-x11)
# pdftotext / pdftoppm: the receipt tests read the PDF's text back (skipped without them)
pdf_tools=(poppler-utils)
want=("${qt_libs[@]}")
case "$mode" in
  # postgresql: the hub suite also runs on a real PostgreSQL (a throwaway cluster per session)
  test) want+=("${keyring_tools[@]}" "${pdf_tools[@]}" postgresql) ;;
  app)  want+=("${gui_libs[@]}") ;;
esac
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# --- Virtual environment --------------------------------------------------------------------
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=.venv/.teller-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
.venv/bin/python packaging/build_translations.py >/dev/null 2>&1 || true

case "$mode" in
  setup) echo "Set up in $root/.venv" ;;
  app)
    exec .venv/bin/teller-app "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    # In CI the hub's PostgreSQL variant must run: a missing server fails instead of skipping.
    if [ "${CI:-}" = "true" ]; then export TELLER_REQUIRE_POSTGRES=1; fi
    # Real Secret Service keyring for the keyring tests, in a throw-away HOME and D-Bus session.
    tmp_home="$(mktemp -d)"
    trap 'rm -rf "$tmp_home"' EXIT
    # One worker per core (at most 4; TELLER_TEST_WORKERS overrides, 1 = one process), each
    # with its own sandbox, hub and PostgreSQL; a test file stays on one worker (its module
    # fixtures start once). A later "-n N" in the arguments wins.
    cores="$(nproc 2>/dev/null || echo 1)"
    workers="${TELLER_TEST_WORKERS:-$(( cores < 4 ? cores : 4 ))}"
    parallel=()
    if [ "$workers" -gt 1 ]; then parallel=(-n "$workers" --dist loadfile); fi
    # the 25 slowest tests close the log: where CI's time goes, run after run
    run=(.venv/bin/python -m pytest -m "slow or not slow" --durations=25 ${parallel[@]+"${parallel[@]}"} "$@")
    if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
      HOME="$tmp_home" XDG_DATA_HOME="$tmp_home/.local/share" XDG_CONFIG_HOME="$tmp_home/.config" \
        dbus-run-session -- sh -c 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "${run[@]}"
    else
      HOME="$tmp_home" "${run[@]}"
    fi
    ;;
  *) echo "usage: $0 app|test|setup [args...]" >&2; exit 2 ;;
esac
