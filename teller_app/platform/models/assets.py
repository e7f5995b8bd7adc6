"""Accounts (digital entities) with their per-asset balances."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from ._base import DEFAULT_MINOR_UNIT, Int, Money, OptGuid, Str, Timestamp, WireModel, quantize


class AssetBalance(WireModel):
    activated: bool = False
    balance: Money = Decimal(0)
    code: Str = ""
    minor_unit: Int = DEFAULT_MINOR_UNIT
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

    activated: bool = False
    assets: list[AssetBalance] = Field(default_factory=list)
    assets_total: Int = 0
    blocked: bool = False
    guid: Str = ""
    wallet_account_guid: Str = ""
    iban: Str = ""
    name: Str = ""
    platform: Str = ""
    registered: bool = False
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
    """Create-customer response: the new customer's GUID and its first account."""

    customer_guid: Str = ""


class CustomerAccounts(WireModel):
    accounts: list[AccountWithAssets] = Field(default_factory=list)
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
    accounts: list[Account] = Field(default_factory=list)
    total: Int = 0
