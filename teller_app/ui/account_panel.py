"""One account on the customer card: IBAN (copyable), balances per asset, account GUID."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from teller_app.core.views import AccountView
from teller_app.ui.data_text import account_name_text, account_title, asset_name_text
from teller_app.ui.money import format_money


def _selectable(text: str, parent: QWidget, object_name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if object_name:
        label.setObjectName(object_name)
    return label


def group_iban(iban: str) -> str:
    """"UA21 3223 1300 ..." — easier to read aloud to a customer."""
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


class AccountPanel(QGroupBox):
    def __init__(self, account: AccountView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = account
        self.setObjectName("accountPanel")
        name = account.name
        title = account_title(name)
        if title is None:
            shown = account_name_text(name) if name else self.tr("account")
            title = self.tr("Account: {name}").format(name=shown)
        self.setTitle(title)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        iban = account.iban
        iban_row = QHBoxLayout()
        self.iban_label = _selectable(group_iban(iban) if iban else self.tr("—"), self, "iban")
        self.iban_label.setStyleSheet("font-family: monospace;")
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("copyIban")
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the IBAN without spaces"))
        self.copy_button.setEnabled(bool(iban))
        self.copy_button.clicked.connect(lambda: self.copy_iban())
        iban_row.addWidget(self.iban_label, 1)
        iban_row.addWidget(self.copy_button)
        form.addRow(self.tr("IBAN"), iban_row)

        self.balance_labels: list[QLabel] = []
        for asset in account.assets:
            code = asset.shown_code
            title = asset_name_text(asset.name) or code
            balance = format_money(asset.balance, asset.minor_unit, code)
            label = _selectable(balance, self, "balance")
            label.setStyleSheet("font-size: 15pt; font-weight: 600;")
            self.balance_labels.append(label)
            asset_text = f"{title} ({code})" if title != code else code
            stellar = asset.stellar_code
            if stellar and stellar != code:
                asset_text += f" · {stellar}"
            form.addRow(self.tr("Asset"), _selectable(asset_text, self))
            form.addRow(self.tr("Balance"), label)
        if not self.balance_labels:
            form.addRow(self.tr("Balance"), QLabel(self.tr("no assets"), self))

        guid_label = _selectable(account.guid, self, "accountGuid")
        guid_label.setStyleSheet("color: #666; font-family: monospace;")
        form.addRow(self.tr("Account GUID"), guid_label)

    def copy_iban(self) -> None:
        iban = self.account.iban.replace(" ", "")
        if iban:
            QGuiApplication.clipboard().setText(iban)

    def balance_texts(self) -> list[str]:
        return [label.text() for label in self.balance_labels]
