"""Wire layer: the DCM platform client, its models, auth modes and errors (no Qt).

Names are imported on first use (PEP 562): ``from teller_app.platform import AuthError`` must
not load httpx, pydantic models and PyJWT (~350 ms) before the sign-in window is painted.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._http import DEFAULT_TIMEOUT, RetryPolicy
    from ._sensitive import redact, register_secret
    from .auth import BankJwtLogin, HubLogin, Operation, PasswordLogin
    from .client import PlatformClient
    from .errors import (
        AuthError,
        BankAuthDeclined,
        Conflict,
        HubUnavailable,
        NotFound,
        PermissionDenied,
        PlatformError,
        Timeout,
        Unavailable,
        ValidationError,
    )
    from .models import (
        Account,
        AccountPage,
        AccountWithAssets,
        AmountLimit,
        AssetBalance,
        Branch,
        Category,
        CreatedCustomer,
        Customer,
        CustomerAccount,
        CustomerPage,
        CustomerUpdate,
        Employee,
        EmployeePage,
        NewCustomer,
        NewLimit,
        NewPayment,
        Payment,
        PaymentLimit,
        PaymentPage,
        PaymentStatus,
        PeriodLimit,
        Segment,
        SegmentAccountType,
    )
    from .transport import TransportSecurityError, TransportSettings

_EXPORTS = {
    "DEFAULT_TIMEOUT": "._http",
    "RetryPolicy": "._http",
    "redact": "._sensitive",
    "register_secret": "._sensitive",
    "BankJwtLogin": ".auth",
    "HubLogin": ".auth",
    "Operation": ".auth",
    "PasswordLogin": ".auth",
    "PlatformClient": ".client",
    "AuthError": ".errors",
    "BankAuthDeclined": ".errors",
    "Conflict": ".errors",
    "HubUnavailable": ".errors",
    "NotFound": ".errors",
    "PermissionDenied": ".errors",
    "PlatformError": ".errors",
    "Timeout": ".errors",
    "Unavailable": ".errors",
    "ValidationError": ".errors",
    "Account": ".models",
    "AccountPage": ".models",
    "AccountWithAssets": ".models",
    "AmountLimit": ".models",
    "AssetBalance": ".models",
    "Branch": ".models",
    "Category": ".models",
    "CreatedCustomer": ".models",
    "Customer": ".models",
    "CustomerAccount": ".models",
    "CustomerPage": ".models",
    "CustomerUpdate": ".models",
    "Employee": ".models",
    "EmployeePage": ".models",
    "NewCustomer": ".models",
    "NewLimit": ".models",
    "NewPayment": ".models",
    "Payment": ".models",
    "PaymentLimit": ".models",
    "PaymentPage": ".models",
    "PaymentStatus": ".models",
    "PeriodLimit": ".models",
    "Segment": ".models",
    "SegmentAccountType": ".models",
    "TransportSecurityError": ".transport",
    "TransportSettings": ".transport",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "DEFAULT_TIMEOUT",
    "Account",
    "AccountPage",
    "AccountWithAssets",
    "AmountLimit",
    "AssetBalance",
    "AuthError",
    "BankAuthDeclined",
    "BankJwtLogin",
    "Branch",
    "Category",
    "Conflict",
    "CreatedCustomer",
    "Customer",
    "CustomerAccount",
    "CustomerPage",
    "CustomerUpdate",
    "Employee",
    "EmployeePage",
    "HubLogin",
    "HubUnavailable",
    "NewCustomer",
    "NewLimit",
    "NewPayment",
    "NotFound",
    "Operation",
    "PasswordLogin",
    "Payment",
    "PaymentLimit",
    "PaymentPage",
    "PaymentStatus",
    "PeriodLimit",
    "PermissionDenied",
    "PlatformClient",
    "PlatformError",
    "RetryPolicy",
    "Segment",
    "SegmentAccountType",
    "Timeout",
    "TransportSecurityError",
    "TransportSettings",
    "Unavailable",
    "ValidationError",
    "redact",
    "register_secret",
]
