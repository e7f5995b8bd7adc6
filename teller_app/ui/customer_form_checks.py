"""The customer form's field checks: inline errors under each field, the login's
uniqueness check while typing and the phone number's holders once the field is left (a mixin
of ``CustomerForm``; strings stay in the "CustomerForm" context). Those two only show: DCM
refuses a duplicate login and the hub a phone number held by another customer.

An error is shown from a maker (``set_error(key, lambda: ...)``) that is remembered, so a live
language switch re-makes the same error, for the same input, in the new language. The error
is also its field's accessible description: a screen reader says it on the field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QTimer, SignalInstance
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from teller_app.core.customers import CreateAttempts, CustomerService
from teller_app.core.views import CustomerView
from teller_app.platform.phones import same_phone
from teller_app.platform.status_words import fold, known_status
from teller_app.ui.announce import describe
from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_form_choices import AssetChoice
from teller_app.ui.money import parse_amount
from teller_app.ui.plural import CustomerForm
from teller_app.ui.untrusted import shown
from teller_app.ui.validators import check_iban, check_login, check_phone, check_text

translate = QCoreApplication.translate
SUPERVISED_STATUSES = ("blocked", "closed")  # a new customer is never created blocked
ErrorText = str | Callable[[], str]  # a text, or what makes it in the current language


class CustomerFormChecks(QWidget):
    # set by CustomerForm.__init__
    service: CustomerService
    ops: OpRunner
    attempts: CreateAttempts  # the form's creates; ``uncertain``: one whose outcome is unknown
    login_timer: QTimer
    login_checked: SignalInstance
    phone_checked: SignalInstance
    customer: CustomerView | None
    editing: bool
    errors: dict[str, QLabel]
    _error_makers: dict[str, Callable[[], str]]
    _status_shown: dict[str, str]  # a known status as shown now -> its value
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

    def set_error(self, key: str, text: ErrorText) -> None:
        """Show ``text`` under the field (hide the error when empty). A callable is kept and
        called again on a language switch; a plain string is shown as it is."""
        self._error_makers.pop(key, None)
        if callable(text):
            self._error_makers[key] = text
            text = text()
        label = self.errors[key]
        label.setText(text)
        label.setVisible(bool(text))
        self._describe_field(key, text)

    def _describe_field(self, key: str, error: str) -> None:
        """The field's accessible description is its error ("" once fixed): the note under it
        is a label of its own, which a screen reader on the field would not say."""
        field = self.findChild(QWidget, f"field_{key}")
        if field is not None:
            describe(field, error)

    def _retranslate_errors(self) -> None:
        """Each error shown now, re-made in the current language (same input, same check)."""
        for key, make in self._error_makers.items():
            label = self.errors[key]
            if label.text():
                label.setText(make())
                self._describe_field(key, label.text())

    def _status_value(self) -> str:
        """The status as the platform knows it: a known status picked or typed, as shown now
        or in either language, in any case ("активний", "Заблокована", "BLOCKED") reads back
        as its value ("active", "blocked"); anything else is free text, taken as typed."""
        text = self.status.currentText().strip()
        if text in self._status_shown:
            return self._status_shown[text]
        folded = fold(text)
        for word, value in self._status_shown.items():
            if fold(word) == folded:
                return value
        return known_status(text) or text

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
                self.set_error("asset", lambda: translate("CustomerForm", "Choose the asset."))
                ok = False
            typed = self.login.text()
            login, error = check_login(typed)
            if not error and self._login_taken == login:
                self.set_error("login", lambda: translate(
                    "CustomerForm", "A customer with this login already exists."))
                ok = False
            else:
                self.set_error("login", lambda: check_login(typed)[1])
                ok = ok and not error
            ok = self._validate_iban() and ok
        ok = self._validate_names() and ok
        ok = self._validate_phone(required=True) and ok
        ok = self._validate_balance() and ok
        shown = self.status.currentText()
        _value, status_error = check_text(shown, translate("CustomerForm", "Status"))
        if status_error:
            self.set_error("status", lambda: check_text(
                shown, translate("CustomerForm", "Status"))[1])
            ok = False
        elif self._status_value().lower() in SUPERVISED_STATUSES and not self.editing:
            self.set_error("status", lambda: translate(
                "CustomerForm", "Blocking needs a supervisor's approval."))
            ok = False
        else:
            self.set_error("status", "")
        return ok

    def _validate_names(self) -> bool:
        """No control characters, direction overrides, formula leads or words mixing
        Cyrillic and Latin letters in any name. A stored name left as it was is the
        platform's business (an edit of the phone must not be blocked by an old name)."""
        ok = True
        for key, widget in (("surname", self.surname), ("name", self.name),
                            ("paternal_name", self.paternal_name)):
            stored = getattr(self.customer, key) if self.customer is not None else None
            make = self._name_check(key, widget.text()) if widget.text() != stored else ""
            self.set_error(key, make)
            ok = ok and not self.errors[key].text()
        return ok

    @staticmethod
    def _name_check(key: str, text: str) -> Callable[[], str]:
        """The error of a name field for ``text`` (empty when it is fine), when called."""

        def make() -> str:
            caption = {"surname": translate("CustomerForm", "Surname"),
                       "name": translate("CustomerForm", "Name"),
                       "paternal_name": translate("CustomerForm", "Paternal name")}[key]
            return check_text(text, caption, name=True)[1]

        return make

    def _validate_phone(self, required: bool = False) -> bool:
        original = self.customer.phone_number if self.customer is not None else None
        typed = self.phone.text()
        if original is not None and typed.strip() == original:
            self.set_error("phone_number", "")
            return True  # an unchanged stored number is the platform's business
        value, error = check_phone(typed)
        if not error and required and not value:
            self.set_error("phone_number", lambda: translate(
                "CustomerForm", "Phone number is required."))
            return False
        self.set_error("phone_number", lambda: check_phone(typed)[1])
        if not error and value and value != typed:
            self.phone.setText(value)  # show the E.164 form that will be stored
        return not error

    def _validate_iban(self) -> bool:
        if self.editing:
            return True
        typed = self.iban.text()
        self.set_error("iban", lambda: check_iban(typed)[1])
        return not self.errors["iban"].text()

    def _validate_balance(self) -> bool:
        places = self._minor_unit()
        value = parse_amount(self.balance_allowed.text(), places)
        if value is None:
            self.set_error("balance_allowed", lambda: CustomerForm.tr(  # ui/plural.py
                "Enter an amount with at most %n decimal place(s).", "", places))  # type: ignore[arg-type]
            return False
        if value < 0:
            self.set_error("balance_allowed",
                           lambda: translate("CustomerForm", "The amount cannot be negative."))
            return False
        self.set_error("balance_allowed", "")
        return True

    # -- login uniqueness (debounced, cancelled while typing) ----------------------------
    def _login_edited(self, _text: str) -> None:
        self.set_error("login", "")
        self._login_taken = None
        self.login_timer.start()

    def _check_login_now(self) -> None:
        login, error = check_login(self.login.text())
        if error or not login:
            return
        self.ops.run(
            lambda: self.service.login_taken(login),
            on_success=lambda taken: self._login_answer(login, taken),
            on_error=lambda _exc: None,  # best effort: the platform checks again on create
            parent=self,
            label=translate("CustomerForm", "Checking login…"),
            key=f"login-check:{id(self)}",
        )

    def _login_answer(self, login: str, taken: bool) -> None:
        if login != check_login(self.login.text())[0]:  # typed on since
            return
        if taken and not self._maybe_ours(login):
            self._login_taken = login
            self.set_error("login", self._login_taken_text)
        self.login_checked.emit(login, taken)

    def _maybe_ours(self, login: str) -> bool:
        """Whether this form's own create, whose answer was lost, may hold ``login``: a
        customer with it is then most likely that one (Save settles it by reading), never
        "login taken"."""
        uncertain = self.attempts.uncertain
        return uncertain is not None and bool(login) and uncertain.login == login

    def _login_taken_text(self) -> str:
        return translate("CustomerForm", "A customer with this login already exists.")

    # -- phone number's holders (once the field is left) ------------------------------------
    def _phone_left(self) -> None:
        """The number checked, then its holders looked up: a note under the field names a
        customer who already has it (the hub refuses the create; this only tells first)."""
        if not self._validate_phone():
            return
        number = check_phone(self.phone.text())[0]
        original = self.customer.phone_number if self.customer is not None else None
        if not number or (original is not None and same_phone(number, original)):
            return
        exclude = self.customer.guid if self.customer is not None else None
        self.ops.run(
            lambda: self.service.phone_holders(number, exclude),
            on_success=lambda holders: self._phone_answer(number, holders),
            on_error=lambda _exc: None,  # best effort: the hub checks again on create
            parent=self,
            label=translate("CustomerForm", "Checking phone number…"),
            key=f"phone-check:{id(self)}",
        )

    def _phone_answer(self, number: str, holders: list[CustomerView]) -> None:
        if number != check_phone(self.phone.text())[0]:  # typed on since
            return
        uncertain = self.attempts.uncertain  # this form's own create, its answer lost
        ours = uncertain is not None and same_phone(uncertain.phone_number, number)
        if holders and not ours and not self.error_text("phone_number"):
            self.set_error("phone_number", self._phone_taken_text(holders))
        self.phone_checked.emit(number, len(holders))

    @staticmethod
    def _phone_taken_text(holders: list[CustomerView]) -> Callable[[], str]:
        """"A customer with this phone number already exists", naming those this employee
        can see (none: another branch's, or a create on its way at another desk)."""
        names = ", ".join(shown(h.display_name, 80) for h in holders)

        def make() -> str:
            if not names:
                return translate("CustomerForm",
                                 "A customer with this phone number already exists.")
            return translate("CustomerForm", "A customer with this phone number already "
                             "exists: {name}").format(name=names)

        return make

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return "" if label.isHidden() else label.text()
