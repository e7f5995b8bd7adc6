#!/usr/bin/env bash
# macOS: build dist/Teller.app (PyInstaller, windowed, bundle id ua.prozora.teller — see
# packaging/teller.spec, BUNDLE section: Info.plist with NSHighResolutionCapable etc.), sign it
# ad hoc, smoke-test it, and pack dist/teller-<version>-macos-<arch>.dmg with hdiutil.
# NOT run on the development machine (no macOS there): CI runs it on macos-14 (arm64).
#
# Signing and notarisation (for distribution outside the bank's MDM):
#   - set CODESIGN_IDENTITY="Developer ID Application: <Bank> (<TEAMID>)" to sign with a real
#     certificate (hardened runtime + timestamp); default "-" = ad hoc (runs on the build
#     machine and where Gatekeeper is told to allow it; NOT for distribution);
#   - then notarise and staple (needs an App Store Connect API key or app-specific password):
#       xcrun notarytool submit dist/teller-*.dmg --keychain-profile teller-notary --wait
#       xcrun stapler staple dist/teller-*.dmg
#   - PySide6 + PyInstaller apps usually need no entitlements; if the hardened runtime kills
#     the app at start, add an entitlements plist with
#     com.apple.security.cs.allow-unsigned-executable-memory and pass it below.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"
identity="${CODESIGN_IDENTITY:--}"
version="$("$py" -c 'import teller_app; print(teller_app.__version__)')"
arch="$(uname -m)"
app="dist/Teller.app"
dmg="dist/teller-${version}-macos-${arch}.dmg"

"$py" packaging/build_translations.py
"$py" packaging/build_icons.py --iconset
# teller.icns for the .app and the DMG (PyInstaller's spec picks it up)
iconutil -c icns resources/icons/teller.iconset -o resources/icons/teller.icns
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/teller.spec
[ -d "$app" ] || { echo "PyInstaller did not produce $app" >&2; exit 1; }

# --- sign (inside-out: --deep is deprecated for signing, but fine for ad hoc) -------------
if [ "$identity" = "-" ]; then
  codesign --force --deep --sign - "$app"
else
  codesign --force --deep --options runtime --timestamp --sign "$identity" "$app"
fi
codesign --verify --deep --strict --verbose=2 "$app"
/usr/libexec/PlistBuddy -c "Print :CFBundleIdentifier" "$app/Contents/Info.plist"
/usr/libexec/PlistBuddy -c "Print :NSHighResolutionCapable" "$app/Contents/Info.plist"

# --- checks inside the frozen app (keyring must resolve to the macOS Keychain backend) -----
exe="$app/Contents/MacOS/teller"
QT_QPA_PLATFORM=offscreen "$exe" --frozen-check --require-keyring macOS
out="$(QT_QPA_PLATFORM=offscreen "$exe" --smoke-test)"
echo "$out"
echo "$out" | grep -q "ready in" || { echo "smoke test printed no 'ready in'" >&2; exit 1; }

# --- DMG: the app + a link to /Applications ----------------------------------------------
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "Teller ${version}" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
[ "$identity" = "-" ] || codesign --force --timestamp --sign "$identity" "$dmg"
echo "OK: $dmg ($(du -h "$dmg" | cut -f1))"
