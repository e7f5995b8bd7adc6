"""Request bodies. Strict types (a string is not a number, ``"true"`` is not a boolean); unknown
fields are ignored; amounts are JSON numbers parsed into Decimal.

Fields stay optional for validation: the handlers check presence, lengths, GUIDs and ranges and
answer 400 with DCM's own messages. ``wire``/``requires`` (contract.py) put those same checks
in the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, model_validator

from .contract import UUID, requires, text, wire
from .money import MAX_AMOUNT, WireDecimal

# Amounts: JSON numbers with at most 2 decimal places (checked by money.to_minor).
AMOUNT = {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_AMOUNT)}
AMOUNT_OR_ZERO = {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)}
NAME = text(500)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    @model_validator(mode="after")
    def _decode_like_go(self) -> Self:
        """A ``\\ud800`` escape without its pair is read as U+FFFD, as Go's encoding/json
        reads it (SQLite cannot store a lone surrogate: it was a 500)."""
        for name, value in self:
            if isinstance(value, str) and _LONE_SURROGATE.search(value):
                setattr(self, name, _LONE_SURROGATE.sub("\ufffd", value))
        return self


class NewCustomerBody(Body):
    model_config = requires("asset_code", "asset_issuer")

    asset_code: StrictStr | None = wire(text(64, 1))
    asset_issuer: StrictStr | None = wire(text(128, 1))
    balance_allowed: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    balance_asset_code: StrictStr | None = wire(NAME)
    balance_asset_issuer: StrictStr | None = wire(NAME)
    branch_guid: StrictStr | None = wire(UUID)
    iban: StrictStr | None = wire(text(34))
    is_disabled: StrictBool | None = None
    kyc_level: StrictInt | None = wire({"type": "integer", "minimum": 0, "maximum": 1_000_000})
    login: StrictStr | None = wire(NAME)
    name: StrictStr | None = wire(NAME)
    paternal_name: StrictStr | None = wire(NAME)
    phone_number: StrictStr | None = wire(NAME)
    segment: StrictStr | None = wire(NAME)
    status: StrictStr | None = wire(text(2000))
    surname: StrictStr | None = wire(NAME)


class NullableString(Body):
    valid: StrictBool = True
    value: StrictStr | None = wire(UUID)


class CustomerUpdateBody(Body):
    balance_allowed: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    balance_asset_code: StrictStr | None = wire(NAME)
    balance_asset_issuer: StrictStr | None = wire(NAME)
    # The documented shape is {"valid": bool, "value": "guid"}; a bare string is also accepted.
    branch_guid: NullableString | StrictStr | None = None
    is_disabled: StrictBool | None = None
    kyc_level: StrictInt | None = wire({"type": "integer", "minimum": 0, "maximum": 1_000_000})
    name: StrictStr | None = wire(NAME)
    paternal_name: StrictStr | None = wire(NAME)
    phone_number: StrictStr | None = wire(NAME)
    segment: StrictStr | None = wire(NAME)
    status: StrictStr | None = wire(text(2000))
    surname: StrictStr | None = wire(NAME)
    wallet_user_guid: StrictStr | None = wire(UUID)


class NewCustomerAccountBody(Body):
    iban: StrictStr | None = wire(text(34))
    # Extensions (the docs name only iban): which asset; default the first one the customer's
    # segment offers that the customer does not hold yet.
    asset_code: StrictStr | None = wire(text(64))
    asset_issuer: StrictStr | None = wire(text(128))


class NewAccountBody(Body):
    model_config = requires("account_kind")

    account_kind: StrictStr | None = wire({"type": "string", "enum": ["processing",
                                                                      "emission"]})
    iban: StrictStr | None = wire(text(34))
    key_keeper_login: StrictStr | None = None
    branch_guid: StrictStr | None = wire(UUID)


class NewPaymentBody(Body):
    model_config = requires("amount", "asset_code", "asset_issuer")

    amount: WireDecimal | None = wire(AMOUNT)
    asset_code: StrictStr | None = wire(text(64, 1))
    asset_issuer: StrictStr | None = wire(text(128, 1))
    category_guid: StrictStr | None = wire(UUID)
    purpose: StrictStr | None = wire(text(1000))
    receiver_iban: StrictStr | None = wire(text(34))
    receiver_id: StrictStr | None = wire(UUID)
    sender_iban: StrictStr | None = wire(text(34))
    sender_id: StrictStr | None = wire(UUID)
    target_balance: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    external_transaction_id: StrictStr | None = None


class ConfirmPaymentBody(Body):
    model_config = requires("payment_guid")

    payment_guid: StrictStr | None = wire(UUID)
    bank_guid: StrictStr | None = wire(UUID)


class BranchBody(Body):
    model_config = requires("name")

    name: StrictStr | None = wire(text(200, 1))


class BranchUpdateBody(Body):
    name: StrictStr | None = wire(text(200, 1))
    is_deleted: StrictBool | None = None


class NewEmployeeBody(Body):
    model_config = requires("email")

    branch_guid: StrictStr | None = wire(UUID)
    branch_name: StrictStr | None = wire(NAME)
    email: StrictStr | None = wire({"type": "string", "format": "email", "maxLength": 254})
    name: StrictStr | None = wire(NAME)
    surname: StrictStr | None = wire(NAME)
    paternal_name: StrictStr | None = wire(NAME)
    phone: StrictStr | None = wire(NAME)
    roles: list[StrictStr] | None = None
    password: StrictStr | None = None  # simulator extension: no e-mail verification here


class EmployeeUpdateBody(Body):
    branch_guid: StrictStr | None = wire(UUID)
    branch_name: StrictStr | None = wire(NAME)
    is_disabled: StrictBool | None = None
    login: StrictStr | None = wire(NAME)
    name: StrictStr | None = wire(NAME)
    paternal_name: StrictStr | None = wire(NAME)
    phone: StrictStr | None = wire(NAME)
    surname: StrictStr | None = wire(NAME)
    roles: list[StrictStr] | None = None


class RoleBody(Body):
    model_config = requires("role_name")

    role_name: StrictStr | None = wire(text(200, 1))


class RolePermissionBody(Body):
    model_config = requires("role_name", "permission_guid")

    role_name: StrictStr | None = wire(text(200, 1))
    permission_guid: StrictStr | None = wire(UUID)


class RoleUserBody(Body):
    model_config = requires("role_name")

    role_name: StrictStr | None = wire(text(200, 1))
    user_guid: StrictStr | None = wire(UUID)
    employee_guid: StrictStr | None = wire(UUID)


class SegmentPatchBody(Body):
    model_config = requires("account_type_guid", "segment_name")

    account_type_guid: StrictStr | None = wire(UUID)
    segment_name: StrictStr | None = wire(text(200, 1))


class CategoryBody(Body):
    model_config = requires("name")

    name: StrictStr | None = wire(text(200, 1))
    description: StrictStr | None = wire(text(1000))


class EmissionBody(Body):
    model_config = requires("amount", "asset_code", "asset_issuer")

    amount: WireDecimal | None = wire(AMOUNT)
    asset_code: StrictStr | None = wire(text(64, 1))
    asset_issuer: StrictStr | None = wire(text(128, 1))
    reserve_balance: WireDecimal | None = wire(AMOUNT_OR_ZERO)


class LimitBody(Body):
    model_config = requires("asset_code", "asset_issuer", "max")

    account_type_guid: StrictStr | None = wire(UUID)
    asset_code: StrictStr | None = wire(text(64, 1))
    asset_issuer: StrictStr | None = wire(text(128, 1))
    customer_guid: StrictStr | None = wire(UUID)
    segment_name: StrictStr | None = wire(text(200, 1))
    max: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    min: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    period: StrictStr | None = wire({"type": "string",
                                     "enum": ["day", "week", "month", "year", "custom"]})
    period_key: StrictInt | None = wire({"type": "integer", "minimum": 1, "maximum": 3660})


class JwkBody(Body):
    model_config = requires("data")

    data: dict[str, Any] | None = wire({"type": "object", "required": ["kid", "kty"],
                                        "properties": {"kid": text(200, 1),
                                                       "kty": {"type": "string",
                                                               "enum": ["RSA"]},
                                                       "alg": {"type": "string",
                                                               "enum": ["RS256"]},
                                                       "n": {"type": "string"},
                                                       "e": {"type": "string"}}})


class FaultsBody(Body):
    latency_ms: StrictInt | None = wire({"type": "integer", "minimum": 0, "maximum": 60000})
    error_rate: float | None = wire({"type": "number", "minimum": 0, "maximum": 1})


class ExpireSessionsBody(Body):
    token: StrictStr | None = wire(text(200, 1))  # just this session; none: every session


class AmountBody(Body):
    amount: WireDecimal | None = wire(AMOUNT_OR_ZERO)
    counterparty_guid: StrictStr | None = wire(UUID)


class CounterpartySettingsBody(Body):
    auto_issue: StrictBool | None = None
    auto_burn: StrictBool | None = None
    teller_confirm_limit: WireDecimal | None = wire(AMOUNT_OR_ZERO)


class PasswordBody(Body):
    model_config = requires("password")

    password: StrictStr | None = wire(text(1000, 1))
