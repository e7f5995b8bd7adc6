"""Filling the customer form and reading it back: the branch picker, every field from the
customer being edited, and the values typed as a create body or the changed fields of an
edit (a mixin of ``CustomerForm``; strings stay in the "CustomerForm" context).

The pickers show data values translated (``ui/data_text``) and keep the value as item data;
``_retranslate_choices`` re-texts them in place, so a live language switch keeps every pick."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox

from teller_app.core.person_name import normalise_person_name
from teller_app.core.views import CustomerView
from teller_app.platform import NewCustomer
from teller_app.platform.phones import same_number_written
from teller_app.platform.status_words import status_key
from teller_app.ui.customer_form_checks import CustomerFormChecks
from teller_app.ui.customer_form_choices import AssetChoice, FormChoices
from teller_app.ui.data_text import STATUSES, segment_text, status_text
from teller_app.ui.money import format_number, parse_amount
from teller_app.ui.validators import check_iban, check_login, check_phone

translate = QCoreApplication.translate
STATUS_SUGGESTIONS = ("active", "pending", "inactive")


class CustomerFormFill(CustomerFormChecks):
    # set by CustomerForm.__init__ (the other widgets: see CustomerFormChecks)
    choices: FormChoices
    segment: QComboBox
    balance_asset: QComboBox
    branch: QComboBox

    # -- filling ----------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        """The pickers' items, each with its value as data (texts: ``_retranslate_choices``)."""
        for asset in self.choices.assets:
            self.asset.addItem(asset.label, asset)
        self.segment.addItem("", "")  # "(none)"
        for name in self.choices.segments:
            self.segment.addItem(name, name)
        self.balance_asset.addItem("", None)  # "(same as the account's asset)"
        for asset in self.choices.assets:
            self.balance_asset.addItem(asset.label, asset)
        for value in ("", *STATUS_SUGGESTIONS):
            self.status.addItem(value, value)  # shown translated, the value kept as data
        # "(none)" picked empties the box (its hint shows): no status, and no "(none)" text
        self.status.activated.connect(lambda i: self.status.setEditText("") if i == 0 else None)
        self._fill_branches()

    def _fill_branches(self) -> None:
        if self.choices.fixed_branch is not None:
            guid, name = self.choices.fixed_branch
            self.branch.addItem(name, guid)
            self.branch.setEnabled(False)
            return
        self.branch.addItem(translate("CustomerForm", "(head office — no branch)"), None)
        for guid, name in self.choices.branches:
            self.branch.addItem(name, guid)

    def _fill_from(self, customer: CustomerView) -> None:
        self.login.setText(customer.login)
        for widget in (self.login, self.iban):
            widget.setReadOnly(True)
        self.asset.setEnabled(False)
        code = customer.balance_asset_code
        index = next((i for i in range(self.asset.count())
                      if self.asset.itemData(i).code == code), 0)
        self.asset.setCurrentIndex(index)
        self.is_disabled.setChecked(customer.is_disabled)
        self.surname.setText(customer.surname)
        self.name.setText(customer.name)
        self.paternal_name.setText(customer.paternal_name)
        self.phone.setText(customer.phone_number)
        segment = customer.segment
        if segment and self.segment.findData(segment) < 0:
            self.segment.addItem(segment_text(segment), segment)
        self.segment.setCurrentIndex(max(0, self.segment.findData(segment)))
        self.kyc_level.setValue(customer.kyc_level)
        self.balance_allowed.setText(format_number(customer.balance_allowed, self._minor_unit()))
        balance_code = customer.balance_asset_code
        for i in range(1, self.balance_asset.count()):
            if self.balance_asset.itemData(i).code == balance_code:
                self.balance_asset.setCurrentIndex(i)
        self._show_status(customer.status)
        branch = customer.branch_guid or None
        if branch and self.branch.findData(branch) < 0:
            self.branch.addItem(customer.branch_name or branch, branch)
        self.branch.setCurrentIndex(max(0, self.branch.findData(branch)))

    def _show_status(self, value: str) -> None:
        """Put a status value in the (editable) status box, translated when it is known."""
        self.status.setCurrentText(status_text(value))

    # -- language ---------------------------------------------------------------------------
    def _retranslate_choices(self) -> None:
        """Re-text the pickers' items in place (``setItemText``: every current index and the
        status typed or picked stay)."""
        for combo in (self.asset, self.balance_asset):
            for i in range(combo.count()):
                data = combo.itemData(i)
                _set_item_text(combo, i, data.label if isinstance(data, AssetChoice)
                               else translate("CustomerForm", "(same as the account's asset)"))
        for i in range(self.segment.count()):
            data = self.segment.itemData(i)
            _set_item_text(self.segment, i, segment_text(data) if data
                           else translate("CustomerForm", "(none)"))
        for i in range(self.branch.count()):
            if self.branch.itemData(i) is None:  # a branch's own name is data: never re-texted
                _set_item_text(self.branch, i,
                               translate("CustomerForm", "(head office — no branch)"))
        # The status box is editable: its text is what goes to the platform. Re-text the
        # suggestions, then show the same status in the new language (anything typed stays).
        typed = self.status.currentText()
        value = self._status_value()  # read with the previous language's names
        none = translate("CustomerForm", "(none)")
        self._status_shown = {status_text(s): s for s in STATUSES}
        for i in range(self.status.count()):
            data = self.status.itemData(i)
            if isinstance(data, str):
                _set_item_text(self.status, i, status_text(data) if data else none)
        wanted = "" if not value else status_text(value) if value in STATUSES else typed
        if self.status.currentText() != wanted:
            self.status.setEditText(wanted)

    # -- reading back -----------------------------------------------------------------------
    def _branch_guid(self) -> str | None:
        data = self.branch.currentData()
        return str(data) if data else None

    def _values(self) -> dict[str, Any]:
        """Normalised values of the editable fields (as the platform will store them)."""
        balance = parse_amount(self.balance_allowed.text(), self._minor_unit()) or Decimal(0)
        balance_asset = self.balance_asset.currentData()
        values: dict[str, Any] = {
            "name": self._name_value("name", self.name.text()),
            "surname": self._name_value("surname", self.surname.text()),
            "paternal_name": self._name_value("paternal_name", self.paternal_name.text()),
            "phone_number": self._phone_value(self.phone.text()),
            "segment": self.segment.currentData() or "",
            "kyc_level": self.kyc_level.value(),
            "balance_allowed": balance,
            "status": self._status_value(),
            "branch_guid": self._branch_guid(),
        }
        if isinstance(balance_asset, AssetChoice):
            values["balance_asset_code"] = balance_asset.code
            values["balance_asset_issuer"] = balance_asset.issuer
        return values

    def _name_value(self, key: str, typed: str) -> str:
        """A name part as it will be stored (``normalise_person_name``: NFC, one apostrophe,
        single spaces); a stored name the teller left as it was stays exactly as stored, so
        an edit never rewrites a name nobody touched."""
        if self.customer is not None and typed == getattr(self.customer, key):
            return typed
        return normalise_person_name(typed)

    def _phone_value(self, typed: str) -> str:
        """The phone number as it will be stored (E.164); the stored number, as it is
        stored, while the one typed is the same number (``same_phone``): an edit of another
        field never re-sends, rewrites or asks a supervisor for a number nobody changed."""
        stored = self.customer.phone_number if self.customer is not None else ""
        if stored and (typed.strip() == stored or same_number_written(typed, stored)):
            return stored
        return check_phone(typed)[0]

    def _new_customer(self) -> NewCustomer:
        asset = self._asset()
        assert asset is not None
        values = self._values()
        body: dict[str, Any] = {
            "asset_code": asset.code,
            "asset_issuer": asset.issuer,
            "login": check_login(self.login.text())[0],
            "iban": check_iban(self.iban.text())[0] or None,
            "is_disabled": self.is_disabled.isChecked() or None,
        }
        for key, value in values.items():
            if value not in ("", None):
                body[key] = value
        if body.get("balance_allowed") == 0:
            body.pop("balance_allowed")
        if body.get("kyc_level") == 0:
            body.pop("kyc_level")
        return NewCustomer(**body)

    def _changed_fields(self, original: CustomerView) -> dict[str, Any]:
        stored = dataclasses.asdict(original)
        changed: dict[str, Any] = {}
        for key, value in self._values().items():
            before = stored.get(key)
            if key == "balance_allowed":
                if Decimal(str(before or 0)) != value:
                    changed[key] = value
            elif key == "branch_guid":
                if (before or None) != value:
                    changed[key] = value
            elif key == "status":  # "Заблокована" stored, read back as "blocked": the same
                if value != (before or "") and status_key(value) != status_key(before):
                    changed[key] = value
            elif key in ("balance_asset_code", "balance_asset_issuer"):
                if value != (before or ""):
                    changed[key] = value
            elif (before if before is not None else "") != value:
                changed[key] = value
        if self.is_disabled.isChecked() != original.is_disabled:
            changed["is_disabled"] = self.is_disabled.isChecked()
        return changed


def _set_item_text(combo: QComboBox, index: int, text: str) -> None:
    if combo.itemText(index) != text:
        combo.setItemText(index, text)
