"""The cash dialog's base: the state and widgets ``CashDialog.__init__`` builds (declared here
so every half is type-checked), the dialog fitted to its rows, and the confirmed result with
its receipt (read first when the confirm's answer came without it). Kept apart so
``cash_dialog_parts.py`` stays readable. Strings keep the ``CashDialog`` translation context."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QLabel, QPushButton

from teller_app.core.cash import CashContext, CashDraft, CashKind, CashReceipt, CashService
from teller_app.core.receipt import Receipt, ReceiptContext, build_receipt, with_till
from teller_app.core.views import CustomerView
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_approval_flow import CashApprovalFlow
from teller_app.ui.cash_dialog_keys import make_next_step
from teller_app.ui.cash_dialog_lines import fit_to_rows, show_payment
from teller_app.ui.cash_text import cash_error_text, confirmed_text
from teller_app.ui.receipt import ui_language
from teller_app.ui.receipt_dialog import ReceiptDialog


class CashDialogResult(QDialog):
    """The base of ``CashDialog`` (then ``CashDialogParts``): uses the widgets, the service
    and the state that ``CashDialog.__init__`` builds."""

    confirmed = Signal(object)  # CashReceipt
    receipt_shown = Signal(object)  # Receipt

    ops: OpRunner
    service: CashService
    customer: CustomerView
    kind: CashKind
    desk: ReceiptContext
    minor_unit: int
    asset_code: str
    context: CashContext | None
    draft: CashDraft | None
    receipt: CashReceipt | None
    receipt_dialog: ReceiptDialog | None
    void_prompt: QInputDialog | None
    approval: CashApprovalFlow | None
    note: QLabel
    error: QLabel
    confirm_button: QPushButton
    supervisor_button: QPushButton
    void_button: QPushButton
    refile_button: QPushButton
    check_button: QPushButton
    receipt_button: QPushButton
    reference: QLabel
    buttons: QDialogButtonBox
    in_doubt: bool  # the confirm's answer was lost (``CashDialogParts``)
    till_code: str  # the hub's till the cash goes through ("": not known, no hub)

    MIN_WIDTH = 520  # the form's own minimum wraps the name and the lines too narrow

    def _fit(self) -> None:
        fit_to_rows(self, self.MIN_WIDTH)

    def event(self, event: QEvent) -> bool:
        # A line shown or hidden anywhere (whoever set it) re-fits the dialog.
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return handled

    def _note(self, text: str) -> None:
        self.note.setText(text)
        self._fit()

    def _nothing_left(self) -> None:
        """The draft ended without a payment (voided, refused for good, its approval
        over): Close is what Enter does now."""
        make_next_step(self.buttons.button(QDialogButtonBox.StandardButton.Close))

    # -- confirmed, receipt -------------------------------------------------------------
    def _confirmed(self, receipt: CashReceipt) -> None:
        if self.receipt is not None:  # a re-check and a second confirm both settled it
            return
        self.receipt = receipt
        self.in_doubt = False
        self.error.clear()
        for button in (self.void_button, self.confirm_button, self.supervisor_button,
                       self.refile_button, self.check_button):
            button.hide()
        self.receipt_button.show()
        done = confirmed_text(receipt.status)
        if receipt.reconciled:
            done += " " + QCoreApplication.translate(
                "CashDialog", "The platform's answer was lost; its status shows the "
                "payment went through, so it was not sent again.")
        if receipt.till_count_pending:
            done += " " + QCoreApplication.translate(
                "CashDialog", "The till has not counted it yet: it counts it when it next "
                "reads from the Teller Hub.")
        if receipt.payment is None:
            done += " " + QCoreApplication.translate(
                "CashDialog", "The receipt could not be read yet: press Receipt… to read it.")
        self.note.setText(done)
        show_payment(self.reference, receipt.payment_guid)  # read to the customer
        self._fit()
        self.confirmed.emit(receipt)
        if receipt.payment is not None:
            self.show_receipt()

    def build_receipt(self) -> Receipt | None:
        receipt = self.receipt
        if receipt is None or receipt.payment is None:
            return None
        context = self.context
        customer = context.customer if context is not None else self.customer
        iban = context.account.iban if context is not None else ""
        desk = replace(self.desk, customer=customer.full_name or self.desk.customer,
                       iban=iban or self.desk.iban)
        return with_till(build_receipt(receipt.payment, desk, ui_language(),
                                       minor_unit=self.minor_unit,
                                       category_code=self.kind.category_code), self.till_code)

    def show_receipt(self) -> None:
        if self.receipt is not None and self.receipt.payment is None:
            self._read_receipt(self.receipt)
            return
        receipt = self.build_receipt()
        if receipt is None:
            return
        dialog = self.receipt_dialog = ReceiptDialog(receipt, self.ops, self)
        dialog.open()
        self.receipt_shown.emit(receipt)

    def _read_receipt(self, confirmed: CashReceipt) -> None:
        """The payment was confirmed but not read back: read it, then show the receipt; on
        failure say so and leave the button to try again."""
        def read(full: CashReceipt) -> None:
            self.receipt = replace(full, confirmed_by=confirmed.confirmed_by,
                                   reconciled=confirmed.reconciled,
                                   till_count_pending=confirmed.till_count_pending)
            self.error.clear()
            self.show_receipt()

        def failed(exc: BaseException) -> None:
            self.error.setText(QCoreApplication.translate(
                "CashDialog", "The receipt could not be read: %1 The payment is confirmed; "
                "press Receipt… to try again.").replace("%1", cash_error_text(exc)))
            self._fit()

        self.ops.run(lambda: self.service.receipt(confirmed.payment_guid), on_success=read,
                     on_error=failed, parent=self,
                     label=QCoreApplication.translate("CashDialog", "Reading the receipt"),
                     disable=(self.receipt_button,))
