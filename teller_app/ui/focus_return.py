"""The keyboard back where it was when a dialog opened with ``open()`` over a window is
cancelled. Without a window manager, or under one that activates nothing when a dialog
closes, the focus is left nowhere and the next keys are lost (the cash dialog's supervisor,
a customer change decided in place, a till's co-sign here; a cash dialog or a payment's
detail closed: ``FocusBackOnClose``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
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


class FocusBackOnClose(QObject):
    """Remembers what has the keyboard as ``dialog`` is first shown (``focus_before``) and,
    once it finishes (Close, Esc, the ×), gives it back there: no window manager, or one that
    activates nothing when a dialog closes, left it nowhere and the next keys were lost. Only
    when the keys went nowhere (or stayed in the closed dialog): keys already elsewhere stay.
    Gone meanwhile (a card closed), the window under the dialog is activated instead."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._before: QWidget | None = None
        self._shown = False
        dialog.installEventFilter(self)
        dialog.finished.connect(self._closed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._dialog and event.type() == QEvent.Type.Show and not self._shown:
            self._shown = True  # before it takes the focus (its window is activated later)
            self._before = focus_before(self._dialog.parentWidget())
        return False

    def _closed(self, _result: int) -> None:
        focused = QApplication.focusWidget()
        if focused is not None and focused.isVisible() and not self._holds(focused):
            return
        if give_focus_back(self._before):
            return
        parent = self._dialog.parentWidget()
        if parent is not None and parent.window().isVisible():
            parent.window().activateWindow()

    def _holds(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self._dialog:
                return True
            widget = widget.parentWidget()
        return False
