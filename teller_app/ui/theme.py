"""Light and dark palettes. "system" follows the OS (Qt 6.5+ ``styleHints().colorScheme()``,
re-applied when it changes); "light"/"dark" force one. Colours that carry meaning (errors,
the sandbox strip) come from here, picked for the palette in use, so nothing hard-coded
breaks dark mode."""

from __future__ import annotations

import contextlib
import os

from PySide6 import QtCore
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

THEMES = ("system", "light", "dark")
_state: dict[str, object] = {"mode": "system", "hooked": False}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_color(palette: QPalette | None = None) -> QColor:
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def muted_color(palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)


def muted_style(palette: QPalette | None = None) -> str:
    return f"color: {muted_color(palette).name()};"


def ok_color(palette: QPalette | None = None) -> QColor:
    return QColor("#81c784") if is_dark(palette) else QColor("#1b7a2e")


def error_style(palette: QPalette | None = None) -> str:
    return f"color: {error_color(palette).name()}; font-weight: 600;"


def sandbox_strip_style() -> str:
    """Amber with black text in both palettes: the sandbox must be impossible to miss."""
    return ("background: #ffb300; color: #000000; font-weight: 700; padding: 6px;"
            " border-bottom: 3px solid #e65100;")


def dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(37, 37, 38), QColor(30, 30, 30), QColor(230, 230, 230)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, QColor(45, 45, 48))
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, QColor(51, 51, 55))
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor(51, 51, 55))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))
        p.setColor(group, QPalette.ColorRole.Highlight, QColor(38, 110, 190))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
        p.setColor(group, QPalette.ColorRole.Link, QColor(120, 180, 255))
        p.setColor(group, QPalette.ColorRole.BrightText, QColor(255, 120, 120))
    disabled = QColor(128, 128, 128)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(45, 45, 48))
    return p


def system_is_dark(app: QGuiApplication) -> bool:
    try:
        return app.styleHints().colorScheme() == QtCore.Qt.ColorScheme.Dark
    except AttributeError:  # Qt < 6.5
        return False


def apply_theme(app: QApplication, mode: str) -> None:
    """Apply ``mode`` (system/light/dark) to the whole application."""
    mode = mode if mode in THEMES else "system"
    _state["mode"] = mode
    if not _state["hooked"]:
        _state["hooked"] = True
        with contextlib.suppress(AttributeError):  # Qt < 6.5
            app.styleHints().colorSchemeChanged.connect(lambda _s: _reapply(app))
    dark = mode == "dark" or (mode == "system" and system_is_dark(app))
    if not _state.get("styled"):
        # Fusion honours a custom palette everywhere. Set once: replacing the style again
        # deletes the one Python may still reference.
        _state["styled"] = True
        app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette() if dark else _light_palette())
    for widget in app.topLevelWidgets():
        _refresh(widget)


def _light_palette() -> QPalette:
    style = QStyleFactory.create("Fusion")
    palette = style.standardPalette()
    style.deleteLater()
    return palette


def current_mode() -> str:
    return str(_state["mode"])


def _reapply(app: QApplication) -> None:
    if _state["mode"] == "system":
        apply_theme(app, "system")


def _refresh(widget: QWidget) -> None:
    widget.setPalette(QGuiApplication.palette())


def app_icon() -> QIcon:
    """The application icon (resources/icons, rendered by packaging/build_icons.py; the SVG
    itself when the PNGs were not built)."""
    from teller_app.ui.i18n import resources_dir

    icons = resources_dir() / "icons"
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = icons / f"teller-{size}.png"
        if path.exists():
            icon.addFile(str(path), QSize(size, size))
    if icon.isNull() and (icons / "teller.svg").exists():
        icon.addFile(str(icons / "teller.svg"))
    return icon


def set_high_dpi_policy() -> None:
    """Before the QApplication exists: fractional scales (125 %, 150 %) pass through
    unrounded, so text and icons are neither blurry nor oversized. Through the environment
    (read when the application is created; a value already set wins, as it does over the
    API): the API's enum would build the whole ``Qt`` namespace (~100 enums, ~20 ms) before
    the sign-in window is painted (start_run.run)."""
    os.environ.setdefault("QT_SCALE_FACTOR_ROUNDING_POLICY", "PassThrough")
