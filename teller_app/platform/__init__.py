"""Wire layer: the DCM platform client, its models, auth modes and errors (no Qt).

Names are imported on first use (PEP 562): ``from teller_app.platform import AuthError`` must
not load httpx, pydantic models and PyJWT (~350 ms) before the sign-in window is painted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from teller_app.lazy_exports import exports, lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._http import DEFAULT_TIMEOUT, KEEPALIVE_S, RetryPolicy, background_calls
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

# Each public name once, by module; ``_EXPORTS`` (name -> module) and ``__all__`` follow.
# The TYPE_CHECKING imports above say the same for mypy (``implicit_reexport`` here);
# tests/test_lazy_exports.py keeps the two equal.
_MODULES: dict[str, tuple[str, ...]] = {
    "._http": ("DEFAULT_TIMEOUT", "KEEPALIVE_S", "RetryPolicy", "background_calls"),
    "._sensitive": ("redact", "register_secret"),
    ".auth": ("BankJwtLogin", "HubLogin", "Operation", "PasswordLogin"),
    ".client": ("PlatformClient",),
    ".errors": (
        "AuthError", "BankAuthDeclined", "Conflict", "HubUnavailable", "NotFound",
        "PermissionDenied", "PlatformError", "Timeout", "Unavailable", "ValidationError",
    ),
    ".models": (
        "Account", "AccountPage", "AccountWithAssets", "AmountLimit", "AssetBalance", "Branch",
        "Category", "CreatedCustomer", "Customer", "CustomerAccount", "CustomerPage",
        "CustomerUpdate", "Employee", "EmployeePage", "NewCustomer", "NewLimit", "NewPayment",
        "Payment", "PaymentLimit", "PaymentPage", "PaymentStatus", "PeriodLimit", "Segment",
        "SegmentAccountType",
    ),
    ".transport": ("TransportSecurityError", "TransportSettings"),
}
_EXPORTS = exports(_MODULES)
__getattr__ = lazy_getattr(__name__, globals(), _EXPORTS)
__dir__ = lazy_dir(globals(), _EXPORTS)


__all__ = sorted(_EXPORTS)
