"""Nothing appears over the lock screen: windows opened while the desk is locked are parked.

Writes keep running while locked, and their callbacks open windows (a receipt naming the
customer, a result, the crash dialog with the exception's text). While the desk is locked,
``LockGuard`` (an application-wide event filter, installed at lock and removed at unlock)
hides every top-level window and every dock of the main window that is shown, and hands it
to the locker, which parks it with the windows of the employee who locked: it comes back
when that employee unlocks, never for another employee who signs in on the lock screen.

The window is hidden once its ``show()`` is complete (``ShowToParent``): hiding it from inside
its ``Show`` event would leave the native window mapped while the widget counts as hidden.
Nothing is painted in between (a paint needs the event loop). Its ``Show`` event is swallowed,
so nothing reacts to it being shown (a message box's accessibility alert reads its text).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QStackedWidget, QWidget
from shiboken6 import isValid

PARKED = "tellerParkedByLock"  # dynamic property: hidden by the lock, shown at unlock
_HOOKED = "tellerParkHooked"  # its finished signal unmarks it (connected once)


def is_parked(widget: QWidget) -> bool:
    """True while ``widget`` is hidden by the lock and waits for its employee's unlock."""
    return isValid(widget) and bool(widget.property(PARKED))


def park(widget: QWidget) -> None:
    widget.setProperty(PARKED, True)
    widget.hide()
    if isinstance(widget, QDialog) and not widget.property(_HOOKED):
        # A dialog closed by the code meanwhile (done, accept) is not brought back.
        widget.setProperty(_HOOKED, True)
        widget.finished.connect(lambda _result: _unmark(widget))


def hide_open_windows(window: QWidget | None, stack: QStackedWidget) -> list[QWidget]:
    """Hide and return the windows and docks open now (the lock screen's host excepted)."""
    host = stack.window()
    shown = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and w.isWindow() and w is not window and w is not host
             and not isinstance(w, QStackedWidget)]
    if window is not None:
        shown += [d for d in window.findChildren(QDockWidget) if d.isVisible()]
    for widget in shown:
        park(widget)
    return shown


def show_parked(widgets: list[QWidget]) -> None:
    """Show again what the lock hid (skipping what was closed or destroyed meanwhile)."""
    for widget in widgets:
        if isValid(widget) and is_parked(widget):
            _unmark(widget)
            widget.show()


def _unmark(widget: QWidget) -> None:
    if isValid(widget):
        widget.setProperty(PARKED, None)


class LockGuard(QObject):
    """Hides and hands to ``on_parked`` whatever window is shown between ``engage()`` and
    ``release()``; the lock screen's own popups and tooltips pass."""

    def __init__(self, screen: QWidget, window: QWidget | None,
                 on_parked: Callable[[QWidget], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.window = window
        self.on_parked = on_parked
        self._engaged = False
        self._showing: list[QWidget] = []  # Show seen, ShowToParent (show() done) not yet

    @property
    def engaged(self) -> bool:
        return self._engaged

    def engage(self) -> None:
        app = QCoreApplication.instance()
        if not self._engaged and app is not None:
            app.installEventFilter(self)
            self._engaged = True

    def release(self) -> None:
        """Stop parking (idempotent; safe while the application goes down)."""
        app = QCoreApplication.instance()
        if self._engaged and app is not None and isValid(self):
            app.removeEventFilter(self)
        self._engaged = False
        self._showing.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        try:
            kind = event.type()
            if kind == QEvent.Type.Show:
                if (not event.spontaneous() and isinstance(watched, QWidget)
                        and self._covers(watched)):
                    self._showing.append(watched)
                    return True  # nothing reacts to a show nobody sees
            elif (kind == QEvent.Type.ShowToParent and isinstance(watched, QWidget)
                  and any(w is watched for w in self._showing)):
                self._showing = [w for w in self._showing if w is not watched]
                self._hide(watched)
        except Exception:  # an event filter must never raise into Qt's dispatch
            pass
        return False

    def _hide(self, widget: QWidget) -> None:
        if widget.windowType() == Qt.WindowType.Popup:
            widget.hide()  # a menu or completer list: closed, not brought back
            return
        park(widget)
        self.on_parked(widget)

    def _covers(self, widget: QWidget) -> bool:
        """True for what would show over the lock: a top-level window or a dock of the main
        window; not the main window, nor the lock screen's own popups and tooltips."""
        if widget is self.window or widget is self.screen.window():
            return False
        if not widget.isWindow():
            return isinstance(widget, QDockWidget) and widget.parentWidget() is self.window
        if widget.windowType() == Qt.WindowType.ToolTip:
            return False  # says what is under the pointer: the lock screen
        owner = widget.parentWidget()
        return not (owner is not None and (owner is self.screen
                                           or self.screen.isAncestorOf(owner)))
