"""Supervision telling the employee: the decision on their own request (status bar,
banner, the open card read again) and the watcher's alerts (changed without approval, a
phone number another customer holds); every announcement
goes to the status bar, the banner, a beep and the tray (which names nobody while the desk is
locked). Strings keep the ``Supervision`` translation context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from shiboken6 import isValid

from teller_app.core.approvals import CASH_CONFIRM
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approvals_alerts import is_phone_duplicate
from teller_app.ui.supervision_cards import SupervisionCards
from teller_app.ui.untrusted import shown

if TYPE_CHECKING:
    from teller_app.ui.lock_screen import SessionLocker

translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr


class SupervisionNotices(SupervisionCards):
    # set by Supervision.__init__
    locker: SessionLocker | None
    _tray: QSystemTrayIcon | None
    tray_text: str

    def _tell_maker(self, event: HubEvent) -> None:
        """The teller sees their request's decision at once (status bar + banner): a cash
        confirmation's in its own words (it is no change request)."""
        cash = self._cash_decision_texts() if event.request_kind == CASH_CONFIRM else {}
        text, level = cash.get(event.kind) or {
            "request.applied": (
                translate("Supervision", "Your change request was approved and applied."),
                "success"),
            "request.approved": (
                translate("Supervision", "Your change request was approved."), "info"),
            # the hub stopped before applying it: an approver must resume it
            "request.interrupted": (
                translate("Supervision", "Your change request was approved, waiting to be "
                          "applied."), "warning"),
            "request.rejected": (
                translate("Supervision", "Your change request was rejected."), "warning"),
            "request.failed": (
                translate("Supervision", "Your change request was approved, but the platform "
                          "refused it."), "error"),
            "request.withdrawn": (self._withdrawn_text(event), "info"),
        }[event.kind]
        if event.kind == "request.failed":  # ended before anything was sent: not "refused"
            from teller_app.ui.approvals_drift import not_applied_text

            text = not_applied_text(event.result, event.before) or text
        self.window.status_bar.showMessage(text, 15_000)
        self._say(text, level)
        self.request_decided.emit(event)
        self.refresh_cards_of(event.customer_guid or "")  # once, never a parked card

    @staticmethod
    def _cash_decision_texts() -> dict[str, tuple[str, str]]:
        return {
            "request.applied": (
                translate("Supervision", "A supervisor approved your cash operation and it "
                          "was confirmed."), "success"),
            "request.approved": (
                translate("Supervision", "A supervisor approved your cash operation."), "info"),
            "request.interrupted": (
                translate("Supervision", "A supervisor approved your cash operation; it is "
                          "waiting to be confirmed."), "warning"),
            "request.rejected": (
                translate("Supervision", "Your cash operation was not approved."), "warning"),
            "request.failed": (
                translate("Supervision", "A supervisor approved your cash operation, but it "
                          "could not be confirmed."), "error"),
            # the hub's event names no cause: the teller's withdrawal, their void of the
            # draft and the till's close all end a cash request so
            "request.withdrawn": (
                translate("Supervision", "Your cash confirmation request ended without being "
                          "decided."), "info"),
        }

    @staticmethod
    def _withdrawn_text(event: HubEvent) -> str:
        """A change request that left the queue undecided: only its maker withdraws one; no
        kind (an older hub's event): it may have been a cash request, ended otherwise."""
        if not event.request_kind:
            return translate("Supervision", "Your request ended without being decided.")
        return translate("Supervision", "Your change request was withdrawn.")

    def _notify_alert(self, event: HubEvent) -> None:
        # the event's words (a DCM login): one line, clipped, isolated; the banner is plain
        # and adds its own break points
        who = shown(event.login or event.customer_guid or "", 120, breaks=False)
        if is_phone_duplicate(event.reasons):
            text = translate("Supervision", "Another customer has the same phone number as %1")
        else:
            text = translate("Supervision", "Changed without approval: %1")
        self._announce(text.replace("%1", who), "warning")

    def _announce(self, text: str, level: str, *, status_bar: bool = True,
                  banner_line: bool = False, locked_text: str = "") -> None:
        """``banner_line``: added to the banner as one line among others (a notice taken
        back when it no longer holds: ``till_live``), not in place of what it says;
        ``locked_text``: the tray's neutral words while locked (else a request's or an
        alert's, by ``level``)."""
        if status_bar:  # not for a notice the banner keeps up to date by itself
            self.window.status_bar.showMessage(text, 15_000)
        if banner_line:
            self.window.banner.add_line(text, level)
        else:
            self.window.banner.show_message(text, level)
        if not self.window.isActiveWindow():
            QApplication.alert(self.window)  # the taskbar entry flashes until looked at
        from teller_app.ui.desk import DeskHooks  # the teller's Settings (sounds, notices)

        desk = self.window.findChild(DeskHooks)  # a bare window (tests) has none
        sounds, notify = (desk.settings.sounds, desk.settings.notifications) if desk else (
            False, True)
        if sounds:
            QApplication.beep()
        if notify and QSystemTrayIcon.isSystemTrayAvailable():
            tray = self._tray or QSystemTrayIcon(self.window.windowIcon(), self)
            self._tray = tray
            tray.show()
            self.tray_text = self._tray_text(text, level, locked_text)
            tray.showMessage(translate("Supervision", "Teller"), self.tray_text)

    def _tray_text(self, text: str, level: str, locked_text: str = "") -> str:
        """Outside the lock screen: while locked, no customer or login (ui/lock_privacy)."""
        locker = self.locker
        if locker is None or not isValid(locker) or not locker.is_locked:
            return text
        if locked_text:
            return locked_text
        if level in ("warning", "error"):
            return translate("Supervision", "A new alert is waiting.")
        return translate("Supervision", "A new request is waiting.")
