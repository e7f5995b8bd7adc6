"""Customers: list entries, create and update bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Required

from pydantic import ConfigDict, Field, PrivateAttr, TypeAdapter, model_serializer
from typing_extensions import TypedDict

from ._base import (
    Bool,
    Int,
    Money,
    NullList,
    OptGuid,
    RequestModel,
    Str,
    Timestamp,
    WireModel,
)


class Customer(WireModel):
    wallet_user_guid: str
    counterparty_guid: Str = ""
    login: Str = ""
    kyc_level: Int = 0
    is_disabled: Bool = False
    balance_allowed: Money = Decimal(0)
    balance_asset_code: Str = ""
    balance_asset_issuer: Str = ""
    branch_guid: OptGuid = None
    branch_name: Str = ""
    name: Str = ""
    paternal_name: Str = ""
    phone_number: Str = ""
    segment: Str = ""
    status: Str = ""
    surname: Str = ""
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @property
    def customer_guid(self) -> str:
        """The same GUID under the name the create/accounts endpoints use."""
        return self.wallet_user_guid


class CustomerPage(WireModel):
    customers: Annotated[list[Customer], NullList] = Field(default_factory=list)
    total: Int = 0
    # The platform's clock when it answered (HTTP Date, whole seconds); not a wire field.
    _server_time: datetime | None = PrivateAttr(default=None)

    @property
    def server_time(self) -> datetime | None:
        return self._server_time

    @server_time.setter
    def server_time(self, value: datetime | None) -> None:
        self._server_time = value


class CustomerRecord(TypedDict, total=False):
    """A ``Customer`` as a validated plain dict: the same fields, types and tolerances (keep
    the two in step), unknown fields kept, absent ones absent. For bulk reads (sync): one
    object a row instead of a model's five, so a 1000-row page validates faster and leaves
    far less for the garbage collector, whose full collections stall the UI thread."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    wallet_user_guid: Required[str]
    counterparty_guid: Str
    login: Str
    kyc_level: Int
    is_disabled: Bool
    balance_allowed: Money
    balance_asset_code: Str
    balance_asset_issuer: Str
    branch_guid: OptGuid
    branch_name: Str
    name: Str
    paternal_name: Str
    phone_number: Str
    segment: Str
    status: Str
    surname: Str
    created_at: Timestamp
    updated_at: Timestamp


class _CustomerRecordList(TypedDict, total=False):
    customers: Annotated[list[CustomerRecord], NullList]
    total: Int


CUSTOMER_RECORDS: TypeAdapter[_CustomerRecordList] = TypeAdapter(_CustomerRecordList)


@dataclass(frozen=True, slots=True)
class CustomerRecordPage:
    """``list_customer_records``: the customers as ``CustomerRecord`` dicts."""

    customers: list[CustomerRecord]
    total: int
    server_time: datetime | None = None  # the platform's clock (HTTP Date, whole seconds)


class NewCustomer(RequestModel):
    """Body of "create customer with first account". Only set fields are sent."""

    asset_code: str
    asset_issuer: str
    login: str | None = None
    name: str | None = None
    surname: str | None = None
    paternal_name: str | None = None
    phone_number: str | None = None
    balance_allowed: Decimal | None = None
    balance_asset_code: str | None = None
    balance_asset_issuer: str | None = None
    branch_guid: str | None = None
    iban: str | None = None
    is_disabled: bool | None = None
    kyc_level: int | None = None
    segment: str | None = None
    status: str | None = None

    def wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class NullableString(RequestModel):
    """The platform's nullable wrapper: ``{"valid": false}`` clears the value."""

    valid: bool
    value: str = ""


class CustomerUpdate(RequestModel):
    """Partial update: only the fields that were set are sent (``None`` is sent as-is only
    for ``branch_guid``, meaning "clear": ``{"valid": false, "value": ""}``)."""

    balance_allowed: Decimal | None = None
    balance_asset_code: str | None = None
    balance_asset_issuer: str | None = None
    branch_guid: str | None = None
    is_disabled: bool | None = None
    kyc_level: int | None = None
    name: str | None = None
    paternal_name: str | None = None
    phone_number: str | None = None
    segment: str | None = None
    status: str | None = None
    surname: str | None = None
    wallet_user_guid: str | None = None

    @model_serializer(mode="plain")
    def _only_set(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "branch_guid":
                body[name] = (
                    {"valid": False, "value": ""} if not value else {"valid": True, "value": value}
                )
            elif value is not None:
                body[name] = value
        return body

    def wire(self) -> dict[str, Any]:
        return self.model_dump()
