"""The teller's vault transfer request: a supervisor approves it from the branch cash
position. Each intended transfer (direction and amount) gets one id, made here, so the hub
answers a re-send after a lost answer with the transfer it already filed, never a second."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.core.intent_id import IntentIds, intent_key
from teller_app.core.till import TillService, Transfer
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.a11y_form import add_row
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_amount_field import set_amount_check
from teller_app.ui.cash_step_text import step_problem
from teller_app.ui.money import CURRENCY_SIGNS, format_uah, is_ukrainian, parse_amount
from teller_app.ui.read_only_look import set_read_only
from teller_app.ui.untrusted import fill, plain_label, shown_lines
from teller_app.ui.wrapped_text import grow_to_fit

CURRENCY = "UAH"  # a till holds hryvnias only


class TransferDialog(QDialog):
    """Ask for cash from the vault (or hand cash back); a supervisor approves it."""

    requested = Signal(object)  # Transfer

    def __init__(self, ops: OpRunner, service: TillService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tillTransferDialog")
        self.setWindowTitle(self.tr("Vault transfer"))
        self.ops, self.service = ops, service
        self.ids = IntentIds()  # one id per (direction, amount) while this dialog is open
        self.transfer: Transfer | None = None  # once filed (its decision is told live)
        self.direction = QComboBox(self)
        self.direction.addItem(self.tr("From the vault to my till"), "to_till")
        self.direction.addItem(self.tr("From my till to the vault"), "to_vault")
        # Filed, the direction reads as the amount does: its words in a read-only field, in
        # the choice's place (a disabled choice was grey, and not read out as a value). Made
        # next to the choice, so it stands where the choice did in the Tab order.
        self.direction_filed = QLineEdit(self)
        self.direction_filed.setObjectName("transferDirectionFiled")
        self.direction_filed.hide()
        direction_row = QHBoxLayout()
        direction_row.addWidget(self.direction)
        direction_row.addWidget(self.direction_filed)
        self.amount = QLineEdit(self)
        self.amount.setObjectName("transferAmount")
        set_amount_check(self.amount, 2)  # what the cash dialog's amount takes, in kopiykas
        # the currency as amounts read in this language ("1 200,00 ₴", "1,200.00 UAH")
        self.currency = QLabel(CURRENCY_SIGNS[CURRENCY] if is_ukrainian() else CURRENCY, self)
        self.currency.setObjectName("transferCurrency")
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount)
        amount_row.addWidget(self.currency)
        self.status = plain_label(QLabel(self))  # it may quote the hub's words; word-wrapped
        self.send = QPushButton(self.tr("Ask a supervisor"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.send, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.send.clicked.connect(self.request)
        form = QFormLayout(self)
        form.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with the status
        self.direction_label = add_row(form, self.tr("Direction"), direction_row,
                                       focus=self.direction)
        add_row(form, self.tr("Amount"), amount_row, focus=self.amount)  # its label's field
        form.addRow(self.status)
        form.addRow(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        grow_to_fit(self)

    def request(self) -> None:
        value = parse_amount(self.amount.text(), 2)
        if value is None or value <= 0:
            self.status.setText(self.tr("Type a positive amount with at most 2 decimals."))
            return
        if problem := step_problem(value, 2, CURRENCY):  # the hub refuses it: said first
            self.status.setText(problem)
            return
        direction = str(self.direction.currentData())
        transfer_id = self.ids.id_for(intent_key(direction, f"{value:.2f}"))

        def done(transfer: Transfer) -> None:
            self.send.setEnabled(False)
            # Enter went to "Ask a supervisor", off now, and did nothing: it closes instead
            self.send.setDefault(False)
            self.close_button.setDefault(True)
            # filed: what was asked for no longer changes here (a new request, a new dialog);
            # the amount as the hub filed it, read as money is everywhere ("1 200,00 ₴")
            self.amount.setText(format_uah(transfer.amount))
            self.currency.hide()
            set_read_only(self.amount, True)
            self._show_direction_filed()
            self.transfer = transfer
            self.status.setText(self._filed_text(transfer.state, transfer.amount))
            self.requested.emit(transfer)

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import answer_may_be_lost, friendly_message

            if answer_may_be_lost(exc):
                self.status.setText(self.tr(
                    "The Teller Hub did not answer, so it is not known whether your request "
                    "reached it. Press “Ask a supervisor” again without changing it: the same "
                    "request is sent, never a second one."))
                return
            self.status.setText(shown_lines(friendly_message(exc)))

        self.ops.run(lambda: self.service.request_transfer(direction, value, transfer_id),
                     on_success=done, on_error=failed, parent=self,
                     label=self.tr("Asking for a transfer"), disable=(self.send,), write=True)

    def _show_direction_filed(self) -> None:
        """The chosen direction as read-only text where the choice was; the choice goes (off
        as well as hidden: no key or click reaches it)."""
        shown = self.direction_filed
        shown.setText(self.direction.currentText())
        set_read_only(shown, True)
        shown.setAccessibleName(self.direction.accessibleName())  # "Direction", and its value
        self.direction_label.setBuddy(shown)  # Alt+letter lands on what is shown
        shown.show()
        if self.direction.hasFocus():  # not as a Tab would: that selects all of its words
            shown.setFocus(Qt.FocusReason.OtherFocusReason)
        self.direction.setEnabled(False)
        self.direction.hide()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # the status came or rewrapped
            grow_to_fit(self)
        return handled

    def on_decided(self, event: HubEvent) -> None:
        """A supervisor decided the transfer filed here (the hub's ``till.decided``,
        ``till_live``): the dialog says so."""
        transfer = self.transfer
        if event.what != "transfer" or transfer is None or event.transfer_id != transfer.id:
            return
        money = format_uah(transfer.amount)
        if event.state == "approved":
            self.status.setText(fill(self.tr("A supervisor approved this transfer of %1."),
                                     money))
        elif event.state == "rejected":
            self.status.setText(fill(self.tr("A supervisor rejected this transfer of %1."),
                                     money))

    def _filed_text(self, state: str, amount: Decimal) -> str:
        # A re-send is answered with the transfer filed first, which may be decided by now.
        money = format_uah(amount)
        if state == "approved":
            return fill(self.tr("A supervisor has already approved this transfer of %1."), money)
        if state == "rejected":
            return fill(self.tr("A supervisor has already rejected this transfer of %1."), money)
        return fill(self.tr("Request for %1 sent: a supervisor approves it from the branch cash "
                            "position."), money)
