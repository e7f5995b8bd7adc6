"""What the desk copies (an IBAN) does not outlive the employee's presence on the clipboard.

``copy_text`` puts text on the clipboard and remembers it; ``clear_copied`` (called on lock,
sign-out and quit) clears the clipboard only if it still holds exactly that text: whatever
the employee copied since, from anywhere, is theirs and stays."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QClipboard, QGuiApplication
from shiboken6 import isValid

_copied: str | None = None  # the last text the desk put on the clipboard
_quit_hooked: list[QCoreApplication] = []  # the application whose aboutToQuit clears it


def copy_text(text: str) -> None:
    """Copy ``text`` to the clipboard; it is taken off again on lock, sign-out and quit."""
    global _copied
    clipboard = _clipboard()
    if clipboard is None or not text:
        return
    clipboard.setText(text)
    _copied = text
    _hook_quit()


def copied() -> str | None:
    """What the desk copied and has not cleared yet (None: nothing)."""
    return _copied


def clear_copied() -> None:
    """Clear the clipboard if it still holds exactly what the desk copied."""
    global _copied
    text, _copied = _copied, None
    clipboard = _clipboard()
    if text is None or clipboard is None:
        return
    if clipboard.text() == text:
        clipboard.clear()


def _clipboard() -> QClipboard | None:
    app = QGuiApplication.instance()
    return QGuiApplication.clipboard() if isinstance(app, QGuiApplication) else None


def _hook_quit() -> None:
    # Once per application: quitting clears it too (a window closed without signing out).
    app = QCoreApplication.instance()
    if app is None or any(a is app and isValid(a) for a in _quit_hooked):
        return
    _quit_hooked[:] = [app]
    app.aboutToQuit.connect(clear_copied)
