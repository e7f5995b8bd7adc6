"""Accounts (digital entities) with their per-asset balances."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from ._base import (
    DEFAULT_MINOR_UNIT,
    Bool,
    Int,
    MinorUnit,
    Money,
    NullList,
    OptGuid,
    Str,
    Timestamp,
    WireModel,
    quantize,
)


class AssetBalance(WireModel):
    activated: Bool = False
    balance: Money = Decimal(0)
    code: Str = ""
    minor_unit: MinorUnit = DEFAULT_MINOR_UNIT
    name: Str = ""
    platform: Str = ""
    stellar_code: Str = ""
    stellar_issuer: Str = ""

    @model_validator(mode="after")
    def _quantize(self) -> AssetBalance:
        self.balance = quantize(self.balance, self.minor_unit)
        return self


class AccountWithAssets(WireModel):
    """A customer's account as returned by customer accounts, create customer and the
    single-account GET. ``guid`` == ``wallet_account_guid``; ``type`` is the account type GUID."""

    activated: Bool = False
    assets: Annotated[list[AssetBalance], NullList] = Field(default_factory=list)
    assets_total: Int = 0
    blocked: Bool = False
    guid: Str = ""
    wallet_account_guid: Str = ""
    iban: Str = ""
    name: Str = ""
    platform: Str = ""
    registered: Bool = False
    type: Str = ""

    @model_validator(mode="after")
    def _same_guid(self) -> AccountWithAssets:
        if not self.wallet_account_guid:
            self.wallet_account_guid = self.guid
        if not self.guid:
            self.guid = self.wallet_account_guid
        return self

    def asset(self, code: str) -> AssetBalance | None:
        """The asset with API code or Stellar code ``code``."""
        for item in self.assets:
            if code in (item.code, item.stellar_code):
                return item
        return None


CustomerAccount = AccountWithAssets


class CreatedCustomer(AccountWithAssets):
    """Create-customer response: the new customer's GUID and its first account. A missing
    or empty ``customer_guid`` is an error (the answer is unusable), never ""."""

    customer_guid: str = Field(min_length=1)


class CustomerAccounts(WireModel):
    accounts: Annotated[list[AccountWithAssets], NullList] = Field(default_factory=list)
    total: Int = 0


class Account(WireModel):
    """An entry of the accounts list (no balances)."""

    account_kind: Str = ""  # customer | processing | emission | root (open set)
    counterparty_guid: Str = ""
    created_at: Timestamp = None
    iban: Str = ""
    stellar_address: Str = ""
    updated_at: Timestamp = None
    wallet_account_guid: Str = ""
    wallet_user_external_id: Str = ""
    wallet_user_guid: Str = ""
    branch_guid: OptGuid = None


class AccountPage(WireModel):
    accounts: Annotated[list[Account], NullList] = Field(default_factory=list)
    total: Int = 0
