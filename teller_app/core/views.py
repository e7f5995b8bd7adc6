"""What the UI sees of a customer and their accounts, whichever source it came from.

A customer reaches the desk either as a platform model (``platform.Customer``,
``AccountWithAssets``) or as a cache row (``cache.CustomerRow``, ``AccountRow``). Each source has
exactly one adapter here; the card, the form, the account panel and the main window only see
these frozen types, so a misspelt field is a type error rather than a silent "" on screen.
Field names follow the platform's wire names (the form builds a ``CustomerUpdate`` from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from teller_app.cache.rows import AccountRow, AssetRow, CustomerRow
from teller_app.core.person_name import official_name
from teller_app.platform import Customer
from teller_app.platform.models.assets import AccountWithAssets
from teller_app.platform.models.assets import AssetBalance as WireAsset


@dataclass(frozen=True, slots=True)
class AssetBalance:
    code: str
    name: str = ""
    balance: Decimal = Decimal(0)
    minor_unit: int = 2
    stellar_code: str = ""

    @property
    def shown_code(self) -> str:
        """The API code, or the Stellar code when the server gave none."""
        return self.code or self.stellar_code


@dataclass(frozen=True, slots=True)
class AccountView:
    guid: str  # == the platform's wallet_account_guid
    iban: str = ""
    name: str = ""
    type: str = ""
    assets: tuple[AssetBalance, ...] = ()
    fetched_at: float = 0.0  # epoch seconds the cache stored it; 0 = fresh from the platform


@dataclass(frozen=True, slots=True)
class CustomerView:
    wallet_user_guid: str
    login: str = ""
    name: str = ""
    surname: str = ""
    paternal_name: str = ""
    phone_number: str = ""
    kyc_level: int = 0
    is_disabled: bool = False
    balance_allowed: Decimal = Decimal(0)
    balance_asset_code: str = ""
    balance_asset_issuer: str = ""
    segment: str = ""
    status: str = ""
    branch_guid: str = ""  # "" = none known
    branch_name: str = ""
    fetched_at: float = 0.0  # epoch seconds the cache stored it; 0 = fresh from the platform

    @property
    def guid(self) -> str:
        return self.wallet_user_guid

    @property
    def full_name(self) -> str:
        return official_name(self.surname, self.name, self.paternal_name)

    @property
    def display_name(self) -> str:
        """Full name, else login, else GUID: never empty for a real customer."""
        return self.full_name or self.login or self.wallet_user_guid


# -- the platform adapter ------------------------------------------------------------------
def customer_from_platform(c: Customer) -> CustomerView:
    return CustomerView(
        wallet_user_guid=c.wallet_user_guid, login=c.login, name=c.name, surname=c.surname,
        paternal_name=c.paternal_name, phone_number=c.phone_number, kyc_level=c.kyc_level,
        is_disabled=c.is_disabled, balance_allowed=c.balance_allowed,
        balance_asset_code=c.balance_asset_code, balance_asset_issuer=c.balance_asset_issuer,
        segment=c.segment, status=c.status,
        branch_guid=c.branch_guid or "", branch_name=c.branch_name)


def _asset_from_platform(a: WireAsset) -> AssetBalance:
    return AssetBalance(code=a.code, name=a.name, balance=a.balance, minor_unit=a.minor_unit,
                        stellar_code=a.stellar_code)


def account_from_platform(a: AccountWithAssets) -> AccountView:
    return AccountView(guid=a.wallet_account_guid or a.guid, iban=a.iban, name=a.name,
                       type=a.type, assets=tuple(_asset_from_platform(x) for x in a.assets))


# -- the cache adapter ---------------------------------------------------------------------
def customer_from_row(r: CustomerRow) -> CustomerView:
    return CustomerView(
        wallet_user_guid=r.wallet_user_guid, login=r.login, name=r.name, surname=r.surname,
        paternal_name=r.paternal_name, phone_number=r.phone_number, kyc_level=r.kyc_level,
        is_disabled=r.is_disabled, balance_allowed=r.balance_allowed, segment=r.segment,
        status=r.status, branch_guid=r.branch_guid, branch_name=r.branch_name,
        fetched_at=r.fetched_at)


def _asset_from_row(a: AssetRow) -> AssetBalance:
    return AssetBalance(code=a.code, name=a.name, balance=a.balance, minor_unit=a.minor_unit,
                        stellar_code=a.stellar_code)


def account_from_row(a: AccountRow) -> AccountView:
    return AccountView(guid=a.guid, iban=a.iban, name=a.name, type=a.type,
                       assets=tuple(_asset_from_row(x) for x in a.assets),
                       fetched_at=a.fetched_at)


# -- either ----------------------------------------------------------------------------------
CustomerLike = CustomerView | Customer | CustomerRow


def customer_view(c: CustomerLike) -> CustomerView:
    """The view of a customer from any source (search rows, platform answers, views)."""
    if isinstance(c, CustomerView):
        return c
    if isinstance(c, CustomerRow):
        return customer_from_row(c)
    return customer_from_platform(c)
