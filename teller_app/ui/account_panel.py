"""One account on the customer card, titled by its type and assets ("Customer account · UAH"):
IBAN (copyable), balances per asset, account GUID.

Its texts follow a live language switch (``retranslate`` on LanguageChange): captions, the
title, asset names and the balances (formatted in the new locale); nothing is rebuilt."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QToolButton,
    QWidget,
)

from teller_app.core.views import AccountView, AssetBalance
from teller_app.ui.a11y_form import plain
from teller_app.ui.clipboard_guard import copy_text
from teller_app.ui.data_text import account_name_text, account_title, asset_name_text
from teller_app.ui.money import format_money


def _selectable(text: str, parent: QWidget, object_name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # platform text is never read as markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if object_name:
        label.setObjectName(object_name)
    return label


def caption_row(form: QFormLayout, field: QWidget | QLayout, parent: QWidget) -> QLabel:
    """A form row whose caption is set later (``set_caption``), the field's buddy."""
    caption = QLabel(parent)
    if isinstance(field, QWidget):
        caption.setBuddy(field)
    form.addRow(caption, field)
    return caption


def set_caption(caption: QLabel, text: str) -> None:
    """A caption's text; its field's accessible name (a11y.tie_labels) follows it."""
    caption.setText(text)
    field = caption.buddy()
    if field is not None and field.accessibleName():
        field.setAccessibleName(plain(text))


def group_iban(iban: str) -> str:
    """"UA21 3223 1300 ..." — easier to read aloud to a customer."""
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def asset_text(asset: AssetBalance) -> str:
    code = asset.shown_code
    title = asset_name_text(asset.name) or code
    text = f"{title} ({code})" if title != code else code
    stellar = asset.stellar_code
    return text + f" · {stellar}" if stellar and stellar != code else text


def titled_by_assets(title: str, assets: tuple[AssetBalance, ...]) -> str:
    """"Customer account · UAH": a customer's accounts share their type's title, so each box
    also names its assets' codes (as its balances show them), the one thing that differs."""
    codes = ", ".join(dict.fromkeys(a.shown_code for a in assets if a.shown_code))
    return f"{title} · {codes}" if codes else title


class AccountPanel(QGroupBox):
    def __init__(self, account: AccountView, parent: QWidget | None = None,
                 copy_letter: bool = True) -> None:
        super().__init__(parent)
        self.account = account
        # Copy's Alt+letter on the first account only: on several it would only move the
        # focus between their Copy buttons, copying nothing
        self.copy_letter = copy_letter
        self.setObjectName("accountPanel")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        iban = account.iban
        self.iban_label = _selectable(group_iban(iban), self, "iban")
        self.iban_label.setStyleSheet("font-family: monospace;")
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("copyIban")
        self.copy_button.setEnabled(bool(iban))
        self.copy_button.clicked.connect(lambda: self.copy_iban())
        # one row: a stacking row nested in the card's own columns settled on the wrong
        # pair of directions (the IBAN's last digits under Copy); the dock gives way instead
        iban_row = QHBoxLayout()
        iban_row.addWidget(self.iban_label, 1)
        iban_row.addWidget(self.copy_button)
        self.iban_caption = caption_row(form, iban_row, self)

        # (asset caption, asset name, balance caption, balance) per asset
        self.asset_rows: list[tuple[QLabel, QLabel, QLabel, QLabel]] = []
        self.balance_labels: list[QLabel] = []
        for _asset in account.assets:
            name = _selectable("", self)
            asset_caption = caption_row(form, name, self)
            label = _selectable("", self, "balance")
            label.setStyleSheet("font-size: 15pt; font-weight: 600;")
            self.balance_labels.append(label)
            self.asset_rows.append((asset_caption, name, caption_row(form, label, self), label))
        self.no_assets: tuple[QLabel, QLabel] | None = None
        if not self.balance_labels:
            empty = QLabel(self)
            self.no_assets = (caption_row(form, empty, self), empty)

        guid_label = _selectable(account.guid, self, "accountGuid")
        guid_label.setStyleSheet("color: #666; font-family: monospace;")
        self.guid_caption = caption_row(form, guid_label, self)
        self.retranslate()

    def retranslate(self) -> None:
        account = self.account
        title = account_title(account.name)
        if title is None:
            shown = account_name_text(account.name) if account.name else self.tr("account")
            title = self.tr("Account: {name}").format(name=shown)
        self.setTitle(titled_by_assets(title, account.assets))
        if not account.iban:
            self.iban_label.setText(self.tr("—"))
        copy = self.tr("Co&py")
        self.copy_button.setText(copy if self.copy_letter else copy.replace("&", ""))
        self.copy_button.setToolTip(self.tr("Copy the IBAN without spaces"))
        set_caption(self.iban_caption, self.tr("IBAN"))
        for asset, (asset_caption, name, balance_caption, balance) in zip(
                account.assets, self.asset_rows, strict=True):
            set_caption(asset_caption, self.tr("Asset"))
            name.setText(asset_text(asset))
            set_caption(balance_caption, self.tr("Balance"))
            balance.setText(format_money(asset.balance, asset.minor_unit, asset.shown_code))
        if self.no_assets is not None:
            set_caption(self.no_assets[0], self.tr("Balance"))
            self.no_assets[1].setText(self.tr("no assets"))
        set_caption(self.guid_caption, self.tr("Account GUID"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def copy_iban(self) -> None:
        iban = self.account.iban.replace(" ", "")
        if iban:
            copy_text(iban)  # taken off again on lock, sign-out and quit

    def balance_texts(self) -> list[str]:
        return [label.text() for label in self.balance_labels]
