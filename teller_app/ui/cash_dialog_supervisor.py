"""A supervisor confirming an over-threshold cash draft at the teller's desk: the request
filed with the hub is decided in place, or (no hub) the supervisor's own credentials confirm
the draft with a throwaway client. The outcome lands in ``CashDialog`` like any confirm's.
The supervisor reads what they decide as in the inbox (``approvals_detail``): the customer,
the teller who asked and when, the operation, the reason. Cancelled, the keyboard is back in
the cash dialog. Strings keep the ``CashDialog`` translation context."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPushButton

from teller_app.core.approvals import CASH_CONFIRM
from teller_app.core.cash import CashKind, CashReceipt, ConfirmFailed, ConfirmInDoubt
from teller_app.core.receipt import mask_iban
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_detail import summary_text
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.cash_dialog_parts import CashDialogParts
from teller_app.ui.cash_text import auto_cash_reason, cash_error_text, kind_text
from teller_app.ui.enter_key import enter_stays_on
from teller_app.ui.focus_return import give_focus_back
from teller_app.ui.money import format_money
from teller_app.ui.untrusted import fill, shown_lines
from teller_app.ui.validators import isolate

# (supervisor e-mail, password, payment guid) -> receipt; confirms with a throwaway client.
SupervisorConfirm = Callable[[str, str, str], Awaitable[CashReceipt]]
translate = QCoreApplication.translate  # context "CashDialog", as in CashDialog.tr


def cash_change_text(kind: CashKind, amount: str, account: str) -> str:
    """The operation as the change decided: "Cash deposit 12 000.00 UAH to ‹account›" (the
    inbox's "Cash deposit: 12 000.00 UAH" when the account was not read)."""
    if not account:
        return f"{kind_text(kind.value)}: {amount}"
    if kind is CashKind.DEPOSIT:  # whole phrases: "to" and "from" decline differently
        return fill(translate("CashDialog", "Cash deposit %1 to %2"), amount, account)
    return fill(translate("CashDialog", "Cash withdrawal %1 from %2"), amount, account)


class CashDialogSupervisor(CashDialogParts):
    """The base of ``CashDialog`` after ``CashDialogParts``; uses what ``CashDialog.__init__``
    sets up."""

    supervisor_confirm: SupervisorConfirm | None
    in_place: ApproveInPlaceDialog | None
    amount: QLineEdit
    purpose: QLineEdit

    def offer_supervisor(self) -> None:
        """A draft waits for a supervisor at this desk: their button is the next step, so it
        takes the focus and Enter (in the amount field too, where nothing is left to submit;
        as in ``till_dialog.next_step``). Confirm and Void are never the default."""
        button = self.supervisor_button
        if not button.isHidden():
            button.setDefault(True)
            button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a focused button that does not take it (Confirm, Void, Close) stays
        there: it does not reach the dialog's default, the supervisor's button. The focused
        default (Confirm, Close: ``cash_dialog_keys``) is the one it reaches anyway."""
        focused = self.focusWidget()
        if enter_stays_on(focused, event) and not (
                isinstance(focused, QPushButton) and focused.isDefault()):
            event.accept()
            return
        super().keyPressEvent(event)

    def in_place_summary(self) -> str:
        """What the supervisor decides, in the inbox's order: the customer (with the login),
        the teller at this desk and when they asked, the operation, the reason."""
        draft = self.draft
        if draft is None:
            return ""
        known = self.context.customer.full_name if self.context is not None else ""
        name = known or self.customer.display_name  # the platform's name, else the card's
        account = self.context.account if self.context is not None else None
        shown_account = (mask_iban(account.iban) or account.guid) if account is not None else ""
        filed = self.approval.request if self.approval is not None else None
        request = filed or ChangeRequest(  # not filed (no hub): as this desk would file it now
            id="", kind=CASH_CONFIRM, customer_guid=draft.customer_guid, created_at=time.time(),
            reason=self.purpose.text().strip() or auto_cash_reason())
        before = request.before or {}
        login = before.get("login") or self.customer.login or (  # the hub's, the card's
            self.context.customer.login if self.context is not None else "")  # the platform's
        if login and not before.get("login"):
            request = request.model_copy(update={"before": {**before, "login": login}})
        amount = format_money(draft.amount, self.minor_unit, self.asset_code)
        teller = self.desk.teller or request.maker  # the maker's e-mail when filed
        return shown_lines(summary_text(  # the teller's reason: kept to its lines
            request, customer=isolate(name), maker=isolate(teller),
            described=cash_change_text(self.kind, amount, shown_account)))

    def in_place_cancelled(self) -> None:
        """The supervisor cancelled: the keyboard comes back here (no window manager, or one
        that activates nothing, left it nowhere), on their button to open it again, else on
        the amount."""
        if not self.isVisible():
            return
        button = self.supervisor_button
        give_focus_back(button if button.isVisible() and button.isEnabled() else self.amount)

    def open_supervisor_confirm(self) -> None:
        draft = self.draft
        if draft is None:
            return
        summary = self.in_place_summary()
        if self.approval is not None and self.approval.request is not None:
            opened = self.approval.open_in_place(summary)  # decides the filed request
            if opened is not None:
                opened.rejected.connect(self.in_place_cancelled)
            return
        if self.supervisor_confirm is None:
            return
        confirm = self.supervisor_confirm
        dialog = self.in_place = ApproveInPlaceDialog(summary, self, allow_reject=False)

        def decided(_outcome: str, email: str, password: str, _comment: str) -> None:
            def done(receipt: CashReceipt) -> None:
                dialog.accept()
                self._confirmed(receipt)

            def failed(exc: BaseException) -> None:
                if isinstance(exc, ConfirmInDoubt):  # sent, its answer lost: read, never void
                    dialog.accept()
                    self.in_doubt_now(exc)
                elif isinstance(exc, ConfirmFailed):  # refused for good: nothing to retry
                    dialog.accept()
                    self.refused_for_good(exc)
                else:
                    dialog.show_error(cash_error_text(exc))

            self.ops.run(lambda: self.service.supervised(
                draft.payment_guid, lambda: confirm(email, password, draft.payment_guid),
                amount=draft.amount, kind=draft.kind),
                on_success=done, on_error=failed, parent=dialog,
                label=translate("CashDialog", "Supervisor confirming"), reauth=False, write=True)

        dialog.decided.connect(decided)
        dialog.rejected.connect(self.in_place_cancelled)
        dialog.open()
