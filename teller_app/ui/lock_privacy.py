"""Nothing outside the lock screen names a customer while the desk is locked.

The banner lives in the page the lock screen covers (main_window), so it is hidden with the
work and whatever it is told meanwhile shows after unlock. The status bar sits outside the
page: its notice ("Changed without approval: <login>") is taken down on lock, notices that
arrive while locked are held back, and the last one comes back when the same employee
unlocks (never for another employee who signs in on the lock screen)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar, QWidget
from shiboken6 import isValid

from teller_app.ui.lock_screen import SessionLocker

NOTICE_MS = 15_000  # as long as supervision shows a notice


def desk_locker(window: QWidget) -> SessionLocker | None:
    """The window's session locker (supervision installs it), if any."""
    locker = getattr(getattr(window, "supervision", None), "locker", None)
    return locker if isinstance(locker, SessionLocker) and isValid(locker) else None


class LockPrivacy(QObject):
    def __init__(self, status_bar: QStatusBar, locker: SessionLocker) -> None:
        super().__init__(status_bar)
        self.status_bar = status_bar
        self.locker = locker
        self._held = ""  # the notice taken down or held back while locked
        self._locked_by = ""  # who locked (employee guid)
        self._own = ""  # the desk's own text (names no customer): shown even while locked
        locker.locked.connect(self._locked)
        locker.unlocked.connect(self._unlocked)
        status_bar.messageChanged.connect(self._message_changed)

    def say(self, text: str) -> None:
        """Show the desk's own status text (no customer data), locked or not."""
        self._own = text
        self.status_bar.showMessage(text)

    def unsay(self, text: str) -> None:
        if self._own == text:
            self._own = ""
            if self.status_bar.currentMessage() == text:
                self.status_bar.clearMessage()

    def _locked(self) -> None:
        self._locked_by = self.locker.employee_guid()
        self._hold(self.status_bar.currentMessage())

    def _unlocked(self, guid: str) -> None:
        held, self._held = self._held, ""
        if held and guid == self._locked_by and not self.status_bar.currentMessage():
            self.status_bar.showMessage(held, NOTICE_MS)

    def _message_changed(self, text: str) -> None:
        if self.locker.is_locked:
            self._hold(text)

    def _hold(self, text: str) -> None:
        if text and text != self._own:
            self._held = text
            self.status_bar.clearMessage()  # emits messageChanged("") again: nothing to hold
