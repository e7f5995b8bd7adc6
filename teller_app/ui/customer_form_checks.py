"""The customer form's field checks: inline errors under each field (a mixin of
``CustomerForm``; strings stay in the "CustomerForm" context)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from teller_app.core.views import CustomerView
from teller_app.ui.customer_form_choices import AssetChoice
from teller_app.ui.money import parse_amount
from teller_app.ui.plural import CustomerForm
from teller_app.ui.validators import check_iban, check_login, check_phone, check_text

translate = QCoreApplication.translate
SUPERVISED_STATUSES = ("blocked", "closed")  # a new customer is never created blocked


class CustomerFormChecks(QWidget):
    # set by CustomerForm.__init__
    customer: CustomerView | None
    editing: bool
    errors: dict[str, QLabel]
    _login_taken: str | None
    asset: QComboBox
    login: QLineEdit
    surname: QLineEdit
    name: QLineEdit
    paternal_name: QLineEdit
    phone: QLineEdit
    iban: QLineEdit
    balance_allowed: QLineEdit
    status: QComboBox
    kyc_level: QSpinBox
    is_disabled: QCheckBox

    def set_error(self, key: str, text: str) -> None:
        label = self.errors[key]
        label.setText(text)
        label.setVisible(bool(text))

    def _asset(self) -> AssetChoice | None:
        data = self.asset.currentData()
        return data if isinstance(data, AssetChoice) else None

    def _minor_unit(self) -> int:
        asset = self._asset()
        return asset.minor_unit if asset else 2

    # -- validation -------------------------------------------------------------------------
    def _validate_all(self) -> bool:
        ok = True
        if not self.editing:
            if self._asset() is None:
                self.set_error("asset", translate("CustomerForm", "Choose the asset."))
                ok = False
            login, error = check_login(self.login.text())
            if not error and self._login_taken == login:
                error = translate("CustomerForm", "A customer with this login already exists.")
            self.set_error("login", error)
            ok = ok and not error
            ok = self._validate_iban() and ok
        ok = self._validate_names() and ok
        ok = self._validate_phone(required=True) and ok
        ok = self._validate_balance() and ok
        status = self.status.currentText().strip().lower()
        _value, status_error = check_text(self.status.currentText(),
                                          translate("CustomerForm", "Status"))
        if status_error:
            self.set_error("status", status_error)
            ok = False
        elif status in SUPERVISED_STATUSES and not self.editing:
            self.set_error("status", translate("CustomerForm",
                                               "Blocking needs a supervisor's approval."))
            ok = False
        else:
            self.set_error("status", "")
        return ok

    def _validate_names(self) -> bool:
        """No control characters, direction overrides or formula leads in any name."""
        ok = True
        for key, caption, widget in (("surname", translate("CustomerForm", "Surname"),
                                      self.surname),
                                     ("name", translate("CustomerForm", "Name"), self.name),
                                     ("paternal_name", translate("CustomerForm", "Paternal name"),
                                      self.paternal_name)):
            _value, error = check_text(widget.text(), caption, name=True)
            self.set_error(key, error)
            ok = ok and not error
        return ok

    def _validate_phone(self, required: bool = False) -> bool:
        original = self.customer.phone_number if self.customer is not None else None
        if original is not None and self.phone.text().strip() == original:
            self.set_error("phone_number", "")
            return True  # an unchanged stored number is the platform's business
        value, error = check_phone(self.phone.text())
        if not error and required and not value:
            error = translate("CustomerForm", "Phone number is required.")
        self.set_error("phone_number", error)
        if not error and value and value != self.phone.text():
            self.phone.setText(value)  # show the E.164 form that will be stored
        return not error

    def _validate_iban(self) -> bool:
        if self.editing:
            return True
        _value, error = check_iban(self.iban.text())
        self.set_error("iban", error)
        return not error

    def _validate_balance(self) -> bool:
        places = self._minor_unit()
        value = parse_amount(self.balance_allowed.text(), places)
        if value is None:
            self.set_error("balance_allowed",
                           CustomerForm.tr(  # ui/plural.py
                               "Enter an amount with at most %n decimal place(s).", "", places))  # type: ignore[arg-type]
            return False
        if value < 0:
            self.set_error("balance_allowed",
                           translate("CustomerForm", "The amount cannot be negative."))
            return False
        self.set_error("balance_allowed", "")
        return True
