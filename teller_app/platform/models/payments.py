"""Payments (transfers) and payment limits."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ._base import (
    DEFAULT_MINOR_UNIT,
    Int,
    Money,
    NullList,
    RequestModel,
    Str,
    Timestamp,
    WireModel,
    exact_amount,
    quantize,
)


class PaymentStatus(StrEnum):
    CREATED = "CREATED"  # [D] draft
    CONFIRMED = "CONFIRMED"  # [D] executed on Stellar
    FAILED = "FAILED"  # [A] simulator
    UNKNOWN = "UNKNOWN"  # anything else; the raw value is kept in Payment.status_raw


def _minor_unit_of(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        unit = int(value)
    except (TypeError, ValueError):
        return None
    return unit if 0 <= unit <= 18 else None


class StellarInfo(WireModel):
    hash: Str = ""


class Payment(WireModel):
    guid: str
    amount: Money = Decimal(0)
    asset_code: Str = ""
    asset_issuer: Str = ""
    category: Str = ""
    category_guid: Str = ""
    purpose: Str = ""
    fee: Money = Decimal(0)
    target_balance: Money | None = None
    sender_id: Str = ""
    sender_counterparty: Str = ""
    sender_account_account_kind: Str = ""
    receiver_id: Str = ""
    receiver_counterparty: Str = ""
    receiver_account_account_kind: Str = ""
    status: PaymentStatus = PaymentStatus.UNKNOWN
    status_raw: Str = ""
    stellar_info: StellarInfo | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    deleted_at: Timestamp = None

    @model_validator(mode="before")
    @classmethod
    def _keep_raw_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status_raw" not in data:
            data = {**data, "status_raw": data.get("status") or ""}
        return data

    @field_validator("status", mode="before")
    @classmethod
    def _open_status(cls, value: Any) -> PaymentStatus:
        text = str(value or "").upper()
        try:
            return PaymentStatus(text)
        except ValueError:
            return PaymentStatus.UNKNOWN

    @model_validator(mode="after")
    def _quantize(self) -> Payment:
        # Quantised by the asset's minor unit when the payment says it; otherwise exact as
        # received (guessing 2 places would round a 0- or 3-place asset's amounts).
        minor_unit = _minor_unit_of((self.model_extra or {}).get("minor_unit"))
        if minor_unit is None:
            return self
        self.amount = quantize(self.amount, minor_unit)
        self.fee = quantize(self.fee, minor_unit)
        if self.target_balance is not None:
            self.target_balance = quantize(self.target_balance, minor_unit)
        return self

    @property
    def stellar_hash(self) -> str:
        return self.stellar_info.hash if self.stellar_info else ""


class PaymentPage(WireModel):
    payments: Annotated[list[Payment], NullList] = Field(default_factory=list)
    total: Int = 0


class NewPayment(RequestModel):
    """Body of "create payment" (a draft; confirm it with ``confirm_payment``).
    ``minor_unit`` is not sent: it checks that ``amount`` has no more precision than the asset."""

    amount: Decimal
    asset_code: str
    asset_issuer: str
    category_guid: str | None = None
    purpose: str | None = None
    sender_id: str | None = None
    receiver_id: str | None = None
    sender_iban: str | None = None
    receiver_iban: str | None = None
    target_balance: Decimal | None = None
    minor_unit: int = Field(default=DEFAULT_MINOR_UNIT, exclude=True)

    @model_validator(mode="after")
    def _exact(self) -> NewPayment:
        if self.amount <= 0:
            raise ValueError("amount must be positive")
        self.amount = exact_amount(self.amount, self.minor_unit)
        if self.target_balance is not None:
            self.target_balance = exact_amount(self.target_balance, self.minor_unit)
        return self

    def wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PeriodLimit(WireModel):
    max: Money = Decimal(0)
    period_key: Int = 1


class AmountLimit(WireModel):
    """Per-period ("customer amount") limits: ``period`` maps day/week/month/year/custom."""

    account_type_guid: Str = ""
    asset_code: Str = ""
    asset_issuer: Str = ""
    customer_guid: Str = ""
    period: Annotated[dict[str, PeriodLimit], BeforeValidator(lambda v: v or {})] = Field(
        default_factory=dict
    )


class PaymentLimit(WireModel):
    """Per-operation ("customer payment") limit; both bounds exclusive: min < amount < max."""

    account_type_guid: Str = ""
    asset_code: Str = ""
    asset_issuer: Str = ""
    customer_guid: Str = ""
    min: Money | None = None
    max: Money | None = None


class NewLimit(RequestModel):
    """Body for setting a customer's amount (period) or payment (operation) limit.
    ``asset_code``/``asset_issuer`` are the account's ``stellar_code``/``stellar_issuer``."""

    customer_guid: str
    account_type_guid: str
    asset_code: str
    asset_issuer: str
    max: Decimal
    min: Decimal | None = None
    period: str | None = None  # day | week | month | year | custom
    period_key: int | None = None  # N days (> 1) for "custom", else 1

    def wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)
