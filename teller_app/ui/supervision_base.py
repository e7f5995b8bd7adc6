"""What every part of the supervision features shares: the window's current session, its
capabilities, the audit trail and the banner. ``Supervision`` (ui/supervision.py) builds on it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

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


class SupervisionBase(QObject):
    request_decided = Signal(object)  # HubEvent about one of this employee's requests
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
            self._report_audit_failure()

    def _report_audit_failure(self) -> None:
        if self._audit_failure_reported:
            return
        self._audit_failure_reported = True
        self._say(translate("Supervision", "The audit trail could not be written."), "error")

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
