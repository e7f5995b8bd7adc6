"""The keyboard back where it was when a dialog opened with ``open()`` over a window is
cancelled. Without a window manager, or under one that activates nothing when a dialog
closes, the focus is left nowhere and the next keys are lost (the cash dialog's supervisor,
a customer change decided in place, a till's co-sign here)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid


def focus_before(parent: QWidget | None) -> QWidget | None:
    """What has the keyboard as a dialog opens over ``parent``: the focused widget, or, when
    none is shown (the window that had it was just hidden, or is not active), the widget
    ``parent``'s window gives the focus to when it is activated."""
    focused = QApplication.focusWidget()
    if focused is not None and focused.isVisible():
        return focused
    return parent.window().focusWidget() if parent is not None else None


def give_focus_back(target: QWidget | None) -> bool:
    """``target``'s window activated and ``target`` focused, when it can still take the keys
    (not deleted, hidden or disabled meanwhile). False: left as it is."""
    if (target is None or not isValid(target) or not target.isVisible()
            or not target.isEnabled() or target.focusPolicy() == Qt.FocusPolicy.NoFocus):
        return False
    target.window().activateWindow()
    target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    return True
