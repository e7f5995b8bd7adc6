"""Cash deposit / withdrawal at the desk: create the draft, then confirm it — by the teller up
to the threshold, above it by a supervisor (here with their credentials, or later from the
supervisor's inbox). Shows the receipt reference (payment guid, Stellar hash)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.core.cash import (
    AmountError,
    CashDraft,
    CashKind,
    CashReceipt,
    CashService,
    new_cash_nonce,
)
from teller_app.platform.models import Customer
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog

# (supervisor e-mail, password, payment guid) -> receipt; confirms with a throwaway client.
SupervisorConfirm = Callable[[str, str, str], Awaitable[CashReceipt]]


class CashDialog(QDialog):
    draft_created = Signal(object)  # CashDraft
    confirmed = Signal(object)  # CashReceipt

    def __init__(
        self,
        ops: Any,
        service: CashService,
        customer: Customer,
        kind: CashKind,
        *,
        supervisor_confirm: SupervisorConfirm | None = None,
        minor_unit: int = 2,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.service = service
        self.customer = customer
        self.kind = kind
        self.supervisor_confirm = supervisor_confirm
        self.minor_unit = minor_unit
        self.draft: CashDraft | None = None
        self.receipt: CashReceipt | None = None
        self.in_place: ApproveInPlaceDialog | None = None
        # The client reference of the draft being created; kept after a Timeout/Unavailable
        # (the draft may exist) so the next Create finds it instead of making a second one.
        self._nonce: str | None = None
        self._uncertain = False
        self.setWindowTitle(self.tr("Cash deposit") if kind is CashKind.DEPOSIT
                            else self.tr("Cash withdrawal"))

        self.amount = QLineEdit()
        self.amount.setPlaceholderText("0.00")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.purpose = QLineEdit()
        self.purpose.setMaxLength(200)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference.setWordWrap(True)

        self.create_button = QPushButton(self.tr("Create"))
        self.confirm_button = QPushButton(self.tr("Confirm"))
        self.supervisor_button = QPushButton(self.tr("Supervisor confirms here…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.create_button, self.confirm_button, self.supervisor_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.confirm_button.hide()
        self.supervisor_button.hide()

        form = QFormLayout(self)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Purpose"), self.purpose)
        form.addRow(self.note)
        form.addRow(self.error)
        form.addRow(self.reference)
        form.addRow(self.buttons)

        self.amount.textChanged.connect(self._validate)
        self.create_button.clicked.connect(self.create_draft)
        self.confirm_button.clicked.connect(self.confirm_draft)
        self.supervisor_button.clicked.connect(self.open_supervisor_confirm)
        self.buttons.rejected.connect(self.reject)
        self._validate()

    def amount_value(self) -> Decimal | None:
        from teller_app.core.cash import parse_cash_amount

        try:
            return parse_cash_amount(self.amount.text(), self.minor_unit)
        except AmountError:
            return None

    def _validate(self) -> None:
        text = self.amount.text().strip()
        value = self.amount_value()
        if text and value is None:
            self.error.setText(self.tr("Enter a positive amount with at most %1 decimal places.")
                               .replace("%1", str(self.minor_unit)))
        else:
            self.error.clear()
        self.create_button.setEnabled(value is not None and self.draft is None)

    # -- steps --------------------------------------------------------------------------
    def create_draft(self) -> None:
        value = self.amount_value()
        if value is None:
            return
        purpose = self.purpose.text().strip()
        self.amount.setReadOnly(True)
        self.purpose.setReadOnly(True)
        nonce = self._nonce = self._nonce or new_cash_nonce()
        retry = self._uncertain

        def done(draft: CashDraft) -> None:
            self._nonce, self._uncertain = None, False
            self.error.clear()
            self.note.clear()
            self.draft = draft
            self.create_button.hide()
            self.reference.setText(self.tr("Draft: %1").replace("%1", draft.payment_guid))
            if draft.needs_supervisor:
                self.note.setText(self.tr("Above the teller's limit: a supervisor confirms it "
                                          "here or from their inbox."))
                self.supervisor_button.setVisible(self.supervisor_confirm is not None)
            else:
                self.confirm_button.show()
            self.draft_created.emit(draft)

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import is_connectivity_error

            self._show_error(exc)
            if is_connectivity_error(exc):
                # Unknown whether the draft exists: amount and reference stay as sent, and
                # Create looks the draft up before it makes one.
                self._uncertain = True
                self.note.setText(self.tr(
                    "It is not known whether the draft was created. Press Create again: it "
                    "finds the draft if it exists and never makes a second one."))
                return
            self._nonce, self._uncertain = None, False
            self.amount.setReadOnly(False)
            self.purpose.setReadOnly(False)

        self.ops.run(lambda: self.service.create(self.kind, self.customer.wallet_user_guid,
                                                 value, purpose, nonce=nonce, retry=retry),
                     on_success=done, on_error=failed, parent=self,
                     label=self.tr("Creating the cash operation"),
                     disable=(self.create_button,))

    def confirm_draft(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.ops.run(lambda: self.service.confirm(draft.payment_guid), on_success=self._confirmed,
                     on_error=self._show_error, parent=self, label=self.tr("Confirming"),
                     disable=(self.confirm_button,))

    def open_supervisor_confirm(self) -> None:
        draft = self.draft
        if draft is None or self.supervisor_confirm is None:
            return
        confirm = self.supervisor_confirm
        summary = self.tr("Confirm %1 of %2 %3 for the customer.").replace(
            "%1", self.windowTitle().lower()).replace("%2", str(draft.amount)).replace(
            "%3", draft.asset_code)
        dialog = self.in_place = ApproveInPlaceDialog(summary, self, allow_reject=False)

        def decided(_outcome: str, email: str, password: str, _comment: str) -> None:
            def done(receipt: CashReceipt) -> None:
                dialog.accept()
                self._confirmed(receipt)

            self.ops.run(lambda: confirm(email, password, draft.payment_guid), on_success=done,
                         on_error=lambda exc: dialog.show_error(_error_text(exc)),
                         parent=dialog, label=self.tr("Supervisor confirming"), reauth=False)

        dialog.decided.connect(decided)
        dialog.open()

    def _confirmed(self, receipt: CashReceipt) -> None:
        self.receipt = receipt
        self.confirm_button.hide()
        self.supervisor_button.hide()
        self.note.setText(self.tr("Done: %1.").replace("%1", receipt.status))
        self.reference.setText(
            self.tr("Receipt reference: %1\nPayment: %2").replace(
                "%1", receipt.stellar_hash or "—").replace("%2", receipt.payment_guid))
        self.confirmed.emit(receipt)

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(_error_text(exc))


def _error_text(exc: BaseException) -> str:
    from teller_app.ui.error_text import friendly_message

    return friendly_message(exc)
