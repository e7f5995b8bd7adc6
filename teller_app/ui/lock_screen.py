"""Session lock: a password screen stacked over the work, after N idle minutes or Ctrl+L.

Locking never destroys anything: the central page underneath, open dialogs and docks are only
hidden (so half-filled forms come back exactly as they were) and shown again on unlock. If a
different employee signs in instead, the first employee's hidden windows stay parked under
their guid (with what opens from them meanwhile) until that employee unlocks (ui/lock_guard).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget
from shiboken6 import isValid

from teller_app.core.idle import IdleTracker
from teller_app.ui.clipboard_guard import clear_copied
from teller_app.ui.error_text import safe_text
from teller_app.ui.idle_filter import IdleEventFilter
from teller_app.ui.lock_focus import FocusMemory
from teller_app.ui.lock_guard import LockGuard, hide_open_windows, show_parked
from teller_app.ui.lock_screen_page import LockScreen

__all__ = ["LockScreen", "SessionLocker"]  # LockScreen: its page (ui/lock_screen_page)

VerifyPassword = Callable[[str], Awaitable[bool]]
SwitchEmployee = Callable[[str, str], Awaitable[Any]]


class SessionLocker(QObject):
    """Locks ``stack`` behind a ``LockScreen``; unlocks after ``verify(password)``.

    ``employee_guid()`` names who is signed in (parking is per employee); ``switch(email,
    password)`` signs a different employee in (returns their session or raises) and
    ``on_switched(session)`` hands it to the main window.
    """

    locked = Signal()
    unlocked = Signal(str)  # employee guid
    switched = Signal(object)  # the new session

    def __init__(
        self,
        stack: QStackedWidget,
        tracker: IdleTracker,
        verify: VerifyPassword,
        ops: Any,
        *,
        window: QWidget | None = None,
        employee_guid: Callable[[], str] = lambda: "",
        employee_label: Callable[[], str] = lambda: "",
        switch: SwitchEmployee | None = None,
        on_switched: Callable[[Any], None] | None = None,
        home: Callable[[], None] | None = None,
        check_interval_ms: int = 15_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or stack)
        self.stack = stack
        self.tracker = tracker
        self.verify = verify
        self.ops = ops
        self.window = window
        self.employee_guid = employee_guid
        self.employee_label = employee_label
        self.switch = switch
        self.on_switched = on_switched
        self.home = home  # the focus after an unlock with none remembered
        self.focus = FocusMemory()
        self.screen = LockScreen()
        self.screen.other_box.setVisible(switch is not None)
        self.stack.addWidget(self.screen)
        self.screen.unlock_requested.connect(self._verify_and_unlock)
        self.screen.switch_requested.connect(self._switch_employee)
        self.filter = IdleEventFilter(tracker, self)
        self._watched: list[QWindow] = []  # windows the filter is installed on
        self._started = False
        self.timer = QTimer(self)
        self.timer.setInterval(check_interval_ms)
        self.timer.timeout.connect(self.check_idle)
        self._locked = False
        self._locked_by = ""
        # employee guid -> (page under the lock, windows and docks hidden: ui/lock_guard)
        self._parked: dict[str, tuple[QWidget | None, list[QWidget]]] = {}
        self.guard = LockGuard(self.screen, window, self._park_shown, lambda: self._parked, self)

    # -- wiring -------------------------------------------------------------------------
    def start(self) -> None:
        """Watch input on our top-level window and on every window that takes focus."""
        if not self._started:
            self._started = True
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                app.focusWindowChanged.connect(self._watch_window)
            top = self.window if self.window is not None else self.stack.window()
            if top is not None:
                top.winId()  # make sure the top-level QWindow exists (before the first show)
                self._watch_window(top.windowHandle())
            focus = QGuiApplication.focusWindow()
            if focus is not None:
                self._watch_window(focus)
        self.tracker.restart()
        self.timer.start()

    def stop(self) -> None:
        """Unhook everything (idempotent; safe while the windows are being destroyed)."""
        if self._started:
            self._started = False
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                with contextlib.suppress(RuntimeError, TypeError):
                    app.focusWindowChanged.disconnect(self._watch_window)
            for window in self._watched:
                if isValid(window):
                    window.removeEventFilter(self.filter)
            self._watched.clear()
        if isValid(self.guard):
            self.guard.release()  # sign-out or close: the next sign-in window must show
        clear_copied()
        if isValid(self.timer):
            self.timer.stop()

    def _watch_window(self, window: QWindow | None) -> None:
        if window is None or not isValid(window) or not isValid(self.filter):
            return
        self._watched = [w for w in self._watched if isValid(w)]
        if any(w is window for w in self._watched):
            return
        window.installEventFilter(self.filter)
        self._watched.append(window)

    @property
    def is_locked(self) -> bool:
        return self._locked

    def check_idle(self) -> None:
        if not self._locked and self.tracker.due():
            self.lock()

    # -- lock / unlock ------------------------------------------------------------------
    def lock(self) -> None:
        if self._locked:
            return
        self._locked = True
        self._locked_by = self.employee_guid()
        page = self.stack.currentWidget()
        self.focus.remember(self._locked_by, self.screen)  # before anything is hidden
        self.guard.engage()
        windows = hide_open_windows(self.window, self.stack)
        # Merge with what this employee already had parked (e.g. from before a switch).
        old_page, old_windows = self._parked.get(self._locked_by, (None, []))
        self._parked[self._locked_by] = (page if page is not self.screen else old_page,
                                         [*old_windows, *windows])
        clear_copied()  # an IBAN copied for the customer is not left for whoever comes
        self._set_menus_enabled(False)
        self.screen.reset()
        self.screen.set_employee(self.employee_label())
        self.stack.setCurrentWidget(self.screen)
        self.screen.password.setFocus()
        self.locked.emit()

    def unlock(self) -> None:
        """Back to work as whoever is signed in now; their parked windows reappear."""
        guid = self.employee_guid()
        page, windows = self._parked.pop(guid, (None, []))
        self.guard.engage_foreign()  # before anything shows (what opens from others' stays hidden)
        if page is not None and self.stack.indexOf(page) >= 0:
            self.stack.setCurrentWidget(page)
        elif self.stack.currentWidget() is self.screen:
            self.stack.setCurrentIndex(0 if self.stack.widget(0) is not self.screen else 1)
        show_parked(windows)
        self._set_menus_enabled(True)
        self.screen.reset()
        self._locked = False
        self.focus.restore(guid, self.home)  # where they were, not the banner's ✕
        self.tracker.restart()
        self.unlocked.emit(guid)

    def _park_shown(self, widget: QWidget, owner: str) -> None:
        owner = owner or self._locked_by  # "": not opened from anyone's parked window
        page, windows = self._parked.get(owner, (None, []))
        if not any(w is widget for w in windows):
            self._parked[owner] = (page, [*windows, widget])

    def _set_menus_enabled(self, enabled: bool) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.menuBar().setEnabled(enabled)

    def _verify_and_unlock(self, password: str) -> None:
        def done(ok: object) -> None:
            if ok:
                self.unlock()
            else:
                self.screen.show_error(lambda: self.tr("Wrong password."))

        def failed(exc: BaseException) -> None:
            exc = _kept(exc)
            self.screen.show_error(lambda: self.tr("Could not check the password: %1").replace(
                "%1", safe_text(exc)))

        self.ops.run(lambda: self.verify(password), on_success=done, on_error=failed,
                     parent=self.screen, label=self.tr("Checking password"), reauth=False)

    def _switch_employee(self, email: str, password: str) -> None:
        if self.switch is None:
            return
        switch = self.switch

        def done(session: object) -> None:
            self.guard.engage_foreign()  # the first one's stay parked, and what opens from them
            if self.on_switched is not None:
                self.on_switched(session)
            self.switched.emit(session)
            self.unlock()

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import sign_in_message

            exc = _kept(exc)
            self.screen.show_error(lambda: sign_in_message(exc), self.screen.other_password)

        self.ops.run(lambda: switch(email, password), on_success=done, on_error=failed,
                     parent=self.screen, label=self.tr("Signing in"), reauth=False)


def _kept(exc: BaseException) -> BaseException:
    """``exc`` (and what it was raised from) without tracebacks, kept to remake its message:
    their frames hold the password that was checked."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc
