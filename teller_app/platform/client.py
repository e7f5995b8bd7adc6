"""``PlatformClient``: the async client of the DCM platform API (see PLATFORM_API.md).

One class, assembled from its endpoint groups (one file each, by purpose):
``client_base`` (construction, sign-in, the call with one transparent re-login, server traits),
``client_org``, ``client_customers``, ``client_payments``."""

from __future__ import annotations

from ._http import RetryPolicy
from .client_base import BIG_PAGE, ClientBase
from .client_customers import CustomersApi
from .client_org import OrgApi
from .client_payments import PaymentsApi
from .errors import PlatformError


class PlatformClient(OrgApi, CustomersApi, PaymentsApi):
    """Async client. Use as ``async with PlatformClient(...) as client`` (signs in on enter)
    or call ``await client.login()`` / ``await client.aclose()`` yourself."""


__all__ = ["BIG_PAGE", "ClientBase", "PlatformClient", "PlatformError", "RetryPolicy"]
