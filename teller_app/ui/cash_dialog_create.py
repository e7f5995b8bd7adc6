"""The cash dialog's first step, kept apart so ``cash_dialog.py`` stays readable: the amount
as typed, and creating the draft (found again, never made twice, after a lost answer); once
it exists its amount reads as money. Strings keep the ``CashDialog`` translation context."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QPushButton

from teller_app.core.cash import CashDraft, DraftNotChecked, new_cash_nonce
from teller_app.ui.cash_amount_field import set_sent, show_fixed_amount, show_fixed_purpose
from teller_app.ui.cash_dialog_lines import show_created
from teller_app.ui.cash_dialog_supervisor import CashDialogSupervisor
from teller_app.ui.cash_step_text import cash_dialog_error
from teller_app.ui.cash_text import auto_cash_reason
from teller_app.ui.money import format_money, parse_amount

translate = QCoreApplication.translate


class CashDialogCreate(CashDialogSupervisor):
    """The base of ``CashDialog`` after ``CashDialogSupervisor``; uses what
    ``CashDialog.__init__`` sets up."""

    draft_created = Signal(object)  # CashDraft

    create_button: QPushButton
    _nonce: str | None
    _uncertain: bool

    def _money(self, value: Decimal) -> str:
        return format_money(value, self.minor_unit, self.asset_code)

    def amount_value(self) -> Decimal | None:
        value = parse_amount(self.amount.text(), self.minor_unit)
        if value is None or not value.is_finite() or value <= 0:
            return None
        return value

    def create_draft(self) -> None:
        value = self.amount_value()
        if value is None or self.draft is not None:
            return
        purpose = self.purpose.text().strip()
        set_sent(self.amount, self.purpose, True)
        nonce = self._nonce = self._nonce or new_cash_nonce()
        retry = self._uncertain
        guid = self.customer.wallet_user_guid

        def done(draft: CashDraft) -> None:
            self._nonce, self._uncertain = None, False
            self.error.clear()
            self.note.clear()
            self.draft = draft
            self.create_button.hide()
            show_fixed_amount(self.amount, self._money(draft.amount))
            show_fixed_purpose(self.purpose)
            show_created(self.reference, draft.payment_guid)
            if draft.needs_supervisor and self.approval is not None:
                self.approval.file(draft, purpose or auto_cash_reason())
            elif draft.needs_supervisor:
                self.note.setText(translate(
                    "CashDialog", "Above the teller's limit: a supervisor confirms it here or "
                    "from their inbox."))
                self.supervisor_button.setVisible(self.supervisor_confirm is not None)
                self.offer_supervisor()
            else:
                self.confirm_button.show()
            self.void_button.setVisible(self.service.gate is not None)  # the hub records voids
            self._fit()
            self.draft_created.emit(draft)

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import is_connectivity_error

            self.error.setText(cash_dialog_error(exc, value, self.minor_unit, self.asset_code,
                                                 drafted=isinstance(exc, DraftNotChecked)))
            if isinstance(exc, DraftNotChecked):
                # The draft exists: Create finds this same draft and checks it again.
                self._uncertain = True
                self.note.setText(translate(
                    "CashDialog", "The draft was created (payment %1…), but it could not be "
                    "checked. Press Create again: it checks this same draft and never makes a "
                    "second one.").replace("%1", exc.payment_guid[:8]))
                self._fit()
                return
            if is_connectivity_error(exc):
                # Unknown whether the draft exists: amount and reference stay as sent, and
                # Create looks the draft up before it makes one.
                self._uncertain = True
                self.note.setText(translate(
                    "CashDialog", "It is not known whether the draft was created. Press "
                    "Create again: it finds the draft if it exists and never makes a second "
                    "one."))
                self._fit()
                return
            self._nonce, self._uncertain = None, False
            set_sent(self.amount, self.purpose, False)
            self._fit()

        shown = self.service.prepared_accounts.get(guid)  # the account the dialog showed
        self.ops.run(lambda: self.service.create(self.kind, guid, value, purpose, nonce=nonce,
                                                 retry=retry, accounts=shown),
                     on_success=done, on_error=failed, parent=self,
                     label=translate("CashDialog", "Creating the cash operation"),
                     disable=(self.create_button,), write=True)
