#!/usr/bin/env bash
# Build the Linux bundle and check it:
#   dist/teller/                      PyInstaller --onedir (packaging/teller.spec)
#   dist/teller-linux-x86_64.tar.gz   the same folder, for distribution
# then, inside the frozen app:
#   0. ldd of every bundled ELF file: nothing "not found" (host libraries come from the OS)
#   1. teller --frozen-check   keyring backends (a real Secret Service round trip when
#                              dbus-run-session + gnome-keyring-daemon exist), SQLCipher+FTS5,
#                              uvicorn modules, data files, Qt plugins/translations
#   2. teller --smoke-test     (offscreen) embedded sandbox -> sign-in -> first results painted:
#                              expects "ready in N ms" on stdout, SMOKE_RUNS times (default 5),
#                              prints the median
# Usage: packaging/build_linux_bundle.sh [--no-build]   (env: PYTHON, SMOKE_RUNS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LANG="${LANG:-C.UTF-8}"
py="${PYTHON:-$root/.venv/bin/python}"
runs="${SMOKE_RUNS:-5}"
arch="$(uname -m)"
bundle="dist/teller"
tarball="dist/teller-linux-${arch}.tar.gz"

if [ "${1:-}" != "--no-build" ]; then
  "$py" -c "import PyInstaller" 2>/dev/null || "$py" -m pip install -q "pyinstaller>=6.5"
  "$py" packaging/build_translations.py
  "$py" packaging/build_icons.py
  start=$(date +%s)
  "$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/teller.spec
  echo "built $bundle in $(( $(date +%s) - start )) s"
  tar -C dist -czf "$tarball" teller
fi
[ -x "$bundle/teller" ] || { echo "no $bundle/teller: build first" >&2; exit 1; }

echo "bundle: $(du -sh "$bundle" | cut -f1) on disk; $([ -f "$tarball" ] && du -h "$tarball" | cut -f1) tarball"

# --- checks run in a throw-away HOME (no real profiles, keyring or data are touched) -----
tmp_home="$(mktemp -d)"
trap 'rm -rf "$tmp_home"' EXIT
export HOME="$tmp_home" XDG_CONFIG_HOME="$tmp_home/.config" XDG_DATA_HOME="$tmp_home/.local/share"
export QT_QPA_PLATFORM=offscreen

echo "--- shared libraries: every ELF file's dependencies resolve (bundle first, then host)"
missing="$(find "$bundle" -type f \( -name '*.so*' -o -path "$bundle/teller" \) -print0 |
  LD_LIBRARY_PATH="$root/$bundle/_internal:$root/$bundle/_internal/PySide6/Qt/lib" \
  xargs -0 -n 50 ldd 2>/dev/null | grep 'not found' | sort -u || true)"
if [ -n "$missing" ]; then echo "unresolved libraries:"; echo "$missing"; exit 1; fi
echo "ok: no unresolved library"

echo "--- frozen checks"
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  dbus-run-session -- sh -c 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;
    exec "$0" --frozen-check --require-keyring SecretService --keyring-roundtrip' "$bundle/teller"
else
  echo "(no dbus-run-session/gnome-keyring-daemon: checking the backends are bundled, not a live keyring)"
  "$bundle/teller" --frozen-check
fi

echo "--- smoke test x $runs"
times=()
for i in $(seq 1 "$runs"); do
  out="$(timeout 180 "$bundle/teller" --smoke-test 2>"$tmp_home/smoke.err")" || {
    echo "smoke test run $i failed:" >&2; cat "$tmp_home/smoke.err" >&2; echo "$out" >&2; exit 1; }
  ms="$(printf '%s\n' "$out" | sed -n 's/.*ready in \([0-9]*\) ms.*/\1/p' | tail -1)"
  [ -n "$ms" ] || { echo "no 'ready in' in smoke-test output: $out" >&2; exit 1; }
  echo "run $i: ready in $ms ms"
  times+=("$ms")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "smoke test: ready in $median ms (median of $runs; includes starting the embedded sandbox)"
echo "OK: $bundle and $tarball"
