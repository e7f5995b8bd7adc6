"""Roles-aware supervision on the main window: ``install(window)`` adds, by capability,

* Tools → Lock (Ctrl+L) for everyone, plus the idle lock (profile ``idle_lock_minutes``);
* the hub's live event feed (SSE, reconnect + resume): supervisors get the Approvals inbox
  (a dock; new requests and "unapproved change" alerts are announced in the status bar,
  banner and tray); everyone sees the decision on their own requests at once;
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
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QWidget,
)
from shiboken6 import isValid

from teller_app.core.approvals import (
    ApprovalService,
    actor_from_session,
    decide_in_place,
)
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.audit import AuditAction
from teller_app.core.audit_desk import DeskAudit
from teller_app.core.cash import (
    CashKind,
    CashReceipt,
    CashService,
    confirm_with_credentials,
    find_processing_account,
)
from teller_app.core.idle import IdleTracker
from teller_app.core.roles import Capability
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.platform.models import CustomerUpdate
from teller_app.ui.approvals_inbox import (
    ApprovalsInbox,
    approval_error_text,
    lookup_customer_names,
    lookup_employee_names,
)
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.audit_view import AuditView
from teller_app.ui.cash_desk import HistoryWindows, desk_context
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.change_request_dialog import ChangeRequestDialog, describe_change
from teller_app.ui.lock_screen import SessionLocker

log = logging.getLogger(__name__)
OWN_DECISION_KINDS = frozenset({"request.approved", "request.rejected", "request.applied",
                                "request.failed"})


def _guid(customer: Any) -> str:
    """Customer cards may hold a platform Customer or a cache row: same attribute names."""
    return str(getattr(customer, "wallet_user_guid", "") or getattr(customer, "guid", ""))


def desk_id() -> str:
    return socket.gethostname()[:64]


def install(window: Any) -> Supervision:
    supervision = Supervision(window)
    supervision.install()
    window.supervision = supervision
    return supervision


async def verify_password(profile: Any, email: str, password: str) -> bool:
    """True when the platform (or, for a Mode-B profile, the hub) accepts ``password`` for
    ``email`` (a throwaway login)."""
    from teller_app.core.session import verify_password as verify

    return await verify(profile, email, password)


class Supervision(QObject):
    # The audit worker may fail off the UI flow; a queued connection reports it once.
    _audit_write_failed = Signal()
    request_decided = Signal(object)  # HubEvent about one of this employee's requests

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        session = window.session
        self.desk_id = desk_id()
        self.audit = DeskAudit(session.profile.name, session.hub, self.desk_id)
        self.audit.on_failure = self._audit_write_failed.emit
        self.inbox: ApprovalsInbox | None = None
        self.inbox_dock: QDockWidget | None = None
        self.audit_dock: QDockWidget | None = None
        self.locker: SessionLocker | None = None
        self.feed: EventFeed | None = None
        self._feed_task: asyncio.Task[None] | None = None
        self._processing: dict[str, str] = {}  # branch guid -> processing account guid
        self.history = HistoryWindows(lambda: self.window.cache_worker)
        # The "N new change requests" notice: which requests it counts, the text shown.
        self._notice_ids: set[str] = set()
        self._notice_text = ""
        self._audit_failure_reported = False
        self._cards: list[Any] = []  # decorated customer cards (to refresh on a decision)
        self._closing = False
        self._audit_write_failed.connect(self._report_audit_failure,
                                         Qt.ConnectionType.QueuedConnection)

    # -- session helpers ----------------------------------------------------------------
    @property
    def session(self) -> Any:
        return self.window.session

    def can(self, capability: Capability) -> bool:
        session = self.session
        return session is not None and session.can(capability)

    def employee_guid(self) -> str:
        session = self.session
        return str(session.employee.guid) if session is not None else ""

    def employee_email(self) -> str:
        session = self.session
        if session is None:
            return ""
        return str(session.employee.email or session.client.employee_email or "").lower()

    def record(self, action: str, **details: Any) -> None:
        """Audit ``action`` as the signed-in employee (outbox first, then the hub)."""
        try:
            self.audit.record(action, **details)
        except Exception:  # no event loop any more (shutting down)
            log.exception("audit record failed")
            self._report_audit_failure()

    def _report_audit_failure(self) -> None:
        if self._audit_failure_reported:
            return
        self._audit_failure_reported = True
        self._say(self.tr("The audit trail could not be written."), "error")

    def approvals(self) -> ApprovalService:
        session = self.session
        return ApprovalService(session.hub, actor_from_session(session), session.client,
                               desk_id=self.desk_id)

    # -- live events ----------------------------------------------------------------------
    def start_feed(self) -> None:
        """One SSE stream per window (the session's hub link); reconnects by itself."""
        self.stop_feed()
        link = getattr(self.session, "hub", None)
        if link is None:
            return
        self.feed = EventFeed(link)
        feed = self.feed
        loop = asyncio.get_event_loop()
        self._feed_task = loop.create_task(feed.run(self._on_event, self._on_feed_state))

    def stop_feed(self) -> asyncio.Task[None] | None:
        """Stop the stream; returns the task to await when the caller can (app exit)."""
        task = self._feed_task
        if self.feed is not None:
            self.feed.stop()
        if task is not None and not task.done():
            task.cancel()
        self.feed = None
        self._feed_task = None
        return task

    async def aclose(self) -> None:
        """Stop the stream and send what the outbox holds (bounded): before the loop ends."""
        task = self.stop_feed()
        if task is not None:
            await asyncio.wait([task], timeout=5)
        await self.audit.aclose()

    def _on_feed_state(self, connected: bool) -> None:
        if not isValid(self):
            return
        inbox = self.inbox
        if inbox is not None and isValid(inbox):
            inbox.set_live(connected)

    def _on_event(self, event: HubEvent) -> None:
        if not isValid(self):
            return
        inbox = self.inbox
        if inbox is not None and isValid(inbox):
            inbox.on_event(event)
        mine = (event.maker or "").lower() == self.employee_email()
        if mine and event.kind in OWN_DECISION_KINDS | {"request.withdrawn"}:
            self._tell_maker(event)

    def _tell_maker(self, event: HubEvent) -> None:
        """The teller sees their request's decision at once (status bar + banner)."""
        text, level = {
            "request.applied": (self.tr("Your change request was approved and applied."),
                                "success"),
            "request.approved": (self.tr("Your change request was approved."), "info"),
            "request.rejected": (self.tr("Your change request was rejected."), "warning"),
            "request.failed": (self.tr("Your change request was approved, but the platform "
                                       "refused it."), "error"),
            "request.withdrawn": (self.tr("Your change request was withdrawn."), "info"),
        }[event.kind]
        self.window.status_bar.showMessage(text, 15_000)
        self._say(text, level)
        self.request_decided.emit(event)
        for card in self._open_cards():
            if _guid(card.customer) == (event.customer_guid or ""):
                card.refresh()

    def _open_cards(self) -> list[Any]:
        self._cards = [c for c in self._cards if isValid(c)]
        return list(self._cards)

    # -- install ------------------------------------------------------------------------
    def install(self) -> None:
        tools = self.window.menu_tools
        self.lock_action = QAction(self.tr("Lock the session"), self.window)
        self.lock_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_now)
        self.inbox_action = QAction(self.tr("Approvals inbox"), self.window)
        self.inbox_action.triggered.connect(self.show_inbox)
        self.audit_action = QAction(self.tr("Audit trail"), self.window)
        self.audit_action.triggered.connect(self.show_audit)
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
            on_switched=self._switched,
        )
        self.locker.locked.connect(lambda: self.record(AuditAction.LOCK))
        self.locker.unlocked.connect(lambda _guid: self.record(AuditAction.UNLOCK))
        self.locker.start()

        self.window.customer_card_opened.connect(self.decorate_card)
        self.window.signed_out.connect(self._signed_out)
        changed = getattr(self.window, "session_switched", None)
        if changed is not None:
            changed.connect(lambda *_: self.apply_capabilities())
        self.start_feed()
        self.apply_capabilities()

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
        session = self.session
        return session.employee.display_name if session is not None else ""

    async def _verify_current(self, password: str) -> bool:
        session = self.session
        email = session.employee.email or session.client.employee_email
        from teller_app.ui import lock_modes  # platform or hub, as this profile signs in

        return await lock_modes.verify_password(session.profile, email, password)

    async def _open_other_session(self, email: str, password: str) -> Any:
        from teller_app.ui import lock_modes

        return await lock_modes.open_other_session(self.session.profile, email, password)

    def _switched(self, new_session: Any) -> None:
        old = self.employee_guid()
        old_session = self.session
        new = str(new_session.employee.guid)
        self.record(AuditAction.SWITCH_EMPLOYEE, to_employee=new)
        # The window parks the leaving employee's tabs and restores the arriving one's.
        self.window.switch_session(new_session)
        audit = self.audit

        async def hand_over() -> None:
            # what the leaving employee did goes out with their hub session, then theirs
            # is closed (parked work resumes with a fresh sign-in)
            await audit.set_link(getattr(new_session, "hub", None))
            audit.record(AuditAction.SIGN_IN, previous_employee=old)
            if old_session is not None and old_session is not new_session:
                await old_session.close()

        self.window.ops.run(hand_over, network=False)
        self.start_feed()
        self.apply_capabilities()

    def _signed_out(self, *_args: Any) -> None:
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
        if not self._closing:
            self._closing = True
            with contextlib.suppress(RuntimeError):  # no event loop any more
                asyncio.get_event_loop().create_task(self.audit.aclose())

    # -- inbox / audit docks ------------------------------------------------------------
    def show_inbox(self) -> None:
        if self.inbox_dock is None:
            self.inbox = ApprovalsInbox(self.window.ops, self.approvals, cash=self._cash_service)
            self.inbox.new_requests.connect(self._notify_new_requests)
            self.inbox.alert_raised.connect(self._notify_alert)
            self.inbox.pending_changed.connect(self._pending_changed)
            self.inbox.decided.connect(self._record_decision)
            self.inbox.cash_confirmed.connect(
                lambda r: self.record(AuditAction.CASH_CONFIRM, payment_guid=r.payment_guid,
                                      amount=str(r.amount), stellar_hash=r.stellar_hash))
            self.inbox.message.connect(lambda text: self._say(text, "info"))
            self.inbox_dock = QDockWidget(self.tr("Approvals"), self.window)
            self.inbox_dock.setObjectName("approvalsDock")
            self.inbox_dock.setWidget(self.inbox)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inbox_dock)
            # A default width its table fits in (the user can still drag the splitter).
            self.window.resizeDocks([self.inbox_dock], [self.window.width() * 9 // 20],
                                    Qt.Orientation.Horizontal)
            self.inbox.start()
            self.inbox.show_live(self.feed is not None and self.feed.connected)
        self.inbox_dock.show()

    def show_audit(self) -> None:
        if self.audit_dock is None:
            client = self.session.client
            branches = [] if self.session.is_head_office else None
            view = AuditView(
                lambda: getattr(self.session, "hub", None), self.window.ops, branches=branches,
                employee_names=lambda e: lookup_employee_names(client, e),
                customer_names=lambda g: lookup_customer_names(client, g))
            if branches is not None:
                self.window.ops.run(client.list_branches, on_success=lambda found: [
                    view.branch.addItem(b.name or b.guid, b.guid)
                    for b in found if not b.is_deleted], parent=view,
                    label=self.tr("Reading branches"))
            self.audit_dock = QDockWidget(self.tr("Audit trail"), self.window)
            self.audit_dock.setObjectName("auditDock")
            self.audit_dock.setWidget(view)
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit_dock)
        self.audit_dock.show()
        self.audit_dock.widget().refresh()

    def _notify_new_requests(self, requests: list[ChangeRequest]) -> None:
        self._notice_ids |= {r.id for r in requests}
        self._announce(self._notice(), "info")

    def _notify_alert(self, event: HubEvent) -> None:
        who = event.login or event.customer_guid or ""
        self._announce(self.tr("Changed without approval: %1").replace("%1", who), "warning")

    def _announce(self, text: str, level: str) -> None:
        self.window.status_bar.showMessage(text, 15_000)
        self.window.banner.show_message(text, level)
        # The teller's Settings (sounds, notifications); a bare window (tests) has none.
        desk = getattr(self.window, "desk", None)
        sounds, notify = (desk.settings.sounds, desk.settings.notifications) if desk else (
            False, True)
        if sounds:
            QApplication.beep()
        if notify and QSystemTrayIcon.isSystemTrayAvailable():
            tray = getattr(self, "_tray", None) or QSystemTrayIcon(self.window.windowIcon(), self)
            self._tray = tray
            tray.show()
            tray.showMessage(self.tr("Teller"), text)

    def _notice(self) -> str:
        self._notice_text = self.tr("%n new change request(s) to decide", "",
                                    len(self._notice_ids))
        return self._notice_text

    def _pending_changed(self, pending_ids: list[str]) -> None:
        """Requests decided (here or elsewhere) leave the notice at once: it shows the new
        count, or goes away when none of the announced requests is left."""
        remaining = self._notice_ids & set(pending_ids)
        if remaining == self._notice_ids:
            return
        shown = self._notice_text
        self._notice_ids = remaining
        status_bar = self.window.status_bar
        banner = getattr(self.window, "banner", None)
        ours_in_status = bool(shown) and status_bar.currentMessage() == shown
        ours_in_banner = bool(shown) and banner is not None and banner.text() == shown
        if not remaining:
            self._notice_text = ""
            if ours_in_status:
                status_bar.clearMessage()
            if ours_in_banner and banner is not None:
                banner.clear()
            return
        text = self._notice()
        if ours_in_status:
            status_bar.showMessage(text, 15_000)
        if ours_in_banner and banner is not None:
            banner.show_message(text, "info")

    def _record_decision(self, request: ChangeRequest) -> None:
        # The comment is free text (it may name the customer): only whether there was one.
        action = AuditAction.APPROVAL if request.state in ("approved", "applied", "failed") \
            else AuditAction.REJECTION
        self.record(action, customer_guid=request.customer_guid, request_id=request.id,
                    state=request.state, has_comment=bool(request.comment))

    def _say(self, text: str, level: str = "info") -> None:
        banner = getattr(self.window, "banner", None)
        if banner is not None:
            banner.show_message(text, level)

    # -- customer card ------------------------------------------------------------------
    def decorate_card(self, card: Any) -> None:
        """Add this module's buttons to a customer card; rebuilt when the card's data changes."""
        box = QWidget(card)
        box.setObjectName("supervisionActions")
        QHBoxLayout(box).setContentsMargins(0, 0, 0, 0)
        card.actions_layout.addWidget(box)
        self._fill_card_actions(card, box)
        changed = getattr(card, "customer_changed", None)
        if changed is not None:
            changed.connect(lambda _c: self._fill_card_actions(card, box))

    def _fill_card_actions(self, card: Any, box: QWidget) -> None:
        layout = box.layout()
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if card not in self._cards:
            self._cards.append(card)
        customer = card.customer
        if self.can(Capability.APPLY_SENSITIVE_CHANGE):
            label = self.tr("Enable customer") if customer.is_disabled else self.tr(
                "Disable customer")
            toggle = QPushButton(label)
            toggle.setObjectName("toggleDisabledButton")
            toggle.clicked.connect(lambda: self.apply_directly(card))
            layout.addWidget(toggle)
        elif self.can(Capability.REQUEST_SENSITIVE_CHANGE):
            ask = QPushButton(self.tr("Request a change…"))
            ask.setObjectName("requestChangeButton")
            ask.clicked.connect(lambda: self.open_change_request(card))
            layout.addWidget(ask)
        if self.can(Capability.CASH_CREATE):
            for kind, text in ((CashKind.DEPOSIT, self.tr("Cash deposit…")),
                               (CashKind.WITHDRAWAL, self.tr("Cash withdrawal…"))):
                button = QPushButton(text)
                button.setObjectName(f"cash_{kind.value}_button")
                button.clicked.connect(lambda _=False, k=kind: self.open_cash(card, k))
                layout.addWidget(button)
        history = QPushButton(self.tr("Account history…"))
        history.setObjectName("accountHistoryButton")
        history.clicked.connect(lambda: self.history.open(self.window.ops, self.session, card,
                                                          self.window, history))
        layout.addWidget(history)
        self._show_my_requests(card, box)

    def _show_my_requests(self, card: Any, box: QWidget) -> None:
        """This employee's pending requests for the customer (from the hub), with Withdraw."""
        if getattr(self.session, "hub", None) is None:
            return
        service = self.approvals()
        guid = _guid(card.customer)

        def shown(requests: list[ChangeRequest]) -> None:
            if not isValid(box):
                return
            layout = box.layout()
            for request in requests:
                note = QLabel(self.tr("Awaiting approval: %1").replace(
                    "%1", describe_change(request.displayed_change())))
                note.setObjectName("pendingRequestNote")
                layout.insertWidget(0, note)
                withdraw = QPushButton(self.tr("Withdraw request"))
                withdraw.setObjectName("withdrawRequestButton")
                withdraw.clicked.connect(lambda _=False, r=request: self.withdraw(card, r))
                layout.insertWidget(1, withdraw)

        self.window.ops.run(lambda: service.mine(guid), on_success=shown,
                            on_error=lambda exc: log.info("own requests not read: %s",
                                                          type(exc).__name__),
                            parent=card, label=self.tr("Reading your requests"))

    def apply_directly(self, card: Any) -> None:
        """A checker's own change: through the one pipeline (a checker writes directly)."""
        customer = card.customer
        target = not customer.is_disabled
        service = self.window.service

        def done(_result: Any) -> None:
            self.record(AuditAction.CUSTOMER_EDIT, customer_guid=_guid(customer),
                        fields=["is_disabled"], is_disabled=target)
            card.refresh()

        self.window.ops.run(
            lambda: service.update(_guid(customer), CustomerUpdate(is_disabled=target),
                                   customer),
            on_success=done, on_error=lambda exc: self._say(approval_error_text(exc), "error"),
            parent=card, label=self.tr("Saving"))

    def open_change_request(self, card: Any, preset: dict[str, Any] | None = None) -> None:
        dialog = ChangeRequestDialog(card.customer, preset, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda change, reason, in_place: self.file_request(
            card, dialog, change, reason, in_place))
        dialog.open()

    def file_request(self, card: Any, dialog: ChangeRequestDialog, change: dict[str, Any],
                     reason: str, in_place: bool) -> None:
        customer = card.customer
        service = self.approvals()

        def filed(request: ChangeRequest) -> None:
            self.record(AuditAction.CHANGE_REQUEST, customer_guid=_guid(customer),
                        request_id=request.id, fields=sorted(request.change))
            if in_place:
                dialog.hide()
                self.open_in_place(card, request, dialog)
            else:
                dialog.accept()
                self._say(self.tr("Sent to a supervisor for approval."))
                card.refresh()

        self.window.ops.run(
            lambda: service.file_request(_guid(customer), change, reason),
            on_success=filed, on_error=lambda exc: dialog.show_error(
                approval_error_text(exc)),
            parent=dialog, label=self.tr("Sending the request"))

    def open_in_place(self, card: Any, request: ChangeRequest, parent: Any = None) -> None:
        summary = self.tr("%1\nReason: %2").replace(
            "%1", describe_change(request.displayed_change())).replace("%2", request.reason)
        dialog = ApproveInPlaceDialog(summary, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        profile = self.session.profile

        def decided(outcome: str, email: str, password: str, comment: str) -> None:
            def done(result: ChangeRequest) -> None:
                self._record_decision(result)
                dialog.accept()
                if parent is not None:
                    parent.accept()
                self._say(self.tr("Approved and applied.") if outcome == "approved"
                          else self.tr("Rejected."))
                card.refresh()

            # the checker's session decides this request only and is logged out right after
            self.window.ops.run(
                lambda: decide_in_place(profile, email, password, request, outcome, comment),
                on_success=done,
                on_error=lambda exc: dialog.show_error(approval_error_text(exc)),
                parent=dialog, label=self.tr("Supervisor deciding"), reauth=False)

        def cancelled() -> None:
            # The request stays filed: a supervisor can still decide it from the inbox.
            if parent is not None:
                parent.accept()
            card.refresh()

        dialog.decided.connect(decided)
        dialog.rejected.connect(cancelled)
        dialog.open()

    def withdraw(self, card: Any, request: ChangeRequest) -> None:
        service = self.approvals()

        def done(result: ChangeRequest) -> None:
            self.record(AuditAction.REQUEST_WITHDRAWN, customer_guid=result.customer_guid,
                        request_id=result.id)
            card.refresh()

        self.window.ops.run(
            lambda: service.withdraw(request), on_success=done,
            on_error=lambda exc: self._say(approval_error_text(exc), "error"),
            parent=card, label=self.tr("Withdrawing"))

    # -- cash ---------------------------------------------------------------------------
    async def _cash_service_async(self) -> CashService:
        session = self.session
        branch = session.branch_guid or ""
        if branch not in self._processing:
            self._processing[branch] = await find_processing_account(session.client,
                                                                     session.branch_guid)
        return self._cash_for(session, self._processing[branch])

    def _cash_for(self, session: Any, processing: str) -> CashService:
        from teller_app.ui.till_desk import hub_cash  # the hub's limits, voids, till

        cash = hub_cash(session)
        return CashService(
            session.client, session.branch_guid or "", processing,
            session.profile.cash_confirm_threshold,
            session.can(Capability.CASH_CONFIRM_ANY_AMOUNT), policy=cash, gate=cash,
        )

    def _cash_service(self) -> CashService | None:
        """For the inbox's drafts list (confirming needs no processing account)."""
        session = self.session
        processing = self._processing.get(session.branch_guid or "", "")
        return self._cash_for(session, processing)

    def open_cash(self, card: Any, kind: CashKind) -> None:
        def ready(service: CashService) -> None:
            profile = self.session.profile
            branch = self.session.branch_guid

            async def supervisor_confirm(email: str, password: str, guid: str) -> CashReceipt:
                return await confirm_with_credentials(profile, email, password, guid, branch)

            async def in_place(email: str, password: str, request: ChangeRequest,
                               outcome: str, comment: str) -> ChangeRequest:
                return await decide_in_place(profile, email, password, request, outcome,
                                             comment)

            # with the hub, an over-threshold draft is a four-eyes request (issue 15)
            hub = self.approvals() if self.session.hub is not None else None
            dialog = CashDialog(self.window.ops, service, card.customer, kind,
                                supervisor_confirm=supervisor_confirm, approvals=hub,
                                decide_in_place=in_place,
                                desk=desk_context(self.session, card.customer),
                                parent=self.window)
            self.request_decided.connect(dialog.on_hub_event)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.draft_created.connect(lambda d: self.record(
                AuditAction.CASH_CREATE, customer_guid=d.customer_guid,
                payment_guid=d.payment_guid, kind=d.kind.value, amount=str(d.amount)))
            dialog.confirmed.connect(lambda r: self._cash_confirmed(card, r))
            dialog.open()

        self.window.ops.run(self._cash_service_async, on_success=ready, parent=card,
                            label=self.tr("Preparing the cash desk"))

    def _cash_confirmed(self, card: Any, receipt: CashReceipt) -> None:
        self.record(AuditAction.CASH_CONFIRM, confirmed_by=receipt.confirmed_by or None,
                       customer_guid=_guid(card.customer),
                       payment_guid=receipt.payment_guid, amount=str(receipt.amount),
                       stellar_hash=receipt.stellar_hash, at_desk_of=self.employee_guid(),
                       reconciled=receipt.reconciled)
        card.refresh()
