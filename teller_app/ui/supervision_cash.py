"""Cash from a customer card: the cash service for the signed-in employee's branch (its
processing account found once; with the hub, its limits, voids and till), the cash dialog
opened with a supervisor's confirm and in-place decision at hand, and what it confirms
audited. Strings keep the ``Supervision`` translation context."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from teller_app.core.approvals import decide_in_place
from teller_app.core.audit import AuditAction
from teller_app.core.cash import (
    CashKind,
    CashReceipt,
    CashService,
    confirm_with_credentials,
    find_processing_account,
)
from teller_app.core.roles import Capability
from teller_app.core.session import Session
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.cash_desk import desk_context
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.supervision_base import SupervisionBase

translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr


class SupervisionCash(SupervisionBase):
    # -- cash ---------------------------------------------------------------------------
    async def _cash_service_async(self) -> CashService:
        session = self.session
        branch = session.branch_guid or ""
        if branch not in self._processing:
            self._processing[branch] = await find_processing_account(session.client,
                                                                     session.branch_guid)
        return self._cash_for(session, self._processing[branch])

    def _cash_for(self, session: Session, processing: str) -> CashService:
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

    def open_cash(self, card: CustomerCard, kind: CashKind) -> None:
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
            # the dialog's employee, captured now: a confirm answered after another employee
            # took the desk over at the lock screen is still theirs (not the newcomer's)
            maker, maker_guid = self.employee_email(), self.employee_guid()
            dialog.draft_created.connect(lambda d: self.record(
                AuditAction.CASH_CREATE, as_employee=maker, customer_guid=d.customer_guid,
                payment_guid=d.payment_guid, kind=d.kind.value, amount=str(d.amount)))
            dialog.confirmed.connect(lambda r: self._cash_confirmed(card, r, maker,
                                                                    maker_guid))
            dialog.open()

        self.window.ops.run(self._cash_service_async, on_success=ready, parent=card,
                            label=translate("Supervision", "Preparing the cash desk"))

    def _cash_confirmed(self, card: CustomerCard, receipt: CashReceipt, maker: str,
                        maker_guid: str) -> None:
        self.record(AuditAction.CASH_CONFIRM, as_employee=maker,
                    confirmed_by=receipt.confirmed_by or None, customer_guid=card.guid,
                    payment_guid=receipt.payment_guid, amount=str(receipt.amount),
                    stellar_hash=receipt.stellar_hash, at_desk_of=maker_guid,
                    reconciled=receipt.reconciled)
        card.refresh()
