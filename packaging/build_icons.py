"""Render resources/icons/teller.svg into the icons the app and installers use.

    python packaging/build_icons.py            # PNGs (16..512), teller.png, teller.ico
    python packaging/build_icons.py --iconset  # also teller.iconset/ for macOS

Qt's QSvgRenderer draws the SVG into QImages (no other tool needed, runs offscreen):
- ``resources/icons/teller-<size>.png`` and ``teller.png`` (256 px: window, tray, Linux);
- ``resources/icons/teller.ico`` (16, 24, 32, 48, 64, 128, 256; PNG-compressed entries,
  read by Windows Vista+ and Inno Setup / PyInstaller);
- with ``--iconset``, ``resources/icons/teller.iconset/icon_<n>x<n>[@2x].png``. On macOS then:
  ``iconutil -c icns resources/icons/teller.iconset -o resources/icons/teller.icns``
  (packaging/macos/build_dmg.sh runs it; PyInstaller's spec picks up teller.icns).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "teller.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICONSET = ((16, 1), (16, 2), (32, 1), (32, 2), (128, 1), (128, 2), (256, 1), (256, 2),
           (512, 1), (512, 2))


def _app() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNGs (the format's Vista+ form)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def build(iconset: bool = False, out: Path = ICONS) -> list[Path]:
    _app()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pngs = {size: render_png(size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    for size in PNG_SIZES:
        path = out / f"teller-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)
    (out / "teller.png").write_bytes(pngs[256])
    (out / "teller.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    written += [out / "teller.png", out / "teller.ico"]
    if iconset:
        folder = out / "teller.iconset"
        folder.mkdir(exist_ok=True)
        for size, scale in ICONSET:
            name = f"icon_{size}x{size}{'@2x' if scale == 2 else ''}.png"
            (folder / name).write_bytes(render_png(size * scale))
            written.append(folder / name)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iconset", action="store_true", help="also a macOS .iconset")
    parser.add_argument("--out", type=Path, default=ICONS)
    args = parser.parse_args()
    for path in build(args.iconset, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
