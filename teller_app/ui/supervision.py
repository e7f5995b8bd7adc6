"""Roles-aware supervision on the main window: ``install(window)`` adds, by capability,

* Tools → Lock (Ctrl+L) for everyone, plus the idle lock (profile ``idle_lock_minutes``);
* the hub's live event feed (SSE, reconnect + resume: ``supervision_feed``): supervisors get
  the Approvals inbox (a dock; new requests are announced in the banner and tray,
  "unapproved change" alerts in the status bar too); everyone sees the decision on their
  own requests at once (``supervision_notices``);
* Tools → Audit trail for ``VIEW_AUDIT`` (read from the hub);
* on every customer card: "Request a change…" (tellers: a request on the hub, never a write)
  or direct Disable/Enable for checkers, the maker's pending request with Withdraw, and cash
  deposit/withdrawal buttons (``CASH_CREATE``);
* audit entries (sign-in/out, lock, edits, requests, decisions, cash) through the encrypted
  outbox to the hub's log (``core.audit_desk``).

A teller never sees an action that would only fail; the hub and the platform enforce the
same rules. The window is read lazily (``window.session`` may change: ``switch_session``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QSystemTrayIcon
from shiboken6 import isValid

from teller_app.core.audit import AuditAction
from teller_app.core.audit_desk import DeskAudit, desk_id_for
from teller_app.core.idle import IdleTracker
from teller_app.core.roles import Capability
from teller_app.core.session import Session
from teller_app.platform import Branch
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.audit_view import AuditView
from teller_app.ui.cash_desk import HistoryWindows
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.dock_focus import bring_forward
from teller_app.ui.dock_share import DockShare
from teller_app.ui.language_watch import watch_language
from teller_app.ui.lock_focus import focus_home
from teller_app.ui.lock_screen import SessionLocker
from teller_app.ui.main_window_leaving import finish_leavers_writes
from teller_app.ui.people_lookup import lookup_customer_names, lookup_employee_names
from teller_app.ui.supervision_feed import OWN_DECISION_KINDS as OWN_DECISION_KINDS
from teller_app.ui.supervision_feed import SupervisionFeed
from teller_app.ui.till_live import TillLive

if TYPE_CHECKING:
    from teller_app.core.cash_types import CashReceipt
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)
INBOX_KEY = "Ctrl+Shift+I"  # Tools → Approvals inbox (listed by F1 from the menu)


def desk_id() -> str:
    return desk_id_for(socket.gethostname())


def install(window: MainWindow) -> Supervision:
    supervision = Supervision(window)
    supervision.install()
    window.supervision = supervision
    return supervision


class Supervision(SupervisionFeed):
    # The audit worker may fail off the UI flow; a queued connection reports it once.
    _audit_write_failed = Signal()
    # Defaults for a Supervision made without __init__ (bare-window tests)
    inbox_dock: QDockWidget | None = None
    _inbox_count = 0  # requests listed in the inbox (the dock's title shows it)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        session = window.session
        self.desk_id = desk_id()
        self.audit = DeskAudit(session.profile.name, session.hub, self.desk_id,
                               employee=session.employee.email)
        self.audit.on_failure = self._audit_write_failed.emit
        self.inbox: ApprovalsInbox | None = None
        self.inbox_dock = None
        self.audit_dock: QDockWidget | None = None
        self.locker: SessionLocker | None = None
        self.feed = None
        self._feed_task = None
        self._feeds_ending = set()
        self._processing: dict[str, str] = {}  # branch guid -> processing account guid
        self.history = HistoryWindows(lambda: self.window.cache_worker)
        # The "N new change requests" notice: which requests it counts, the text shown.
        self._notice_ids: set[str] = set()
        self._notice_text = ""
        self._audit_failure_reported = False
        self._cards: list[CustomerCard] = []  # decorated cards (to refresh on a decision)
        self._cards_due: dict[str, bool] = {}  # read again at the next turn of the loop
        self._closing = False
        self._audit_closing: asyncio.Task[None] | None = None
        # switched-away employees' sessions closing (each after its audit hand-over): tasks
        # of their own, so a sign-out cancelling the window's ops never skips a close
        self._leavers_closing: set[asyncio.Task[None]] = set()
        self._tray: QSystemTrayIcon | None = None
        self.tray_text = ""  # the tray's last message, as shown
        self._audit_view: AuditView | None = None
        # till work waiting for a supervisor, and its decisions (a newer hub's events)
        self.till_live = TillLive(window, self.employee_email, self._announce,
                                  lambda emails: lookup_employee_names(self.session.client,
                                                                       emails))
        self._audit_write_failed.connect(self._report_audit_failure,
                                         Qt.ConnectionType.QueuedConnection)

    async def aclose(self) -> None:
        """Stop the stream and send what the outbox holds (bounded): before the loop ends."""
        task = self.stop_feed()
        if task is not None:
            await asyncio.wait([task], timeout=5)
        await self.audit.aclose()

    # -- install ------------------------------------------------------------------------
    def install(self) -> None:
        tools = self.window.menu_tools
        self.lock_action, self.inbox_action, self.audit_action = (
            QAction(self.window), QAction(self.window), QAction(self.window))
        self.lock_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_now)
        self.inbox_action.setShortcut(QKeySequence(INBOX_KEY))
        self.inbox_action.triggered.connect(self.open_inbox)
        self.audit_action.triggered.connect(self.open_audit)
        self.retranslate()
        watch_language(self.window, self.retranslate)
        tools.addSeparator()
        for action in (self.lock_action, self.inbox_action, self.audit_action):
            tools.addAction(action)
        self.window.addAction(self.lock_action)  # Ctrl+L even with the menu bar disabled

        session = self.session
        tracker = IdleTracker(session.profile.idle_lock_minutes)
        self.locker = SessionLocker(
            self.window.central_stack, tracker, self._verify_current, self.window.ops,
            window=self.window, employee_guid=self.employee_guid,
            employee_label=self._employee_label, switch=self._open_other_session,
            on_switched=self._switched, home=lambda: focus_home(self.window),
        )
        self.locker.locked.connect(lambda: self.record(AuditAction.LOCK))
        self.locker.unlocked.connect(lambda _guid: self.record(AuditAction.UNLOCK))
        self.locker.start()

        self.window.customer_card_opened.connect(self.decorate_card)
        self.window.signed_out.connect(self._signed_out)
        self.window.session_switched.connect(lambda *_: self.apply_capabilities())
        self.start_feed()
        self.apply_capabilities()

    def retranslate(self) -> None:
        self.lock_action.setText(self.tr("&Lock the session"))
        self.inbox_action.setText(self.tr("Approvals &inbox"))
        self.audit_action.setText(self.tr("&Audit trail"))
        for dock, title in ((self.inbox_dock, self._inbox_title()),
                            (self.audit_dock, self.tr("Audit trail"))):
            if dock is not None:
                dock.setWindowTitle(title)

    def _inbox_title(self) -> str:
        """"Approvals (3)": what waits is seen even with the dock tabbed or the list scrolled."""
        if not self._inbox_count:
            return self.tr("Approvals")
        return self.tr("Approvals (%1)").replace("%1", str(self._inbox_count))

    def apply_capabilities(self) -> None:
        """Show exactly what the signed-in employee's roles allow."""
        decide = self.can(Capability.DECIDE_APPROVALS)
        self.inbox_action.setVisible(decide)
        self.audit_action.setVisible(self.can(Capability.VIEW_AUDIT))
        if decide:
            self.show_inbox()
        elif self.inbox_dock is not None:
            self._drop_dock("inbox")
        if not self.can(Capability.VIEW_AUDIT) and self.audit_dock is not None:
            self._drop_dock("audit")

    def _retire_docks(self) -> list[QDockWidget]:
        """Take the inbox and audit docks off the window at once (hidden, silent); deleted
        once the leaving employee's writes finish (a late answer lands nowhere)."""
        retired = [d for d in (self.inbox_dock, self.audit_dock) if d is not None]
        for dock in retired:
            dock.widget().blockSignals(True)
            dock.hide()
            self.window.removeDockWidget(dock)
        self.inbox_dock = self.inbox = self.audit_dock = self._audit_view = None
        self._notice_ids, self._notice_text = set(), ""  # their "N new requests"
        return retired

    def _drop_dock(self, which: str) -> None:
        if which == "inbox" and self.inbox_dock is not None:
            self.inbox_dock.deleteLater()
            self.inbox_dock = self.inbox = None
        if which == "audit" and self.audit_dock is not None:
            self.audit_dock.deleteLater()
            self.audit_dock = None

    # -- lock ---------------------------------------------------------------------------
    def lock_now(self) -> None:
        if self.locker is not None:
            self.locker.lock()

    def _employee_label(self) -> str:
        return self.session.employee.display_name

    async def _verify_current(self, password: str) -> bool:
        session = self.session
        email = session.employee.email or session.client.employee_email
        from teller_app.ui import lock_modes  # platform or hub, as this profile signs in

        return await lock_modes.verify_password(session.profile, email, password)

    async def _open_other_session(self, email: str, password: str) -> Session:
        from teller_app.ui import lock_modes

        return await lock_modes.open_other_session(self.session.profile, email, password)

    def _switched(self, new_session: Session) -> None:
        old = self.employee_guid()
        old_session = self.session
        # the leaving employee's writes on their way (the newcomer has started none yet)
        writes = self.window.ops.running_writes()
        new = str(new_session.employee.guid)
        self.record(AuditAction.SWITCH_EMPLOYEE, to_employee=new)
        audit = self.audit
        # From here on the newcomer's entries are theirs (stamped now, sent with their
        # session), even while the leaving employee's still go out with the old session.
        handing = audit.switch(new_session.hub, employee=new_session.employee.email)
        self.record(AuditAction.SIGN_IN, previous_employee=old)
        # the leaving employee's inbox (rows, comment) and audit trail (rows, filters) go
        # with them; the newcomer's are made afresh (apply_capabilities, Tools)
        retired = self._retire_docks() if new != old else []
        # The window parks the leaving employee's tabs and restores the arriving one's.
        self.window.switch_session(new_session)

        async def close_leaver() -> None:
            # what the leaving employee did goes out with their hub session (or is left in
            # the outbox when the hand-over is cut off at close), and the writes they sent
            # finish with it (bounded, as at sign-out), then theirs is closed (parked work
            # resumes with a fresh sign-in)
            await asyncio.wait([handing])
            await finish_leavers_writes(writes)
            for dock in retired:  # once their writes (a decision sent) have answered
                if isValid(dock):
                    dock.deleteLater()
            if old_session is not new_session:
                await old_session.close()

        closing = asyncio.get_event_loop().create_task(close_leaver())
        self._leavers_closing.add(closing)
        closing.add_done_callback(self._leavers_closing.discard)
        # the op only watches it: cancelling the op (a sign-out) never cuts the close off
        self.window.ops.run(lambda: asyncio.shield(closing), network=False)
        self.start_feed()
        self.apply_capabilities()

    def _signed_out(self, *_args: object) -> None:
        self.record(AuditAction.SIGN_OUT)
        self.shutdown()

    def shutdown(self) -> None:
        """Unhook what outlives a window: the idle filter on windows, the event stream, the
        audit worker (after what it holds is in the outbox and, if it can be, on the hub).
        Idempotent; called on close, sign-out and when the window is destroyed."""
        locker = self.locker
        if locker is not None and isValid(locker):
            locker.stop()
        self.stop_feed()
        self.audit.on_failure = self.audit.on_written = None  # no window to tell after this
        if not self._closing:
            self._closing = True
            with contextlib.suppress(RuntimeError):  # no event loop any more
                self._audit_closing = asyncio.get_event_loop().create_task(self.audit.aclose())

    async def wait_closed(self) -> None:
        """After ``shutdown``: until the audit worker has put what it holds in the outbox and
        tried the hub (bounded by ``DeskAudit.aclose``). The window awaits it before its
        session closes and the app's loop ends, so no flush is cut off mid-flight; and until
        the event stream is closed (bounded)."""
        task = self._audit_closing
        if task is not None and not task.done():
            await asyncio.wait([task])
        await self.wait_feeds_ended()
        if self._leavers_closing:  # the audit's hand-overs are over: their sessions close
            await asyncio.wait(list(self._leavers_closing))

    # -- inbox / audit docks ------------------------------------------------------------
    def open_inbox(self, *, select: bool = True) -> None:
        """Tools → Approvals inbox: the dock in front and its list under the keyboard (the
        first request selected when none is, unless ``select`` is False)."""
        if self.locker is None or not self.locker.is_locked:  # nothing shows over the lock
            self.show_inbox()
            if self.inbox_dock is not None and self.inbox is not None:
                bring_forward(self.inbox_dock, self.inbox.table, select=select)

    def open_audit(self) -> None:
        """Tools → Audit trail, the same way (the first entry once read again)."""
        if self.locker is None or not self.locker.is_locked:
            self.show_audit()
            view = self._audit_view
            if self.audit_dock is not None and view is not None:
                bring_forward(self.audit_dock, view.table, loaded=view.loaded)

    def show_inbox(self) -> None:
        if self.inbox_dock is None:
            self.inbox = ApprovalsInbox(self.window.ops, self.approvals, cash=self._cash_service,
                                        own_email=self.employee_email)
            self.inbox.new_requests.connect(self._notify_new_requests)
            self.inbox.alert_raised.connect(self._notify_alert)
            self.inbox.pending_changed.connect(self._pending_changed)
            self.inbox.decided.connect(self._record_decision)
            self.inbox.drafts.cash_confirmed.connect(self._inbox_cash_confirmed)
            self.inbox.message.connect(lambda text: self._say(text, "info"))
            self._inbox_count = 0
            self.inbox_dock = QDockWidget(self._inbox_title(), self.window)
            self.inbox_dock.setObjectName("approvalsDock")
            self.inbox_dock.setWidget(self.inbox)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inbox_dock)
            # A width its table fits in, leaving a card beside it whole (the user can still
            # drag the splitter)
            DockShare(self.window, self.inbox_dock).share_first()
            self.inbox.start()
            self.inbox.show_live(self.feed is not None and self.feed.connected)
        self.inbox_dock.show()

    def _inbox_cash_confirmed(self, receipt: CashReceipt, customer_guid: str) -> None:
        """A draft confirmed from the inbox: its row names the draft's customer too (the
        trail tells whose cash it was from this row alone, as a card's confirm does)."""
        self.record(AuditAction.CASH_CONFIRM, customer_guid=customer_guid or None,
                    payment_guid=receipt.payment_guid, amount=str(receipt.amount),
                    stellar_hash=receipt.stellar_hash)

    def show_audit(self) -> None:
        if self.audit_dock is None:
            client = self.session.client
            branches: list[tuple[str, str]] | None = [] if self.session.is_head_office else None
            view = AuditView(  # names looked up with the session of the moment (never a
                lambda: self.session.hub, self.window.ops, branches=branches,  # leaver's)
                employee_names=lambda e: lookup_employee_names(self.session.client, e),
                customer_names=lambda g: lookup_customer_names(self.session.client, g))
            if branches is not None:
                def listed(found: list[Branch]) -> None:
                    for b in found:
                        if not b.is_deleted:
                            view.branch.addItem(b.name or b.guid, b.guid)

                self.window.ops.run(client.list_branches, on_success=listed, parent=view,
                                    label=self.tr("Reading branches"))
            self.audit_dock = QDockWidget(self.tr("Audit trail"), self.window)
            self.audit_dock.setObjectName("auditDock")
            self.audit_dock.setWidget(view)
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit_dock)
            self._audit_view = view
        self.audit_dock.show()
        if self._audit_view is not None:
            self._audit_view.refresh()

    def _notify_new_requests(self, requests: list[ChangeRequest]) -> None:
        self._notice_ids |= {r.id for r in requests}
        # said once: in the banner, which follows the count (``_pending_changed``)
        self._announce(self._notice(), "info", status_bar=False)

    def _notice(self) -> str:
        # kept in this class: lupdate reads a plural form (%n) only from self.tr
        self._notice_text = self.tr("%n new change request(s) to decide", "",
                                    len(self._notice_ids))
        return self._notice_text

    def _pending_changed(self, pending_ids: list[str]) -> None:
        """Requests decided (here or elsewhere) leave the notice at once: it shows the new
        count, or goes away when none of the announced requests is left."""
        self._inbox_count = len(pending_ids)
        if self.inbox_dock is not None:
            self.inbox_dock.setWindowTitle(self._inbox_title())
        remaining = self._notice_ids & set(pending_ids)
        if remaining == self._notice_ids:
            return
        shown = self._notice_text
        self._notice_ids = remaining
        banner = self.window.banner
        ours_in_banner = bool(shown) and banner.text() == shown
        if not remaining:
            self._notice_text = ""
            if ours_in_banner:
                banner.clear()
            return
        text = self._notice()
        if ours_in_banner:
            banner.show_message(text, "info")
