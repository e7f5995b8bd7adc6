"""Cash deposit / withdrawal at the desk.

Before submit the dialog shows the customer, the account (masked IBAN), the balance, the
customer's limits, the balance after the operation and whether a supervisor will be needed
(a ``CashPolicy``: the profile threshold today, the hub's policy later), and names every
reason the platform would refuse (with the hub, a till not open as soon as it opens).
Then: create the draft, confirm it (by the teller up to the policy's limit, else by a
supervisor here or from their inbox), and show the receipt.
Enter creates the draft; then the next step is the focused default button
(``cash_dialog_keys``). The dialog fits its content: an empty line takes no room.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.core.approvals import ApprovalService
from teller_app.core.cash import (
    CashContext,
    CashDraft,
    CashKind,
    CashReceipt,
    CashService,
)
from teller_app.core.cash_checks import (
    CashRefused,
    SupervisorNeed,
    balance_after,
    blocking,
    precheck,
)
from teller_app.core.receipt import ReceiptContext, mask_iban
from teller_app.core.till_models import Till
from teller_app.core.views import CustomerLike, customer_view
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_amount_field import amount_field, set_amount_unit
from teller_app.ui.cash_approval_flow import CashApprovalFlow, DecideInPlace
from teller_app.ui.cash_dialog_create import CashDialogCreate
from teller_app.ui.cash_dialog_keys import (
    FocusBackOnClose,
    focus_after_receipt,
    make_next_step,
)
from teller_app.ui.cash_dialog_lines import (
    _line,
    _selectable,
    in_sentence,
    show_balance_after,
    without_line,
)
from teller_app.ui.cash_dialog_supervisor import SupervisorConfirm
from teller_app.ui.cash_dialog_till import is_no_open_till, till_line, till_reader
from teller_app.ui.cash_step_text import cash_dialog_error, step_problem
from teller_app.ui.cash_text import (
    cash_error_text,
    limits_lines,
    refusal_text,
    supervisor_text,
)
from teller_app.ui.money import format_number
from teller_app.ui.receipt_dialog import ReceiptDialog


class CashDialog(CashDialogCreate):
    prepared = Signal(object)  # CashContext (tests)

    def __init__(
        self,
        ops: OpRunner,
        service: CashService,
        customer: CustomerLike,
        kind: CashKind,
        *,
        supervisor_confirm: SupervisorConfirm | None = None,
        approvals: ApprovalService | None = None,
        decide_in_place: DecideInPlace | None = None,
        desk: ReceiptContext | None = None,
        minor_unit: int = 2,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cashDialog")
        self.ops = ops
        self.service = service
        self.customer = customer_view(customer)
        self.kind = kind
        self.supervisor_confirm = supervisor_confirm
        self.desk = desk or ReceiptContext("", "", "", "", "")
        self.minor_unit = minor_unit
        self.asset_code = "UAH"
        self.context: CashContext | None = None
        self.need: SupervisorNeed | None = None
        # the hub's last refusal (text, blocks Create): shown until the next check answers
        self._hub_refusal: tuple[str, bool] | None = None
        self.till_problem = ""  # the till is not open (read as the dialog opens): blocks
        self.till_code = ""  # the hub's open till ("T1") the cash goes through; "": not known
        self.draft: CashDraft | None = None
        self.receipt: CashReceipt | None = None
        self.receipt_dialog: ReceiptDialog | None = None
        self.in_place: ApproveInPlaceDialog | None = None
        # With the hub: an over-threshold draft becomes a four-eyes request, followed live.
        self.approval = (CashApprovalFlow(self, ops, service, approvals, decide_in_place)
                         if approvals is not None else None)
        # The client reference of the draft being created; kept after a Timeout/Unavailable
        # (the draft may exist) so the next Create finds it instead of making a second one.
        self._nonce: str | None = None
        self._uncertain = False
        self.setWindowTitle(self.tr("Cash deposit") if kind is CashKind.DEPOSIT
                            else self.tr("Cash withdrawal"))
        self.setMinimumWidth(self.MIN_WIDTH)

        self.customer_label = _selectable(self, "cashCustomer")
        self.customer_label.setText(in_sentence(self.customer.full_name or self.customer.login))
        self.account_label = _selectable(self, "cashAccount")
        self.balance_label = _selectable(self, "cashBalance")
        self.limits_label = _selectable(self, "cashLimits")
        self.amount = amount_field(self)
        self.after_label = _selectable(self, "cashBalanceAfter")
        self.supervisor_label = _selectable(self, "cashSupervisor")
        self.purpose = QLineEdit(self)
        self.purpose.setObjectName("cashPurpose")
        self.purpose.setMaxLength(200)
        self.note = _line(self, "cashNote")
        # What stops the operation (the amount, the account, the till, the hub's refusal):
        # right under the amount, never in the supervisor's row.
        self.error_gap = QLabel(self)  # the error line's empty label column
        self.error = _line(self, "cashError", partner=self.error_gap, field=self.amount)
        self.error.setStyleSheet("color: #b00020")
        self.caution = _line(self, "cashCaution")  # the platform may refuse; not blocking
        self.caution.setStyleSheet("color: #8a5a00")
        self.reference = _line(self, "cashReference")

        self.create_button = QPushButton(self.tr("Create"), self)
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.supervisor_button = QPushButton(self.tr("Supervisor confirms here…"), self)
        self.receipt_button = QPushButton(self.tr("&Receipt…"), self)
        self.void_button = QPushButton(self.tr("&Void the draft…"), self)
        self.void_button.setObjectName("cashVoidButton")
        self.refile_button = QPushButton(self.tr("Ask a supervisor again"), self)
        self.refile_button.setObjectName("cashRefileButton")
        self.check_button = QPushButton(self.tr("Check again"), self)  # a confirm in doubt
        self.check_button.setObjectName("cashCheckButton")
        self.void_prompt: QInputDialog | None = None
        self.receipt_button.setObjectName("cashReceiptButton")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        for button in (self.create_button, self.confirm_button, self.supervisor_button,
                       self.refile_button, self.check_button, self.receipt_button,
                       self.void_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        for any_button in self.buttons.buttons():
            # Enter in the line edits creates (``submit``): a default Create would do it a
            # second time. Once the draft exists its next step is made the default (and
            # focused: ``cash_dialog_keys``); a stray Enter never starts a void.
            if isinstance(any_button, QPushButton):
                any_button.setAutoDefault(False)
                any_button.setDefault(False)
        for harmless in (self.supervisor_button, self.receipt_button, self.check_button):
            # Enter presses these when focused: a dialog opens, or a read; nothing is applied
            harmless.setAutoDefault(True)
        for button in (self.confirm_button, self.supervisor_button, self.receipt_button,
                       self.void_button, self.refile_button, self.check_button):
            button.hide()

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with content
        form.addRow(self.tr("Customer"), self.customer_label)
        form.addRow(self.tr("Account"), self.account_label)
        form.addRow(self.tr("Balance"), self.balance_label)
        # the customer's own limits: the teller's (a supervisor above it) is the next rows'
        form.addRow(self.tr("Customer's limits"), self.limits_label)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.error_gap, self.error)
        form.addRow(self.tr("Balance after"), self.after_label)
        form.addRow(self.tr("Supervisor needed"), self.supervisor_label)
        form.addRow(self.tr("Purpose"), self.purpose)
        form.addRow(self.note)
        form.addRow(self.caution)
        form.addRow(self.reference)
        form.addRow(self.buttons)

        self.minor_unit = set_amount_unit(self.amount, minor_unit)
        self.amount.textChanged.connect(self._validate)
        self.amount.editingFinished.connect(self._reformat_amount)
        self.amount.returnPressed.connect(self.submit)
        self.purpose.returnPressed.connect(self.submit)
        self.create_button.clicked.connect(self.create_draft)
        self.confirm_button.clicked.connect(self.confirm_draft)
        self.supervisor_button.clicked.connect(self.open_supervisor_confirm)
        self.receipt_button.clicked.connect(self.show_receipt)
        self.void_button.clicked.connect(self.ask_void_reason)
        self.refile_button.clicked.connect(self.refile)
        self.check_button.clicked.connect(lambda: self.check_again())
        self.buttons.rejected.connect(self.reject)
        FocusBackOnClose(self)  # closed, the keys go back to what had them (the card)
        self.draft_created.connect(lambda _draft: make_next_step(self.confirm_button))
        self.confirmed.connect(self._confirmed_keys)
        self.receipt_shown.connect(self._receipt_keys)
        self._wire_approval()
        if self.approval is not None:  # after _wire_approval's: the button is shown first
            self.approval.filed.connect(lambda _request: self.offer_supervisor())
        self.account_label.setText(self.tr("Loading…"))
        self._validate()
        self._prepare()

    # -- context ------------------------------------------------------------------------
    def _prepare(self) -> None:
        guid = self.customer.wallet_user_guid
        self.ops.run(lambda: self.service.prepare(self.kind, guid), on_success=self._prepared,
                     on_error=self._prepare_failed, parent=self,
                     label=self.tr("Reading the account and limits"))
        self._read_till()

    def _read_till(self) -> None:
        read_till = till_reader(self.service)
        if read_till is not None:  # unknown (not read): the hub still refuses without one
            self.ops.run(read_till, on_success=self._till_read, on_error=lambda _exc: None,
                         parent=self, network=False)

    def _till_read(self, till: Till | None) -> None:
        if till is not None and till.state == "open" and self.receipt is None:
            self.till_code = till.till_code  # the till the cash goes through: on the receipt
        if self.draft is None:
            self.till_problem = till_line(till)
            self._validate()

    def _prepared(self, context: CashContext) -> None:
        self.context = context
        self.asset_code = context.asset_code
        self.minor_unit = set_amount_unit(self.amount, context.minor_unit)
        if context.customer.full_name:  # the platform's name: one line, isolated if it turns
            self.customer_label.setText(in_sentence(context.customer.full_name))
        account = context.account
        self.account_label.setText(mask_iban(account.iban) or account.guid)
        self.balance_label.setText(self._money(context.facts.balance))
        lines = limits_lines(context.facts.limits, self.minor_unit, self.asset_code,
                             self.kind.value)
        cap = context.facts.balance_allowed
        if self.kind is CashKind.DEPOSIT and cap > 0:
            lines.append(self.tr("The account may hold at most %1.").replace(
                "%1", self._money(cap)))
        self.limits_label.setText("\n".join(lines))
        self._validate()
        self._fit()
        self.prepared.emit(context)

    def _prepare_failed(self, exc: BaseException) -> None:
        # The platform still checks everything at create/confirm: the teller may go on.
        self.account_label.setText("—")
        self.error.setText(cash_error_text(exc))
        self._fit()

    # -- amount -------------------------------------------------------------------------
    def _reformat_amount(self) -> None:
        value = self.amount_value()
        if value is not None and not self.amount.isReadOnly():
            self.amount.setText(format_number(value, self.minor_unit))

    def _validate(self) -> None:
        if self.draft is not None:
            return
        text = self.amount.text().strip()
        value = self.amount_value()
        problems: list[str] = [self.till_problem] if self.till_problem else []
        warnings: list[str] = []
        if text and value is None:
            problems.append(self.tr("Enter a positive amount with at most %1 decimal places.")
                            .replace("%1", str(self.minor_unit)))
        # through the hub's till: whole steps of its smallest coin (the hub refuses others)
        off_step = (step_problem(value, self.minor_unit, self.asset_code)
                    if value is not None and self.service.gate is not None else "")
        if off_step:
            problems.append(off_step)
        context = self.context
        if value is not None and context is not None:
            self._show_after(balance_after(context.facts, value))
            for refusal in precheck(context.facts, value):  # a warning does not block
                (problems if blocking(refusal) else warnings).append(
                    refusal_text(refusal, self.minor_unit, self.asset_code))
            if off_step:  # nothing to ask the hub: it refuses the amount
                self.supervisor_label.setText("—")
            else:
                self._assess(value)
        else:
            self._show_after(None)
            self.supervisor_label.setText("—" if value is None else self.supervisor_label.text())
        if value is None or off_step:
            self._hub_refusal = None  # nothing to check: no answer will replace it
        held = self._hub_refusal
        lines = [*problems, *(x for x in [held[0] if held else None] if x and x not in problems)]
        self.error.setText("\n".join(lines))
        self.caution.setText("\n".join(warnings))
        blocked = bool(problems) or (held is not None and held[1])
        self.create_button.setEnabled(value is not None and not blocked
                                      and not self.ops.is_busy(self._policy_key()))
        self._fit()

    def _show_after(self, after: Decimal | None) -> None:
        show_balance_after(self.after_label, after, "" if after is None else self._money(after))

    def _drop_hub_refusal(self) -> None:
        held, self._hub_refusal = self._hub_refusal, None
        if held is not None:
            self.error.setText(without_line(self.error.text(), held[0]))

    def _policy_key(self) -> str:
        return f"cash-policy:{id(self)}"

    def _assess(self, value: Decimal) -> None:
        context = self.context
        if context is None:
            return

        def shown(need: SupervisorNeed) -> None:
            self.need = need
            self._drop_hub_refusal()
            if self.till_problem:  # the hub found the till open after all
                self._read_till()  # which one: for the receipt
                self.error.setText(without_line(self.error.text(), self.till_problem))
                self.till_problem = ""
            self.supervisor_label.setText(supervisor_text(need, self.minor_unit,
                                                          self.asset_code))
            self.create_button.setEnabled(self.draft is None and not self.error.text()
                                          and self.amount_value() is not None)

        def refused(exc: BaseException) -> None:
            # Not a supervisor matter (no open till, the till short, a daily limit, the
            # customer blocked, the hub not reached): an error line under the amount, once.
            text = cash_dialog_error(exc, value, self.minor_unit, self.asset_code)
            if is_no_open_till(exc):  # what to do, as said when the dialog opened
                text = self.till_problem = self.till_problem or till_line(None)
            self._drop_hub_refusal()
            self._hub_refusal = (text, isinstance(exc, CashRefused))
            if isinstance(exc, CashRefused):
                self.create_button.setEnabled(False)
            self.error.setText("\n".join([without_line(self.error.text(), text), text]).strip())
            self.supervisor_label.setText("—")
            self._fit()

        self.ops.run(lambda: self.service.assess(context, value), on_success=shown,
                     on_error=refused, parent=self, key=self._policy_key(),
                     label=self.tr("Checking the policy"))

    # -- steps --------------------------------------------------------------------------
    def submit(self) -> None:
        """Enter in the amount or the purpose: create the draft when it can be. Once it exists
        the key goes on to the dialog's default, the next step the screen shows (Confirm)."""
        if self.draft is None and self.create_button.isEnabled():
            self.create_draft()

    def _confirmed_keys(self, receipt: CashReceipt) -> None:
        """Confirmed: Close is the default and has the keyboard (Receipt… when the receipt
        is still to be read), so Enter after the receipt closes the dialog."""
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        make_next_step(close)
        if receipt.payment is None:
            self.receipt_button.setFocus()

    def _receipt_keys(self, _receipt: object) -> None:
        if self.receipt_dialog is not None:
            focus_after_receipt(self.receipt_dialog, self.focusWidget(),
                                self.buttons.button(QDialogButtonBox.StandardButton.Close))
