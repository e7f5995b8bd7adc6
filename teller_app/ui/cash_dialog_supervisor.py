"""A supervisor confirming an over-threshold cash draft at the teller's desk: the request
filed with the hub is decided in place, or (no hub) the supervisor's own credentials confirm
the draft with a throwaway client. The outcome lands in ``CashDialog`` like any confirm's.
Strings keep the ``CashDialog`` translation context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeyEvent

from teller_app.core.cash import CashKind, CashReceipt, ConfirmFailed, ConfirmInDoubt
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.cash_dialog_lines import in_sentence
from teller_app.ui.cash_dialog_parts import CashDialogParts
from teller_app.ui.cash_text import cash_error_text
from teller_app.ui.enter_key import enter_stays_on
from teller_app.ui.money import format_money
from teller_app.ui.untrusted import fill

# (supervisor e-mail, password, payment guid) -> receipt; confirms with a throwaway client.
SupervisorConfirm = Callable[[str, str, str], Awaitable[CashReceipt]]
translate = QCoreApplication.translate  # context "CashDialog", as in CashDialog.tr


class CashDialogSupervisor(CashDialogParts):
    """The base of ``CashDialog`` after ``CashDialogParts``; uses what ``CashDialog.__init__``
    sets up."""

    supervisor_confirm: SupervisorConfirm | None
    in_place: ApproveInPlaceDialog | None

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
        there: it does not reach the dialog's default, the supervisor's button."""
        if enter_stays_on(self.focusWidget(), event):
            event.accept()
            return
        super().keyPressEvent(event)

    def open_supervisor_confirm(self) -> None:
        draft = self.draft
        if draft is None:
            return
        known = self.context.customer.full_name if self.context is not None else ""
        name = known or self.customer.display_name  # the platform's name, else the card's
        amount = format_money(draft.amount, self.minor_unit, self.asset_code)
        # whole sentences: declension
        summary = fill(translate("CashDialog", "Confirm a cash deposit of %1 for %2.")
                       if self.kind is CashKind.DEPOSIT else
                       translate("CashDialog", "Confirm a cash withdrawal of %1 for %2."),
                       amount, in_sentence(name))
        if self.approval is not None and self.approval.request is not None:
            self.approval.open_in_place(summary)  # decides the filed request
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
                    self.in_doubt_now()
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
        dialog.open()
