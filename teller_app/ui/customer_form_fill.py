"""Filling the customer form: the branch picker, and every field from the customer being edited
(a mixin of ``CustomerForm``; strings stay in the "CustomerForm" context)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox

from teller_app.core.views import CustomerView
from teller_app.ui.customer_form_checks import CustomerFormChecks
from teller_app.ui.customer_form_choices import FormChoices
from teller_app.ui.money import format_number

translate = QCoreApplication.translate


class CustomerFormFill(CustomerFormChecks):
    # set by CustomerForm.__init__ (the other widgets: see CustomerFormChecks)
    choices: FormChoices
    segment: QComboBox
    balance_asset: QComboBox
    branch: QComboBox

    # -- filling ----------------------------------------------------------------------------
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
        self.iban.setPlaceholderText(translate("CustomerForm", "see the accounts on the card"))
        self.asset.setEnabled(False)
        code = customer.balance_asset_code
        index = next((i for i in range(self.asset.count())
                      if self.asset.itemData(i).code == code), 0)
        self.asset.setCurrentIndex(index)
        self.is_disabled.setText(translate("CustomerForm", "Disabled"))
        self.is_disabled.setChecked(customer.is_disabled)
        self.surname.setText(customer.surname)
        self.name.setText(customer.name)
        self.paternal_name.setText(customer.paternal_name)
        self.phone.setText(customer.phone_number)
        segment = customer.segment
        if segment and self.segment.findData(segment) < 0:
            self.segment.addItem(segment, segment)
        self.segment.setCurrentIndex(max(0, self.segment.findData(segment)))
        self.kyc_level.setValue(customer.kyc_level)
        self.balance_allowed.setText(format_number(customer.balance_allowed, self._minor_unit()))
        balance_code = customer.balance_asset_code
        for i in range(1, self.balance_asset.count()):
            if self.balance_asset.itemData(i).code == balance_code:
                self.balance_asset.setCurrentIndex(i)
        self.status.setCurrentText(customer.status)
        branch = customer.branch_guid or None
        if branch and self.branch.findData(branch) < 0:
            self.branch.addItem(customer.branch_name or branch, branch)
        self.branch.setCurrentIndex(max(0, self.branch.findData(branch)))
