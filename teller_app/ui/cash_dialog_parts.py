"""The cash dialog's smaller steps, kept apart so ``cash_dialog.py`` stays readable: the
hub's live events for a filed over-threshold draft, voiding a draft (the reason asked
without blocking), the confirmed result and the receipt. Strings keep the ``CashDialog``
translation context."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialog, QInputDialog, QLabel, QPushButton

from teller_app.core.cash import CashContext, CashDraft, CashKind, CashReceipt, CashService
from teller_app.core.receipt import Receipt, ReceiptContext, build_receipt
from teller_app.core.views import CustomerView
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_approval_flow import CashApprovalFlow
from teller_app.ui.cash_text import cash_error_text, status_text
from teller_app.ui.receipt import ui_language
from teller_app.ui.receipt_dialog import ReceiptDialog


class CashDialogParts(QDialog):
    """The base of ``CashDialog``: these steps use the widgets, the service and the state
    that ``CashDialog.__init__`` builds (declared here so both halves are type-checked)."""

    confirmed = Signal(object)  # CashReceipt
    receipt_shown = Signal(object)  # Receipt
    voided = Signal(object)  # CashDraft voided at the hub

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
    receipt_button: QPushButton
    reference: QLabel

    def _grow(self) -> None:
        """Grow to fit new lines; never shrink what the teller made larger."""
        hint = self.sizeHint()
        if hint.height() > self.height() or hint.width() > self.width():
            self.resize(max(hint.width(), self.width()), max(hint.height(), self.height()))

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(cash_error_text(exc, self.minor_unit, self.asset_code))
        self._grow()

    def on_hub_event(self, event: HubEvent) -> None:
        """The hub's live events (the window's feed): the filed request's decision."""
        if self.approval is not None:
            self.approval.on_event(event)

    def _note(self, text: str) -> None:
        self.note.setText(text)
        self._grow()

    def _approval_ended(self, text: str) -> None:
        for button in (self.confirm_button, self.supervisor_button, self.void_button):
            button.hide()
        self._note(text)

    def ask_void_reason(self) -> None:
        """Void the unconfirmed draft: the reason is asked without blocking."""
        prompt = self.void_prompt = QInputDialog(self)
        prompt.setWindowTitle(QCoreApplication.translate("CashDialog", "Void the draft"))
        prompt.setLabelText(QCoreApplication.translate(
            "CashDialog", "Why is the draft voided? (required)"))
        prompt.textValueSelected.connect(self.void_draft)
        prompt.open()

    def void_draft(self, reason: str) -> None:
        draft = self.draft
        if draft is None:
            return
        if not reason.strip():
            self.error.setText(QCoreApplication.translate(
                "CashDialog", "A reason is required to void a draft."))
            return

        def done(_result: object) -> None:
            self.error.clear()
            for button in (self.confirm_button, self.supervisor_button, self.void_button):
                button.hide()
            self.note.setText(QCoreApplication.translate(
                "CashDialog", "Voided: this draft is never confirmed."))
            self._grow()
            if self.approval is not None:
                self.approval.request = None  # its withdrawal is this void: nothing more to say
            self.voided.emit(draft)

        self.ops.run(lambda: self.service.void(draft.payment_guid, reason), on_success=done,
                     on_error=self._show_error, parent=self,
                     label=QCoreApplication.translate("CashDialog", "Voiding"),
                     disable=(self.void_button,))

    # -- confirmed, receipt -------------------------------------------------------------
    def _confirmed(self, receipt: CashReceipt) -> None:
        self.receipt = receipt
        self.error.clear()
        self.void_button.hide()
        self.confirm_button.hide()
        self.supervisor_button.hide()
        self.receipt_button.show()
        done = QCoreApplication.translate("CashDialog", "Done: %1.").replace(
            "%1", status_text(receipt.status))
        if receipt.reconciled:
            done += " " + QCoreApplication.translate(
                "CashDialog", "The platform's answer was lost; its status shows the "
                "payment went through, so it was not sent again.")
        self.note.setText(done)
        self.reference.clear()
        self._grow()
        self.confirmed.emit(receipt)
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
        return build_receipt(receipt.payment, desk, ui_language(),
                             minor_unit=self.minor_unit,
                             category_code=self.kind.category_code)

    def show_receipt(self) -> None:
        receipt = self.build_receipt()
        if receipt is None:
            return
        dialog = self.receipt_dialog = ReceiptDialog(receipt, self)
        dialog.open()
        self.receipt_shown.emit(receipt)
