"""A teller's request for a sensitive change: what (exact change) and why (required reason).

The dialog only collects; the supervision controller files it on the Teller Hub (a command
row: the exact change, its hash, the maker from the hub session) and may hand it to an
in-place approval. ``submitted(change, reason, in_place)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from teller_app.core.approvals import REASON_MAX_CHARS
from teller_app.core.intent_id import IntentIds, intent_key
from teller_app.core.views import CustomerLike, CustomerView, customer_view
from teller_app.ui import theme
from teller_app.ui.a11y_form import tab_chain
from teller_app.ui.audit_details import field_name
from teller_app.ui.field_values import field_value_text
from teller_app.ui.limit_currency import ASSET_FIELD, LIMIT_FIELD, limit_currencies
from teller_app.ui.money import format_money
from teller_app.ui.untrusted import fill, plain_label, shown, shown_lines
from teller_app.ui.validators import check_text, one_line


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def change_choices(customer: CustomerView) -> list[tuple[str, dict[str, Any]]]:
    """(label, change) pairs that make sense for this customer now. Each reads as the inbox
    and the card will name the request (``describe_change``), as a sentence."""
    real = customer.status.strip().lower()
    out: list[tuple[str, dict[str, Any]]] = []
    for change in ({"is_disabled": not customer.is_disabled},
                   {"status": "active" if real in ("blocked", "closed") else "blocked"}):
        out.append((_sentence(describe_change(change)), change))
    if customer.kyc_level > 0:  # the level itself is picked below
        out.append((QCoreApplication.translate("ChangeRequestDialog", "Lower the KYC level"),
                    {"kyc_level": customer.kyc_level - 1}))
    return out


def describe_change(change: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> str:
    """The change in words; each value on one line (a value cannot fake a line of its own
    where this is shown: the inbox, the card, the audit trail). A limit reads in the currency
    the request carries (its change's, else the one its ``before`` kept at filing; neither:
    the amount alone, as the card shows it), its currency not again on its own."""
    parts = []
    limit_in = limit_currencies(change, before)[1]
    for key, value in change.items():
        if key == "is_disabled":
            parts.append(
                QCoreApplication.translate("ChangeRequestDialog", "disable the customer")
                if value else
                QCoreApplication.translate("ChangeRequestDialog", "re-enable the customer"))
        elif key == "status":
            parts.append(QCoreApplication.translate("ChangeRequestDialog", "set status to “%1”")
                         .replace("%1", one_line(field_value_text(key, value))))
        elif key == "kyc_level":
            parts.append(QCoreApplication.translate("ChangeRequestDialog", "set KYC level to %1")
                         .replace("%1", one_line(field_value_text(key, value))))
        elif key == LIMIT_FIELD:
            parts.append(QCoreApplication.translate("ChangeRequestDialog",
                                                    "set the allowed balance to %1")
                         .replace("%1", one_line(field_value_text(key, value,
                                                                  currency=limit_in))))
        elif key == ASSET_FIELD and LIMIT_FIELD in change:
            continue  # named with the limit's amount
        elif key == "segment":
            parts.append(QCoreApplication.translate("ChangeRequestDialog",
                                                    "set the segment to “%1”")
                         .replace("%1", one_line(field_value_text(key, value))))
        elif key == "amount":
            currency = str(change.get("currency") or "UAH")
            parts.append(QCoreApplication.translate("ChangeRequestDialog",
                                                    "confirm a cash payment of %1")
                         .replace("%1", format_money(Decimal(str(value)), 2, currency)))
        elif key in ("currency", "payment_guid", "branch_guid") and "amount" in change:
            continue
        else:
            # any other field (an edit form's change): its name and value as a person reads
            # them, the same words as the audit trail
            parts.append(f"{field_name(key)} → {one_line(field_value_text(key, value))}")
    return "; ".join(parts)


def current_text(customer: CustomerView, change: dict[str, Any]) -> str:
    """What ``change`` would change, as the customer has it now ("Status: active"), in the
    words ``describe_change`` uses; "" for a change of nothing the customer view holds."""
    parts = []
    currency = customer.balance_asset_code or None  # none: the amount alone, as the card
    for key in change:
        if "amount" in change or not hasattr(customer, key):
            continue  # a cash payment changes no customer field
        value = field_value_text(
            key, getattr(customer, key), currency=currency,
            branch_name=lambda guid: customer.branch_name if guid == customer.branch_guid else "")
        # "Enabled" says it alone; any other field is named
        parts.append(value if key == "is_disabled" else f"{field_name(key)}: {value}")
    return _sentence("; ".join(parts))


class ChangeRequestDialog(QDialog):
    submitted = Signal(dict, str, bool)  # change, reason, in_place (supervisor is here)

    def __init__(self, found: CustomerLike,
                 preset: dict[str, Any] | None = None,  # a request change (JSON-like)
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        customer = self.customer = customer_view(found)
        name = shown(customer.display_name, 80, breaks=False)
        self.setWindowTitle(fill(self.tr("Request a change — %1"), name))
        # the title bar may be hidden or cut: the dialog names the customer in it too
        self.customer_label = plain_label(QLabel(shown(customer.display_name)))
        self.now = plain_label(QLabel())  # what the change changes, as it is now
        self.what = QComboBox()
        for label, change in change_choices(customer):
            self.what.addItem(label, change)
        if preset is not None:
            if all(self.what.itemData(i) != preset for i in range(self.what.count())):
                # e.g. "closed" typed in the edit form: offered as it was asked for
                self.what.addItem(_sentence(describe_change(preset)), dict(preset))
            for i in range(self.what.count()):
                if self.what.itemData(i) == preset:
                    self.what.setCurrentIndex(i)
        self.kyc = QSpinBox()
        self.kyc.setRange(0, max(0, customer.kyc_level - 1))
        self.kyc.setValue(max(0, customer.kyc_level - 1))
        if preset is not None and "kyc_level" in preset:
            self.kyc.setValue(int(preset["kyc_level"]))  # what was asked for, not a default
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)  # Tab moves on; a reason needs no tab characters
        self.reason.setPlaceholderText(self.tr("Why (required; the supervisor reads this)"))
        self.counter = QLabel()
        self.error = plain_label(QLabel())  # it may quote the platform's or the hub's words
        self.error.setStyleSheet(theme.error_style())

        # One request id per change asked for in this dialog: sent again after an error, the
        # same change keeps its id and the hub answers with the request it already filed.
        self.ids = IntentIds()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = QPushButton(self.tr("&Send for approval"))
        self.in_place_button = QPushButton(self.tr("Supervisor approves &here…"))
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.in_place_button, QDialogButtonBox.ButtonRole.ActionRole)

        form = self.form = QFormLayout(self)
        form.addRow(self.tr("Customer"), self.customer_label)
        # Alt+letter reaches each field (the label is its buddy); Cancel keeps Alt+C
        form.addRow(self.tr("Ch&ange"), self.what)
        form.addRow(self.tr("Now"), self.now)
        form.addRow(self.tr("New &KYC level"), self.kyc)
        form.addRow(self.tr("&Reason"), self.reason)
        form.addRow("", self.counter)
        form.addRow(self.error)
        form.addRow(self.buttons)
        # Enter sends the request (when it may be sent), never Cancel.
        self.send_button.setAutoDefault(True)
        self.send_button.setDefault(True)
        # Tab follows the screen: the fields, then the buttons left to right.
        tab_chain(self.what, self.kyc, self.reason, self.send_button, self.in_place_button,
                 self.buttons.button(QDialogButtonBox.StandardButton.Cancel))

        self.what.currentIndexChanged.connect(self._update)
        self.reason.textChanged.connect(self._update)
        self.reason.textChanged.connect(self._reason_edited)
        self._reason_refused = False  # the error shown is the reason's refusal
        self.buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(lambda: self._submit(False))
        self.in_place_button.clicked.connect(lambda: self._submit(True))
        self._update()

    def change(self) -> dict[str, Any]:
        change = dict(self.what.currentData() or {})
        if "kyc_level" in change:
            change["kyc_level"] = self.kyc.value()
        return change

    def request_id(self, change: dict[str, Any]) -> str:
        """The id to file ``change`` under (the same for the same change while this dialog
        lives; the reason may be edited between tries: the hub keeps what it filed)."""
        return self.ids.id_for(intent_key(self.customer.guid, change))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def show_error(self, text: str) -> None:
        self._reason_refused = False
        self.error.setText(shown_lines(text))
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.what.setEnabled(not busy)
        self.reason.setReadOnly(busy)
        self._update(busy=busy)

    def _update(self, *_args: Any, busy: bool = False) -> None:
        n = len(self.reason_text())
        self.counter.setText(f"{n}/{REASON_MAX_CHARS}")
        # the row, not the field alone: its label goes with it
        self.form.setRowVisible(self.kyc, "kyc_level" in (self.what.currentData() or {}))
        now = current_text(self.customer, self.what.currentData() or {})
        self.now.setText(shown(now))
        self.form.setRowVisible(self.now, bool(now))
        ok = 0 < n <= REASON_MAX_CHARS and not busy
        self.send_button.setEnabled(ok)
        self.in_place_button.setEnabled(ok)

    def _submit(self, in_place: bool) -> None:
        _value, problem = check_text(self.reason_text(), self.tr("Reason"), required=True,
                                     multiline=True)
        if problem:
            self.error.setText(problem)  # next to the reason; nothing is sent
            self._reason_refused = True
            self.reason.setFocus()  # where the fix is typed
            return
        self._reason_refused = False
        self.error.clear()
        self.set_busy(True)
        self.submitted.emit(self.change(), self.reason_text(), in_place)

    def _reason_edited(self) -> None:
        # the refusal was of the words now being changed: it no longer describes them
        if self._reason_refused:
            self._reason_refused = False
            self.error.clear()
