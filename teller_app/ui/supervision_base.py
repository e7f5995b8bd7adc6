"""What every part of the supervision features shares: the window's current session, its
capabilities, the audit trail and the banner. ``Supervision`` (ui/supervision.py) builds on it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

from teller_app.core.approvals import (
    ApprovalService,
    actor_from_session,
)
from teller_app.core.audit import AuditAction
from teller_app.core.audit_desk import DeskAudit
from teller_app.core.roles import Capability
from teller_app.core.session import Session
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.cash_desk import HistoryWindows
from teller_app.ui.customer_card import CustomerCard

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger("teller_app.ui.supervision")
translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr


def audit_failure_text() -> str:
    return translate("Supervision", "The audit trail could not be written.")


class SupervisionBase(QObject):
    request_decided = Signal(object)  # HubEvent about one of this employee's requests
    # the audit's entries it could not write are all written or sent (queued, as a failure)
    _audit_written = Signal()
    _audit_written_wired = False
    # set by Supervision.__init__
    window: MainWindow
    audit: DeskAudit
    desk_id: str
    history: HistoryWindows
    _cards: list[CustomerCard]
    _processing: dict[str, str]
    _audit_failure_reported: bool

    # -- session helpers ----------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.window.session

    def can(self, capability: Capability) -> bool:
        return self.session.can(capability)

    def employee_guid(self) -> str:
        return str(self.session.employee.guid)

    def employee_email(self) -> str:
        session = self.session
        return str(session.employee.email or session.client.employee_email or "").lower()

    def record(self, action: str, *, as_employee: str | None = None,
               **details: object) -> None:
        """Audit ``action`` as the signed-in employee, or ``as_employee`` (whose window
        made it, when that may be another by now: ``DeskAudit.record``); outbox first."""
        try:
            self.audit.record(action, as_employee=as_employee, **details)
        except Exception:  # no event loop any more (shutting down)
            log.exception("audit record failed")
            self._show_audit_failure()
            return
        if self._audit_failure_reported:  # dismissed, or another message took its place
            self.window.banner.add_line(audit_failure_text(), "error")

    def _report_audit_failure(self) -> None:
        """The audit could not write an entry (``DeskAudit.on_failure``, queued): unless
        every such entry is written or sent by now, the warning is shown; it comes back at
        each action while any is left, and goes when none is (``_audit_write_cleared``)."""
        if self.audit.unwritten:
            self._show_audit_failure()

    def _show_audit_failure(self) -> None:
        if not self._audit_written_wired:
            self._audit_written.connect(self._audit_write_cleared,
                                        Qt.ConnectionType.QueuedConnection)
            self._audit_written_wired = True
        self.audit.on_written = self._audit_written.emit
        if self._audit_failure_reported:
            return
        self._audit_failure_reported = True
        self._say(audit_failure_text(), "error")

    def _audit_write_cleared(self) -> None:
        if self.audit.unwritten or not self._audit_failure_reported:
            return  # another failed since; or nothing was said
        self._audit_failure_reported = False
        self.window.banner.drop_line(audit_failure_text())

    def approvals(self) -> ApprovalService:
        session = self.session
        return ApprovalService(session.hub, actor_from_session(session), session.client,
                               desk_id=self.desk_id)

    def _record_decision(self, request: ChangeRequest) -> None:
        # The comment is free text (it may name the customer): only whether there was one.
        action = AuditAction.APPROVAL if request.state in ("approved", "applied", "failed") \
            else AuditAction.REJECTION
        self.record(action, customer_guid=request.customer_guid, request_id=request.id,
                    state=request.state, has_comment=bool(request.comment))

    def _say(self, text: str, level: str = "info") -> None:
        self.window.banner.show_message(text, level)
