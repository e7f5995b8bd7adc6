"""``PlatformClient`` endpoints: accounts, payments and limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pydantic

from ._http import QueryValue
from .auth import Operation
from .client_base import (
    ClientBase,
    M,
    StrList,
    TimeValue,
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
        *,
        guids: StrList = None,
        sender_ids: StrList = None,
        receiver_ids: StrList = None,
        statuses: StrList = None,
        asset_codes: StrList = None,
        asset_issuers: StrList = None,
        category_guid: str | None = None,
        min_amount: Decimal | None = None,
        max_amount: Decimal | None = None,
        created_at_min: TimeValue = None,
        created_at_max: TimeValue = None,
        updated_at_min: TimeValue = None,
        updated_at_max: TimeValue = None,
        sender_counterparty_guid: str | None = None,
        receiver_counterparty_guid: str | None = None,
        external_transaction_id: str | None = None,
        order: str | None = None,
        offset: int = 0,
        limit: int = 100,
        branch_guid: str | None = None,
    ) -> PaymentPage:
        path = self._payments_path(branch_guid)
        params: dict[str, QueryValue] = {
            "guids": guids,
            "sender_ids": sender_ids,
            "receiver_ids": receiver_ids,
            "statuses": statuses,
            "asset_codes": asset_codes,
            "asset_issuers": asset_issuers,
            "category_guid": category_guid,
            "min_amount": min_amount,
            "max_amount": max_amount,
            "created_at_min": created_at_min,
            "created_at_max": created_at_max,
            "updated_at_min": updated_at_min,
            "updated_at_max": updated_at_max,
            "sender_counterparty_guid": sender_counterparty_guid,
            "receiver_counterparty_guid": receiver_counterparty_guid,
            "external_transaction_id": external_transaction_id,
            "order": order,
            "offset": offset,
            "limit": limit,
        }
        data = await self._call("GET", path, params=params)
        return self._parse(PaymentPage, data, "GET", path)

    async def iter_payments(self, page_size: int = 200, **filters: Any) -> AsyncIterator[Payment]:
        offset = 0
        while True:
            page = await self.list_payments(offset=offset, limit=page_size, **filters)
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
        """Set a per-operation limit (``max``, optional ``min``; bounds are exclusive)."""
        await self._call(
            "POST", f"{self._cp}/limits/customer/payment", body=limit.wire(), idempotent=True
        )

    async def set_customer_amount_limit(self, limit: NewLimit) -> None:
        """Set a per-period limit (``period`` day/week/month/year/custom, ``period_key``)."""
        await self._call(
            "POST", f"{self._cp}/limits/customer/amount", body=limit.wire(), idempotent=True
        )

