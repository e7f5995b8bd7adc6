"""Request bodies. Strict types (a string is not a number, ``"true"`` is not a boolean); unknown
fields are ignored; amounts are JSON numbers parsed into Decimal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

from .money import WireDecimal


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class NewCustomerBody(Body):
    asset_code: StrictStr | None = None
    asset_issuer: StrictStr | None = None
    balance_allowed: WireDecimal | None = None
    balance_asset_code: StrictStr | None = None
    balance_asset_issuer: StrictStr | None = None
    branch_guid: StrictStr | None = None
    iban: StrictStr | None = None
    is_disabled: StrictBool | None = None
    kyc_level: StrictInt | None = None
    login: StrictStr | None = None
    name: StrictStr | None = None
    paternal_name: StrictStr | None = None
    phone_number: StrictStr | None = None
    segment: StrictStr | None = None
    status: StrictStr | None = None
    surname: StrictStr | None = None


class NullableString(Body):
    valid: StrictBool = True
    value: StrictStr | None = None


class CustomerUpdateBody(Body):
    balance_allowed: WireDecimal | None = None
    balance_asset_code: StrictStr | None = None
    balance_asset_issuer: StrictStr | None = None
    # The documented shape is {"valid": bool, "value": "guid"}; a bare string is also accepted.
    branch_guid: NullableString | StrictStr | None = None
    is_disabled: StrictBool | None = None
    kyc_level: StrictInt | None = None
    name: StrictStr | None = None
    paternal_name: StrictStr | None = None
    phone_number: StrictStr | None = None
    segment: StrictStr | None = None
    status: StrictStr | None = None
    surname: StrictStr | None = None
    wallet_user_guid: StrictStr | None = None


class NewCustomerAccountBody(Body):
    iban: StrictStr | None = None
    # Extensions (the docs name only iban): which asset; default the first one the customer's
    # segment offers that the customer does not hold yet.
    asset_code: StrictStr | None = None
    asset_issuer: StrictStr | None = None


class NewAccountBody(Body):
    account_kind: StrictStr | None = None
    iban: StrictStr | None = None
    key_keeper_login: StrictStr | None = None
    branch_guid: StrictStr | None = None


class NewPaymentBody(Body):
    amount: WireDecimal | None = None
    asset_code: StrictStr | None = None
    asset_issuer: StrictStr | None = None
    category_guid: StrictStr | None = None
    purpose: StrictStr | None = None
    receiver_iban: StrictStr | None = None
    receiver_id: StrictStr | None = None
    sender_iban: StrictStr | None = None
    sender_id: StrictStr | None = None
    target_balance: WireDecimal | None = None
    external_transaction_id: StrictStr | None = None


class ConfirmPaymentBody(Body):
    payment_guid: StrictStr | None = None
    bank_guid: StrictStr | None = None


class BranchBody(Body):
    name: StrictStr | None = None


class BranchUpdateBody(Body):
    name: StrictStr | None = None
    is_deleted: StrictBool | None = None


class NewEmployeeBody(Body):
    branch_guid: StrictStr | None = None
    branch_name: StrictStr | None = None
    email: StrictStr | None = None
    name: StrictStr | None = None
    surname: StrictStr | None = None
    paternal_name: StrictStr | None = None
    phone: StrictStr | None = None
    roles: list[StrictStr] | None = None
    password: StrictStr | None = None  # simulator extension: no e-mail verification here


class EmployeeUpdateBody(Body):
    branch_guid: StrictStr | None = None
    branch_name: StrictStr | None = None
    is_disabled: StrictBool | None = None
    login: StrictStr | None = None
    name: StrictStr | None = None
    paternal_name: StrictStr | None = None
    phone: StrictStr | None = None
    surname: StrictStr | None = None
    roles: list[StrictStr] | None = None


class RoleBody(Body):
    role_name: StrictStr | None = None


class RolePermissionBody(Body):
    role_name: StrictStr | None = None
    permission_guid: StrictStr | None = None


class RoleUserBody(Body):
    role_name: StrictStr | None = None
    user_guid: StrictStr | None = None
    employee_guid: StrictStr | None = None


class SegmentPatchBody(Body):
    account_type_guid: StrictStr | None = None
    segment_name: StrictStr | None = None


class CategoryBody(Body):
    name: StrictStr | None = None
    description: StrictStr | None = None


class EmissionBody(Body):
    amount: WireDecimal | None = None
    asset_code: StrictStr | None = None
    asset_issuer: StrictStr | None = None
    reserve_balance: WireDecimal | None = None


class LimitBody(Body):
    account_type_guid: StrictStr | None = None
    asset_code: StrictStr | None = None
    asset_issuer: StrictStr | None = None
    customer_guid: StrictStr | None = None
    segment_name: StrictStr | None = None
    max: WireDecimal | None = None
    min: WireDecimal | None = None
    period: StrictStr | None = None
    period_key: StrictInt | None = None


class JwkBody(Body):
    data: dict[str, Any] | None = None


class FaultsBody(Body):
    latency_ms: StrictInt | None = None
    error_rate: float | None = None


class AmountBody(Body):
    amount: WireDecimal | None = None
    counterparty_guid: StrictStr | None = None


class CounterpartySettingsBody(Body):
    auto_issue: StrictBool | None = None
    auto_burn: StrictBool | None = None
    teller_confirm_limit: WireDecimal | None = None


class PasswordBody(Body):
    password: StrictStr | None = None
