"""Roles-aware supervision on the main window: ``install(window)`` adds, by capability,

* Tools → Lock (Ctrl+L) for everyone, plus the idle lock (profile ``idle_lock_minutes``);
* Tools → Approvals inbox (a dock, polled on a timer; a status-bar/tray note on new requests)
  for ``DECIDE_APPROVALS``; Tools → Audit trail for ``VIEW_AUDIT``;
* on every customer card: "Request a change…" (tellers: a request, never an edit) or direct
  Disable/Enable (``APPLY_SENSITIVE_CHANGE``), a pending-request note with Withdraw, and cash
  deposit/withdrawal buttons (``CASH_CREATE``);
* audit entries for lock/unlock, sign-out, switch of employee, requests, decisions and cash.

A teller never sees an action that would only fail; the platform enforces the same rules.
The window is read lazily (``window.session`` may change through ``switch_session``).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QWidget,
)
from shiboken6 import isValid

from teller_app.core.approval_codec import ChangeRequest, Decision
from teller_app.core.approvals import (
    ApprovalService,
    actor_from_session,
    decide_with_credentials,
    pending_request,
    sensitive_fields,
)
from teller_app.core.audit import AuditAction, AuditLog
from teller_app.core.cash import (
    CashKind,
    CashReceipt,
    CashService,
    confirm_with_credentials,
    find_processing_account,
)
from teller_app.core.idle import IdleTracker
from teller_app.core.roles import Capability
from teller_app.platform.models import CustomerUpdate
from teller_app.ui.approvals_inbox import ApprovalsInbox, approval_error_text
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.audit_view import AuditView
from teller_app.ui.cash_desk import HistoryWindows, desk_context
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.change_request_dialog import ChangeRequestDialog, describe_change
from teller_app.ui.lock_screen import SessionLocker

log = logging.getLogger(__name__)


def _guid(customer: Any) -> str:
    """Customer cards may hold a platform Customer or a cache row: same attribute names."""
    return str(getattr(customer, "wallet_user_guid", "") or getattr(customer, "guid", ""))


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
    # Emitted from the audit writer thread; a queued connection brings it to the UI thread.
    _audit_write_failed = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.audit = AuditLog.for_profile(window.session.profile.name)
        self.inbox: ApprovalsInbox | None = None
        self.inbox_dock: QDockWidget | None = None
        self.audit_dock: QDockWidget | None = None
        self.locker: SessionLocker | None = None
        self._processing: dict[str, str] = {}  # branch guid -> processing account guid
        self.history = HistoryWindows()
        # The "N new change requests" notice: which requests it counts, the text shown.
        self._notice_ids: set[str] = set()
        self._notice_text = ""
        self._audit_failure_reported = False
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

    def record(self, action: str, **details: Any) -> None:
        """Audit ``action`` as the signed-in employee."""
        self.record_as(action, self.employee_guid(), **details)

    def record_as(self, action: str, actor_guid: str, **details: Any) -> None:
        """Append off the UI thread (the file lock may block), in order; a failure is logged
        and told once in the banner."""
        try:
            future = self.audit.submit(action, actor_guid, **details)
        except Exception:  # the writer is gone (interpreter shutting down)
            log.exception("audit append failed")
            self._report_audit_failure()
            return
        future.add_done_callback(self._audit_written)

    def _audit_written(self, future: Future[Any]) -> None:  # on the audit writer thread
        exc = future.exception()
        if exc is None:
            return
        log.error("audit append failed", exc_info=(type(exc), exc, exc.__traceback__))
        try:
            if isValid(self):
                self._audit_write_failed.emit()
        except RuntimeError:
            pass  # the window (and this object) was deleted meanwhile

    def _report_audit_failure(self) -> None:
        if self._audit_failure_reported:
            return
        self._audit_failure_reported = True
        self._say(self.tr("The audit trail could not be written."), "error")

    def approvals(self) -> ApprovalService:
        return ApprovalService(self.session.client, actor_from_session(self.session))

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
            if self.inbox is not None:
                self.inbox.timer.stop()
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
        if old_session is not None and old_session is not new_session:
            # Parked work resumes with a fresh sign-in; the old platform session is closed.
            self.window.ops.run(old_session.close, network=False)
        self.record_as(AuditAction.SIGN_IN, new, previous_employee=old)
        self.apply_capabilities()

    def _signed_out(self, *_args: Any) -> None:
        self.record(AuditAction.SIGN_OUT)
        self.shutdown()

    def shutdown(self) -> None:
        """Unhook what outlives a window: the idle filter on windows, the lock/inbox timers.
        Idempotent; called on close, sign-out and when the window is destroyed."""
        locker = self.locker
        if locker is not None and isValid(locker):
            locker.stop()
        inbox = self.inbox
        if inbox is not None and isValid(inbox) and isValid(inbox.timer):
            inbox.timer.stop()

    # -- inbox / audit docks ------------------------------------------------------------
    def show_inbox(self) -> None:
        if self.inbox_dock is None:
            self.inbox = ApprovalsInbox(
                self.window.ops, self.approvals,
                branch_guid=self.session.branch_guid or "", cash=self._cash_service,
            )
            self.inbox.new_requests.connect(self._notify_new_requests)
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
        self.inbox_dock.show()

    def show_audit(self) -> None:
        if self.audit_dock is None:
            view = AuditView(self.audit, self.window.ops)
            self.audit_dock = QDockWidget(self.tr("Audit trail"), self.window)
            self.audit_dock.setObjectName("auditDock")
            self.audit_dock.setWidget(view)
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit_dock)
        self.audit_dock.show()
        self.audit_dock.widget().refresh()

    def _notify_new_requests(self, requests: list[ChangeRequest]) -> None:
        self._notice_ids = {r.id for r in requests}
        text = self._notice()
        self.window.status_bar.showMessage(text, 15_000)
        self.window.banner.show_message(text, "info")
        if QSystemTrayIcon.isSystemTrayAvailable():
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

    def _record_decision(self, decision: Decision) -> None:
        action = {"approved": AuditAction.APPROVAL, "rejected": AuditAction.REJECTION}.get(
            decision.outcome, AuditAction.REQUEST_WITHDRAWN)
        # The comment is free text (it may name the customer): only whether there was one.
        self.record_as(action, decision.decider_guid, customer_guid=decision.customer_guid,
                       request_id=decision.request_id, has_comment=bool(decision.comment),
                       comment_length=len(decision.comment or ""))

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
        customer = card.customer
        request = pending_request(customer)
        if request is not None:
            note = QLabel(self.tr("Awaiting approval: %1").replace(
                "%1", describe_change(request.change)))
            note.setObjectName("pendingRequestNote")
            layout.addWidget(note)
            if request.maker_guid == self.employee_guid():
                withdraw = QPushButton(self.tr("Withdraw request"))
                withdraw.setObjectName("withdrawRequestButton")
                withdraw.clicked.connect(lambda: self.withdraw(card, request))
                layout.addWidget(withdraw)
        if self.can(Capability.APPLY_SENSITIVE_CHANGE):
            label = self.tr("Enable customer") if customer.is_disabled else self.tr(
                "Disable customer")
            toggle = QPushButton(label)
            toggle.setObjectName("toggleDisabledButton")
            toggle.clicked.connect(lambda: self.apply_directly(card))
            layout.addWidget(toggle)
        elif self.can(Capability.REQUEST_SENSITIVE_CHANGE) and request is None:
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

    def apply_directly(self, card: Any) -> None:
        """A supervisor's own change: applied, audited, no request."""
        customer = card.customer
        target = not customer.is_disabled

        def done(_result: Any) -> None:
            self.record(AuditAction.CUSTOMER_EDIT, customer_guid=_guid(customer),
                        fields=["is_disabled"], is_disabled=target)
            card.refresh()

        self.window.ops.run(
            lambda: self.session.client.update_customer(
                _guid(customer), CustomerUpdate(is_disabled=target)),
            on_success=done, parent=card, label=self.tr("Saving"))

    def open_change_request(self, card: Any, preset: dict[str, Any] | None = None) -> None:
        dialog = ChangeRequestDialog(card.customer, preset, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda change, reason, in_place: self.file_request(
            card, dialog, change, reason, in_place))
        dialog.open()

    def file_request(self, card: Any, dialog: ChangeRequestDialog, change: dict[str, Any],
                     reason: str, in_place: bool) -> None:
        customer = card.customer
        marked = self.session.profile.sensitive_changes
        if not sensitive_fields(customer, change, marked):
            dialog.show_error(self.tr("This change does not need approval; edit it directly."))
            return
        service = self.approvals()

        def filed(request: ChangeRequest) -> None:
            self.record(AuditAction.CHANGE_REQUEST, customer_guid=_guid(customer),
                        request_id=request.id, change=request.change)
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
            "%1", describe_change(request.change)).replace("%2", request.reason)
        dialog = ApproveInPlaceDialog(summary, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        profile = self.session.profile

        def decided(outcome: str, email: str, password: str, comment: str) -> None:
            def done(decision: Decision) -> None:
                self._record_decision(decision)
                dialog.accept()
                if parent is not None:
                    parent.accept()
                self._say(self.tr("Approved and applied.") if outcome == "approved"
                          else self.tr("Rejected."))
                card.refresh()

            self.window.ops.run(
                lambda: decide_with_credentials(profile, email, password,
                                                request.customer_guid, request.id, outcome,
                                                comment),
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

        def done(decision: Decision) -> None:
            self._record_decision(decision)
            card.refresh()

        self.window.ops.run(
            lambda: service.withdraw(request.customer_guid, request.id), on_success=done,
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

            dialog = CashDialog(self.window.ops, service, card.customer, kind,
                                supervisor_confirm=supervisor_confirm,
                                desk=desk_context(self.session, card.customer),
                                parent=self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.draft_created.connect(lambda d: self.record(
                AuditAction.CASH_CREATE, customer_guid=d.customer_guid,
                payment_guid=d.payment_guid, kind=d.kind.value, amount=str(d.amount)))
            dialog.confirmed.connect(lambda r: self._cash_confirmed(card, r))
            dialog.open()

        self.window.ops.run(self._cash_service_async, on_success=ready, parent=card,
                            label=self.tr("Preparing the cash desk"))

    def _cash_confirmed(self, card: Any, receipt: CashReceipt) -> None:
        self.record_as(AuditAction.CASH_CONFIRM, receipt.confirmed_by or self.employee_guid(),
                       customer_guid=_guid(card.customer),
                       payment_guid=receipt.payment_guid, amount=str(receipt.amount),
                       stellar_hash=receipt.stellar_hash, at_desk_of=self.employee_guid(),
                       reconciled=receipt.reconciled)
        card.refresh()
