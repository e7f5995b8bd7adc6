"""``PlatformClient`` endpoints: accounts, payments and limits.

The payments list's filters (§3.8) are named in the current guide only in words ("payment
GUIDs", "four ISO dates", "category GUID"); the older guide spells ``guids`` and
``created_at_min``… [D-OLD], ``category_guid`` is [A], and the current guide spells its other
lists' bounds ``min_created_at``… (customers [S], emission history [D]). A server ignores a
name it does not know, so each is sent in both spellings (a server that knows both applies
the same filter twice), and callers that act on rows check them too (``payment_matches``
with the same ``PaymentFilters``): a server may still not know either name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pydantic

from ._http import QueryValue
from .auth import Operation
from .client_base import (
    BIG_PAGE,
    ClientBase,
    M,
    StrList,
    _guid,
)
from .errors import (
    Unavailable,
)
from .models import (
    AccountPage,
    AccountWithAssets,
    AmountLimit,
    NewLimit,
    NewPayment,
    Payment,
    PaymentLimit,
    PaymentPage,
)
from .models._base import _parse_timestamp
from .payment_filters import PaymentFilters, payment_matches

# ``payment_matches`` stays importable from here, where it was first.
__all__ = ["PaymentFilters", "PaymentsApi", "payment_matches"]

# the client's name of a payments filter -> every spelling sent (see the module docstring)
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "guids": ("guids", "payment_guids"),
    "category_guid": ("category_guid", "category_guids"),
    "created_at_min": ("created_at_min", "min_created_at"),
    "created_at_max": ("created_at_max", "max_created_at"),
    "updated_at_min": ("updated_at_min", "min_updated_at"),
    "updated_at_max": ("updated_at_max", "max_updated_at"),
}
_BOUNDS = ("created_at_min", "created_at_max", "updated_at_min", "updated_at_max")

PARSE_CHUNK = 200  # payments validated per call off the loop (as customer pages)


class PaymentsApi(ClientBase):
    # --- accounts -----------------------------------------------------------------------
    async def list_accounts(
        self,
        *,
        wallet_account_guids: StrList = None,
        wallet_user_guids: StrList = None,
        account_kinds: StrList = None,
        iban: str | None = None,
        search_string: str | None = None,
        offset: int = 0,
        limit: int = 100,
        order: str | None = None,
        branch_guid: str | None = None,
    ) -> AccountPage:
        """Entities visible to the employee (no balances); ``branch_guid`` uses the branch
        endpoint."""
        path = (
            f"{self._cp}/branch/{branch_guid}/accounts" if branch_guid else f"{self._cp}/accounts"
        )
        params: dict[str, QueryValue] = {
            "wallet_account_guids": wallet_account_guids,
            "wallet_user_guids": wallet_user_guids,
            "account_kinds": account_kinds,
            "iban": iban,
            "search_string": search_string,
            "offset": offset,
            "limit": limit,
            "order": order,
        }
        data = await self._call("GET", path, params=params)
        if data is None:  # null = empty
            return AccountPage()
        if isinstance(data, list):  # documented: an array holding one {"accounts", "total"}
            if not data:
                return AccountPage()
            if isinstance(data[0], dict) and "accounts" in data[0]:
                data = data[0]
            else:
                data = {"accounts": data, "total": len(data)}
        return self._parse(AccountPage, data, "GET", path)

    async def get_account(self, account_guid: str) -> AccountWithAssets:
        """One account with its balances."""
        path = f"{self._cp}/accounts/{account_guid}"
        return self._parse(AccountWithAssets, await self._call("GET", path), "GET", path)

    # --- payments -----------------------------------------------------------------------
    def _payments_path(self, branch_guid: str | None) -> str:
        return (
            f"{self._cp}/branch/{branch_guid}/payments" if branch_guid else f"{self._cp}/payments"
        )

    async def create_payment(self, payment: NewPayment, branch_guid: str | None = None) -> str:
        """Create a draft (status CREATED); returns its GUID. Never retried blindly."""
        path = self._payments_path(branch_guid)
        data = await self._call("POST", path, body=payment.wire(), op=Operation("sign-in", None))
        return _guid(data, "guid", "POST", path)

    async def confirm_payment(
        self, payment_guid: str, bank_guid: str | None = None, branch_guid: str | None = None
    ) -> None:
        """Confirm a draft. ``bank_guid`` = the receiver's counterparty, external only."""
        path = self._payments_path(branch_guid) + "/confirm"
        body = {"payment_guid": payment_guid}
        if bank_guid:
            body["bank_guid"] = bank_guid
        await self._call(
            "POST", path, body=body, op=Operation("sign-in", None), bank_auth=True
        )

    async def get_payment(self, payment_guid: str, with_stellar_info: bool = True) -> Payment:
        path = f"{self._cp}/payments/{payment_guid}"
        data = await self._call("GET", path, params={"with_stellar_info": with_stellar_info})
        return self._parse(Payment, data, "GET", path)

    async def list_payments(
        self,
        filters: PaymentFilters | None = None,
        *,
        order: str | None = None,
        offset: int = 0,
        limit: int = 100,
        branch_guid: str | None = None,
    ) -> PaymentPage:
        """One page of payments meeting ``filters`` (None: every payment). The filters are
        the caller's meaning: time bounds inclusive (moved by 1 us where the server's are
        strict), each sent in every spelling the docs allow. The server's order and filters
        are not guaranteed (``order`` may be ignored, a filter name unknown): check rows with
        ``payment_matches`` before acting on them."""
        wanted = filters or PaymentFilters()
        path = self._payments_path(branch_guid)
        params: dict[str, QueryValue] = {**wanted.params(), "order": order, "offset": offset,
                                         "limit": limit}
        data = await self._call("GET", path, params=self._payment_query(params))
        payments = data.get("payments") if isinstance(data, dict) else None
        if isinstance(payments, list) and len(payments) > BIG_PAGE:
            # an export's page: up to 1000 models, validated off the event loop (the UI
            # thread) a chunk a call (a call holds the GIL throughout: ``_validate_records``)
            return await asyncio.to_thread(self._parse_in_chunks, data, payments, path)
        return self._parse(PaymentPage, data, "GET", path)

    def _parse_in_chunks(self, data: dict[str, object], payments: list[object],
                         path: str) -> PaymentPage:
        page = self._parse(PaymentPage, {**data, "payments": payments[:PARSE_CHUNK]},
                           "GET", path)
        for start in range(PARSE_CHUNK, len(payments), PARSE_CHUNK):
            page.payments += self._parse(
                PaymentPage, {"payments": payments[start:start + PARSE_CHUNK]}, "GET",
                path).payments
        return page

    def _payment_query(self, params: dict[str, QueryValue]) -> dict[str, QueryValue]:
        """``params`` in this server's dialect: bounds inclusive (an empty or unparseable one
        refused: it must never turn into "no bound"), every spelling of each filter."""
        exclusive = self.traits.bounds == "exclusive"
        for name in _BOUNDS:
            value = params.get(name)
            if value is None:
                continue
            when = _parse_timestamp(value)
            if when is None:
                raise ValueError(f"{name}: not a timestamp: {value!r}")
            if exclusive:
                step = timedelta(microseconds=1)
                when = when - step if name.endswith("_min") else when + step
            params[name] = when
        out: dict[str, QueryValue] = {}
        for name, value in params.items():
            for spelling in _SPELLINGS.get(name, (name,)):
                out[spelling] = value
        return out

    async def iter_payments(self, filters: PaymentFilters | None = None, *,
                            page_size: int = 200, order: str | None = None,
                            branch_guid: str | None = None) -> AsyncIterator[Payment]:
        """Every page of ``list_payments(filters, ...)``."""
        offset = 0
        while True:
            page = await self.list_payments(filters, order=order, offset=offset,
                                            limit=page_size, branch_guid=branch_guid)
            for payment in page.payments:
                yield payment
            offset += len(page.payments)
            if not page.payments or offset >= page.total:
                return

    # --- limits -------------------------------------------------------------------------
    async def get_customer_payment_limits(self, customer_guid: str) -> list[PaymentLimit]:
        """Per-operation limits (``…/limits/customer/payment``: min/max)."""
        return await self._limits("payment", customer_guid, PaymentLimit)

    async def get_customer_amount_limits(self, customer_guid: str) -> list[AmountLimit]:
        """Per-period limits (``…/limits/customer/amount``: period → max)."""
        return await self._limits("amount", customer_guid, AmountLimit)

    async def get_segment_payment_limits(self, segment_name: str) -> list[PaymentLimit]:
        """A segment's standard per-operation limits ([A] path ``…/limits/segment/payment``)."""
        return await self._limits("payment", segment_name, PaymentLimit, scope="segment")

    async def get_segment_amount_limits(self, segment_name: str) -> list[AmountLimit]:
        """A segment's standard period limits ([A] path ``…/limits/segment/amount``)."""
        return await self._limits("amount", segment_name, AmountLimit, scope="segment")

    async def _limits(
        self, kind: str, key: str, model: type[M], scope: str = "customer"
    ) -> list[M]:
        path = f"{self._cp}/limits/{scope}/{kind}"
        field = "customer_guid" if scope == "customer" else "segment_name"
        data = await self._call("GET", path, params={field: key})
        items = data.get("columns") if isinstance(data, dict) else data
        try:
            return [model.model_validate(c) for c in items or []]
        except (pydantic.ValidationError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None

    async def set_customer_payment_limit(self, limit: NewLimit) -> None:
        """Set a per-operation limit (``max``, optional ``min``; bounds are exclusive). A
        write: never re-sent on a lost answer (settle by reading the limits)."""
        await self._call(
            "POST", f"{self._cp}/limits/customer/payment", body=limit.wire(), idempotent=False
        )

    async def set_customer_amount_limit(self, limit: NewLimit) -> None:
        """Set a per-period limit (``period`` day/week/month/year/custom, ``period_key``). A
        write: never re-sent on a lost answer (settle by reading the limits)."""
        await self._call(
            "POST", f"{self._cp}/limits/customer/amount", body=limit.wire(), idempotent=False
        )

