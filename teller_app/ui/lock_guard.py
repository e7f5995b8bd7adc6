"""Nothing appears over the lock screen: windows opened while the desk is locked are parked.

Writes keep running while locked, and their callbacks open windows (a receipt naming the
customer, a result, the crash dialog with the exception's text). While the desk is locked,
``LockGuard`` (an application-wide event filter, installed at lock) hides every top-level
window and every dock of the main window that is shown, and hands it to the locker, which
parks it with the windows of the employee who locked: it comes back when that employee
unlocks, never for another employee who signs in on the lock screen.

Writes also keep running after such a switch, and a window opened then from one of the first
employee's parked windows (a receipt over their parked cash dialog) would name their customer
to the second. So after the switch, and after any unlock while some employee still has windows
parked, the guard stays installed "for others' windows only" (``engage_foreign``): it parks
just what opens from a parked window (its parent chain), with that window's employee, until
that employee signs in again; everything else shows as usual.

The window is hidden once its ``show()`` is complete (``ShowToParent``): hiding it from inside
its ``Show`` event would leave the native window mapped while the widget counts as hidden.
Nothing is painted in between (a paint needs the event loop). Its ``Show`` event is swallowed,
so nothing reacts to it being shown (a message box's accessibility alert reads its text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QStackedWidget, QWidget
from shiboken6 import isValid

# employee guid -> (the page under the lock, the windows and docks parked for them)
ParkedRecord = Mapping[str, tuple[object, Sequence[QWidget]]]

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


def parked_owner(widget: QWidget, parked: ParkedRecord) -> str:
    """The employee whose parked window ``widget`` is or was opened from (its parent chain up to
    the top-level), or "". A parked window destroyed meanwhile is skipped."""
    link: QWidget | None = widget
    while link is not None and isValid(link):
        for guid, (_page, windows) in parked.items():
            if any(w is link and isValid(w) for w in windows):
                return guid
        link = link.parentWidget()
    return ""


def has_parked_windows(parked: ParkedRecord) -> bool:
    return any(isValid(w) for _page, windows in parked.values() for w in windows)


def _unmark(widget: QWidget) -> None:
    if isValid(widget):
        widget.setProperty(PARKED, None)


class LockGuard(QObject):
    """Hides and hands to ``on_parked(widget, owner)`` whatever window is shown between
    ``engage()`` and ``release()`` (the lock screen's own popups and tooltips pass); after
    ``engage_foreign()``, only what opens from a window in the locker's ``parked()`` record.
    ``owner`` is that window's employee, or "" (then: the employee who locked)."""

    def __init__(self, screen: QWidget, window: QWidget | None,
                 on_parked: Callable[[QWidget, str], None],
                 parked: Callable[[], ParkedRecord], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.window = window
        self.on_parked = on_parked
        self.parked = parked
        self._engaged = False
        self._foreign_only = False
        self._showing: list[QWidget] = []  # Show seen, ShowToParent (show() done) not yet

    @property
    def engaged(self) -> bool:
        return self._engaged

    def engage(self) -> None:
        """Locked: park every window shown."""
        self._foreign_only = False
        self._install()

    def engage_foreign(self) -> None:
        """Unlocked, or another employee signed in: while any employee's windows are parked,
        park only what opens from them (a late write's result), so whoever works at the desk
        never sees it; with none parked, release."""
        if not has_parked_windows(self.parked()):
            self.release()
            return
        self._foreign_only = True
        self._install()

    def owner_of(self, widget: QWidget) -> str:
        return parked_owner(widget, self.parked())

    def _install(self) -> None:
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
        self._foreign_only = False
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
        self.on_parked(widget, self.owner_of(widget))

    def _covers(self, widget: QWidget) -> bool:
        """True for what would show over the lock: a top-level window or a dock of the main
        window; not the main window, nor the lock screen's own popups and tooltips."""
        if widget is self.window or widget is self.screen.window():
            return False
        if self._foreign_only:
            return widget.isWindow() and bool(self.owner_of(widget))
        if not widget.isWindow():
            return isinstance(widget, QDockWidget) and widget.parentWidget() is self.window
        if widget.windowType() == Qt.WindowType.ToolTip:
            return False  # says what is under the pointer: the lock screen
        owner = widget.parentWidget()
        return not (owner is not None and (owner is self.screen
                                           or self.screen.isAncestorOf(owner)))
