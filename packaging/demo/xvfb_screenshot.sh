#!/usr/bin/env bash
# The REAL app on a real X server (Xvfb, Qt's xcb platform): embedded sandbox, sign-in as the
# demo teller, search results, a customer card — each captured from the X root window
# (xwd -root | convert) into PNGs. English and Ukrainian.
#
#   packaging/demo/xvfb_screenshot.sh                 # -> /tmp/teller-xvfb-{signin,main,card}.png
#                                                     #    /tmp/teller-xvfb-uk-{signin,main,card}.png
#   OUT=/tmp/shots/teller packaging/demo/xvfb_screenshot.sh en
#
# Needs: xvfb xauth x11-apps imagemagick libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
#        libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
# (packaging/demo/xvfb_screenshot.sh --install-deps runs apt-get for them).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
OUT="${OUT:-/tmp/teller-xvfb}"
SCREEN="${SCREEN:-1280x800x24}"

if [[ "${1:-}" == "--install-deps" ]]; then
  apt-get install -y --no-install-recommends xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 \
    libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 \
    libxcb-xkb1 x11-apps imagemagick
  shift
fi
LANGS=("${@:-en uk}")
read -r -a LANGS <<<"${LANGS[*]}"

command -v xvfb-run >/dev/null || { echo "xvfb-run missing (--install-deps)" >&2; exit 2; }
command -v xwd >/dev/null || { echo "xwd missing (x11-apps; --install-deps)" >&2; exit 2; }

# If the app died hard, its embedded sandbox child may outlive it: stop that one process
# (its pid from its own manifest), nothing else.
stop_orphan_sandbox() {
  local manifest="$1/data/sandbox/sandbox.json" pid
  [[ -f "$manifest" ]] || return 0
  pid="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("pid", ""))' "$manifest")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && \
      tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--data $1/data/sandbox"; then
    echo "stopping the leftover sandbox (pid $pid)" >&2
    kill "$pid" 2>/dev/null || true
  fi
}

status=0
for lang in "${LANGS[@]}"; do
  prefix="$OUT"; [[ "$lang" == en ]] || prefix="$OUT-$lang"
  # Private data/config dirs: a fresh embedded sandbox, no saved profiles, no real home.
  work="$(mktemp -d /tmp/teller-xvfb-run.XXXXXX)"
  echo "== $lang: the real app under Xvfb ($SCREEN), data in $work, PNGs $prefix-*.png"
  if ! env -u WAYLAND_DISPLAY QT_QPA_PLATFORM=xcb \
      TELLER_DATA_DIR="$work/data" TELLER_CONFIG_DIR="$work/config" \
      PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring \
      xvfb-run -a -s "-screen 0 $SCREEN -nolisten tcp" \
      "$PY" "$HERE/drive_app.py" --out "$prefix" --lang "$lang"; then
    status=1
    stop_orphan_sandbox "$work"
    echo "== $lang: FAILED (log: $work/data/logs/teller.log)" >&2
  else
    rm -rf "$work"
  fi
done
exit "$status"
