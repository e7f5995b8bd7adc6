"""The till on the main window: a Till menu (open, vault transfer, close with the
end-of-day report; the branch cash position for supervisors), the lease heartbeat, and the
hub's cash controls handed to the cash dialog (``hub_cash``) and to history
(``voided_lookup``). Without a Teller Hub the menu says so and the desk works as before."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu
from shiboken6 import isValid

from teller_app.core.roles import Capability
from teller_app.core.till import BranchPosition, Till, TillService
from teller_app.platform.errors import Conflict
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.language_watch import watch_language
from teller_app.ui.menu_reach import reach_disabled
from teller_app.ui.people_lookup import lookup_employee_names
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_dialog import ReportDialog, TillOpenDialog
from teller_app.ui.till_hub import DESK_ID as DESK_ID  # importable here
from teller_app.ui.till_hub import hub_cash as hub_cash  # importable here
from teller_app.ui.till_hub import report_context as report_context  # importable here
from teller_app.ui.till_hub import voided_lookup as voided_lookup  # importable here
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_text import is_closed_state
from teller_app.ui.till_transfer import TransferDialog
from teller_app.ui.till_vault_count import VaultCountDialog
from teller_app.ui.till_windows import release_on_close

if TYPE_CHECKING:  # the window installs this module
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)
HEARTBEAT_MS = 30_000
# the dialogs a supervisor's decision reads again (each has ``on_decided``)
DECIDING = (TillCloseDialog, TillOpenDialog, TransferDialog, VaultCountDialog)
# decisions on the teller's own till: the Till menu follows them at once (not the heartbeat)
MENU_MOVES = frozenset({"open_cosign", "close_cosign", "transfer"})
# dynamic properties of a till dialog: its ``finished`` hooked (once); it ended, so a
# decision is never queued for it (``TillDesk.till_decided``)
_HOOKED, _DONE = "tellerTillDecidedHooked", "tellerTillDecidedDone"


class TillDesk(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.till: Till | None = None
        self.last_closed: str | None = None  # the till closed in this window by:
        self._employee = ""  # (another employee's sign-in here forgets it)
        self.dialog: QDialog | None = None
        # decisions that came while a till dialog was hidden (the lock screen): told when
        # it shows again
        self._told_later: dict[QDialog, list[HubEvent]] = {}
        self._teller = False  # the Till menu's teller actions are shown (``apply``)
        self._menu_due = False  # the till read again this turn of the loop (``menu_soon``)
        # reads of the till (the menu's, the heartbeat's) are numbered: an answer from a read
        # sent before the state shown was learned is older than it and is dropped
        self._reads = self._shown_read = 0
        self.menu = menu = QMenu(window)
        menu.setObjectName("menuTill")
        menu.setToolTipsVisible(True)  # why the report is greyed out (``_report_tip``)
        reach_disabled(menu)  # and the arrow keys reach it, to hear why
        help_menu = window.desk.menu_help.menuAction()  # Help stays the last menu
        window.menuBar().insertMenu(help_menu, menu)
        self.open_action = QAction(window)
        self.transfer_action = QAction(window)
        self.close_action = QAction(window)
        self.report_action = QAction(window)
        self.position_action = QAction(window)
        self.report_action.setEnabled(False)  # until a till is closed in this window
        self.retranslate()
        watch_language(window, self.retranslate)
        for action, slot in ((self.open_action, self.open_till),
                             (self.transfer_action, self.transfer),
                             (self.close_action, self.close_till),
                             (self.report_action, self.report),
                             (self.position_action, self.position)):
            action.triggered.connect(slot)
            menu.addAction(action)
        self.timer = QTimer(self)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.heartbeat)
        window.session_switched.connect(lambda *_: self.apply())
        self.apply()

    def retranslate(self) -> None:
        self.menu.setTitle(self.tr("T&ill"))
        self.open_action.setText(self.tr("&Open the till…"))
        self.transfer_action.setText(self.tr("Vault &transfer…"))
        self.close_action.setText(self.tr("&Close the till…"))
        self.report_action.setText(self.tr("End-of-day &report…"))
        self.position_action.setText(self.tr("Branch cash &position…"))
        self._report_tip()

    def _report_tip(self) -> None:
        """The report is of the till closed in this window: the hub lists no teller's closed
        tills, so after a restart it is greyed out, and the tip says why."""
        tip = "" if self.report_action.isEnabled() else self.tr(
            "The end-of-day report opens after you close your till in this window. The "
            "report of a till closed before the desk was restarted is not offered here.")
        self.report_action.setToolTip(tip)
        self.report_action.setStatusTip(tip)

    def service(self) -> TillService | None:
        cash = hub_cash(self.window.session)
        return cash.till if cash is not None else None

    def apply(self) -> None:
        session = self.window.session
        has_hub = session.hub is not None
        teller = has_hub and session.can(Capability.CASH_CREATE)
        for action in (self.open_action, self.transfer_action, self.close_action,
                       self.report_action):
            action.setVisible(teller)
        self.position_action.setVisible(has_hub and session.can(Capability.DECIDE_APPROVALS))
        self.till = None
        self.timer.stop()
        self._teller = teller
        if self._signed_in() != self._employee:  # another employee:
            self._employee = self._signed_in()  # the till closed before
            self.last_closed = None  # is not theirs to report (nor to be named in it)
            self.report_action.setEnabled(False)
            self._report_tip()
        # an answer to a read sent before the switch (a heartbeat's: not keyed) is the
        # previous session's till: dropped
        self._shown_read = self._reads
        if teller:
            self._read_till()

    def _read_till(self, reauth: bool = True) -> None:
        """The teller's current till, for the menu (keyed: a newer read cancels an older
        one, so a session switched meanwhile never gets the older session's till).
        ``reauth`` False: nobody asked (a live event), so an expired session asks for no
        password."""
        service = self.service()
        if service is not None:
            self.window.ops.run(service.current, on_success=self._read_answer(),
                                on_error=self._not_read,
                                parent=self.window, network=False, reauth=reauth,
                                key=f"till-menu-{id(self)}")

    def _not_read(self, exc: BaseException) -> None:
        """The till could not be read (the hub unreachable at sign-in): the heartbeat's
        ticks read it again, so a later answer shows it and the lease is kept (the desk
        never heartbeated until a teller's step took the till)."""
        log.info("no till state: %s", exc)
        if self._teller and self.till is None and not self.timer.isActive():
            self.timer.start()

    def menu_soon(self) -> None:
        """A decision moved this teller's till: the menu reads it once this turn of the
        loop (several events, one read), not at the next heartbeat."""
        if self._teller and not self._menu_due:
            self._menu_due = True
            QTimer.singleShot(0, self, self._menu_now)

    def _menu_now(self) -> None:
        self._menu_due = False
        if self._teller:  # still a teller's session (a switch meanwhile re-read it)
            self._read_till(reauth=False)

    def _read_answer(self) -> Callable[[Till | None], None]:
        self._reads += 1
        number = self._reads

        def answered(till: Till | None) -> None:
            if number > self._shown_read:
                self._set_till(till, number)
        return answered

    def _set_till(self, till: Till | None, read: int | None = None) -> None:
        # a dialog's own answer (``read`` None) is the newest the desk knows
        self._shown_read = self._reads if read is None else read
        self.till = till
        closed = till is None or is_closed_state(till.state)
        if closed:
            self.timer.stop()
        elif not self.timer.isActive():
            # started once: every answer (a decision's read too) restarting it could put
            # the lease's heartbeat off for as long as answers keep coming
            self.timer.start()
        self.transfer_action.setEnabled(till is not None and till.state == "open")
        self.close_action.setEnabled(not closed)
        self.open_action.setEnabled(closed)
        self.report_action.setEnabled(self.last_closed is not None)
        self._report_tip()

    def heartbeat(self) -> None:
        """Keep this desk's lease on the till: sent only while this desk holds it (the till
        service knows from the hub's last answer; a desk the teller is merely signed in at
        never takes the till by a heartbeat). Refused because another desk holds it
        (``till_elsewhere``), nothing more is sent until a step here takes the till back;
        the Till menu's steps say where the till is."""
        service = self.service()
        if service is None:
            return
        if self.till is None:  # not read yet (it failed): read now, its answer goes on
            self._read_till(reauth=False)
            return
        answered = self._read_answer()

        def beat(till: Till | None) -> None:
            if till is not None:  # None: not sent, this desk does not hold the till
                answered(till)

        self.window.ops.run(service.heartbeat, on_success=beat, on_error=self._beat_failed,
                            parent=self.window, network=False, reauth=False)

    def _beat_failed(self, exc: BaseException) -> None:
        log.info("till heartbeat failed: %s", exc)
        if isinstance(exc, Conflict) and exc.reason != "till_elsewhere":
            self.menu_soon()  # the hub says no till: the menu shows it (no more beats)

    # -- live (the hub's till events, ``till_live``; an older hub sends none) -------------
    def position_moved(self, branch_guid: str | None = None) -> None:
        """Till work waits or was decided: an open branch cash position reads again (once
        this turn of the loop, its selection kept); head office's view of another branch
        is not (``branch_guid``: the event's, when it says)."""
        for view in self.window.findChildren(BranchCashView):
            if branch_guid is None or view.branch_guid in (None, branch_guid):
                view.refresh_soon()  # a hidden one (the lock screen) reads when shown again

    def till_decided(self, event: HubEvent) -> None:
        """A supervisor decided this teller's till work: the open till dialog it concerns
        checks again, as its own button would (each matches its till, transfer or vault
        count); one hidden by the lock screen, when it shows again. The Till menu follows a
        decision on the till at once."""
        if event.what in MENU_MOVES:
            self.menu_soon()
        for dialog in self.window.findChildren(QDialog):
            if not isinstance(dialog, DECIDING):
                continue
            self._hook(dialog)
            if dialog.isVisible():
                dialog.setProperty(_DONE, None)  # shown again (``open()`` once more)
                dialog.on_decided(event)
            elif not dialog.property(_DONE):  # a closed dialog is told nothing, ever
                if dialog not in self._told_later:
                    dialog.installEventFilter(self)
                    dialog.destroyed.connect(
                        lambda _obj=None, gone=dialog: self._told_later.pop(gone, None))
                self._told_later.setdefault(dialog, []).append(event)

    def _hook(self, dialog: QDialog) -> None:
        """Once per dialog: when it ends (closed, done, accepted) it is done with, its
        queue dropped and nothing queued for it again (until its deferred delete, or for
        good: a dialog not opened from the Till menu is not deleted here)."""
        if dialog.property(_HOOKED):
            return
        dialog.setProperty(_HOOKED, True)
        dialog.finished.connect(lambda _result, ended=dialog: self._ended(ended))

    def _ended(self, dialog: QDialog) -> None:
        self._told_later.pop(dialog, None)
        if isValid(dialog):
            dialog.setProperty(_DONE, True)
            dialog.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, DECIDING):
            watched.removeEventFilter(self)
            for decided in self._told_later.pop(watched, []):
                QTimer.singleShot(0, watched, lambda d=decided, w=watched: w.on_decided(d))
        return super().eventFilter(watched, event)

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        if isinstance(dialog, DECIDING):
            self._hook(dialog)  # closed before any decision comes: never told later
        # a new window each time: the closed one goes (``till_windows``); hidden by the
        # lock screen it is not closed, and stays
        release_on_close(dialog, self.window.ops, lambda: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: QDialog) -> None:
        self._told_later.pop(dialog, None)
        if self.dialog is dialog:
            self.dialog = None

    def open_till(self) -> None:
        service = self.service()
        if service is not None:
            profile = self.window.session.profile

            async def cosign_here(email: str, password: str, till_id: str) -> Till:
                from teller_app.core.till_cosign import cosign_with_credentials

                return await cosign_with_credentials(profile, email, password, till_id)

            dialog = TillOpenDialog(self.window.ops, service, parent=self.window,
                                    cosign_here=cosign_here)
            dialog.opened.connect(self._set_till)
            self._show(dialog)

    def transfer(self) -> None:
        service = self.service()
        if service is not None:
            self._show(TransferDialog(self.window.ops, service, parent=self.window))

    def close_till(self) -> None:
        service = self.service()
        if service is None:
            return

        def ready(till: Till | None) -> None:
            if till is None:
                self._set_till(None)
                return
            profile = self.window.session.profile

            async def cosign_here(email: str, password: str, till_id: str,
                                  counted: Decimal) -> Till:
                from teller_app.core.till_cosign import cosign_close_with_credentials

                return await cosign_close_with_credentials(profile, email, password, till_id,
                                                           counted)

            dialog = TillCloseDialog(self.window.ops, service, till,
                                     report_context(self.window.session), parent=self.window,
                                     cosign_here=cosign_here)
            dialog.waiting.connect(self._set_till)
            dialog.closed.connect(self._closed)
            self._show(dialog)

        self.window.ops.run(service.current, on_success=ready, parent=self.window,
                            label=self.tr("Reading the till"))

    def _closed(self, till: Till) -> None:
        """A close dialog closed ``till``: its report is offered only to its own teller
        signed in here (a dialog of the employee signed in before, its answer landing after
        a switch, offered nothing; nor does it say the new employee's till closed)."""
        if till.teller.strip().lower() != self._signed_in():
            self.menu_soon()
            return
        self.last_closed = till.id
        self._set_till(None)

    def _signed_in(self) -> str:
        return (self.window.session.employee.email or "").strip().lower()

    def report(self) -> None:
        service, till_id = self.service(), self.last_closed
        if service is None or till_id is None:
            return
        ctx = report_context(self.window.session)
        self.window.ops.run(lambda: service.end_of_day(till_id, ctx.people),
                            on_success=lambda r: self._show(ReportDialog(r, ctx, self.window.ops,
                                                                      self.window)),
                            parent=self.window, label=self.tr("Reading the report"))

    def position(self) -> None:
        service = self.service()
        if service is None:
            return
        profile = self.window.session.profile

        async def cosign_here(email: str, password: str, count_id: str) -> BranchPosition:
            from teller_app.core.till_cosign import cosign_vault_with_credentials

            return await cosign_vault_with_credentials(profile, email, password, count_id)

        session = self.window.session
        client = session.client
        view = BranchCashView(
            self.window.ops, service, session.branch_guid, parent=self.window,
            vault_cosign_here=cosign_here,
            employee_names=lambda emails: lookup_employee_names(client, emails))
        if session.employee.display_name:  # who counted the vault is often who is signed in
            view.names[session.employee.email.lower()] = session.employee.display_name
        self._show(view)


def install(window: MainWindow) -> TillDesk:
    desk = window.till_desk = TillDesk(window)
    return desk
