"""``PlatformClient`` endpoints: customers (list, records, get, create, update) and their
accounts."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pydantic

from ._http import Offload, QueryValue
from .auth import BankJwtLogin, Operation
from .client_base import (
    _LITERAL_DISABLED,
    BIG_PAGE,
    ClientBase,
    StrList,
    TimeValue,
    _guid,
    _validate_records,
    log,
)
from .errors import (
    Conflict,
    NotFound,
    PlatformError,
    Timeout,
    Unavailable,
    ValidationError,
)
from .models import (
    AccountWithAssets,
    CreatedCustomer,
    Customer,
    CustomerPage,
    CustomerRecordPage,
    CustomerUpdate,
    NewCustomer,
)
from .models._base import _parse_timestamp
from .update_check import update_applied


class CustomersApi(ClientBase):
    # --- customers ----------------------------------------------------------------------
    async def list_customers(
        self,
        *,
        wallet_user_guids: StrList = None,
        logins: StrList = None,
        kyc_levels: Sequence[str | int] | None = None,
        is_disabled: bool | None = None,
        min_balance_allowed: Decimal | int | None = None,
        max_balance_allowed: Decimal | int | None = None,
        balance_asset_codes: StrList = None,
        balance_asset_issuers: StrList = None,
        branch_guids: StrList = None,
        names: StrList = None,
        paternal_names: StrList = None,
        surnames: StrList = None,
        phone_numbers: StrList = None,
        segments: StrList = None,
        statuses: StrList = None,
        search_string: str | None = None,
        min_created_at: TimeValue = None,
        max_created_at: TimeValue = None,
        min_updated_at: TimeValue = None,
        max_updated_at: TimeValue = None,
        offset: int = 0,
        limit: int = 50,
        ordering: str | None = None,
        offload: Offload | None = None,
    ) -> CustomerPage:
        """One page of customers. ``is_disabled`` is the documented "include disabled".
        A big page is decoded and validated off the event loop, by ``offload`` (e.g. the
        sync's cache worker, so parsing and storing never contend for the GIL) or a worker
        thread. ``page.server_time`` is the platform's clock (HTTP ``Date``)."""
        path = f"{self._cp}/customers"
        params: dict[str, QueryValue] = {
            "wallet_user_guids": wallet_user_guids,
            "logins": logins,
            "kyc_levels": [str(k) for k in kyc_levels] if kyc_levels is not None else None,
            "is_disabled": is_disabled,
            "min_balance_allowed": min_balance_allowed,
            "max_balance_allowed": max_balance_allowed,
            "balance_asset_codes": balance_asset_codes,
            "balance_asset_issuers": balance_asset_issuers,
            "branch_guids": branch_guids,
            "names": names,
            "paternal_names": paternal_names,
            "surnames": surnames,
            "phone_numbers": phone_numbers,
            "segments": segments,
            "statuses": statuses,
            "search_string": search_string or None,
            "min_created_at": min_created_at,
            "max_created_at": max_created_at,
            "min_updated_at": min_updated_at,
            "max_updated_at": max_updated_at,
            "offset": offset,
            "limit": limit,
            "ordering": ordering,
        }
        data, server_time = await self._customers_call(path, params, offload)
        customers = data.get("customers") if isinstance(data, dict) else None
        if isinstance(customers, list) and len(customers) > BIG_PAGE:
            # a sync page: validate ~1000 models off the event loop (the UI thread)
            run = offload or asyncio.to_thread
            page = await run(self._parse, CustomerPage, data, "GET", path)
        else:
            page = self._parse(CustomerPage, data, "GET", path)
        page.total = self._page_total(params, data, len(page.customers))
        page.server_time = server_time
        return page

    async def _customers_call(
        self, path: str, params: dict[str, QueryValue], offload: Offload | None
    ) -> tuple[Any, datetime | None]:
        """GET the customers list with ``params`` adapted to this server's traits (see
        ``_adapt``); a 400 on ``ordering`` teaches that the server refuses it. "Everyone"
        (``is_disabled`` absent) needs the server's reading of ``is_disabled``: while it is
        unknown, it is probed first (once per client)."""
        if params.get("is_disabled") is None:
            await self._ensure_disabled_reading()
        self._adapt(params)
        try:
            data, server_time = await self._call(
                "GET", path, params=params, with_date=True, offload=offload
            )
        except ValidationError as exc:
            if params.get("ordering") is None or "order" not in exc.message.lower():
                raise
            self.learn(ordering="strict")
            params["ordering"] = None
            data, server_time = await self._call(
                "GET", path, params=params, with_date=True, offload=offload
            )
        return data, server_time

    def _adapt(self, params: dict[str, QueryValue]) -> None:
        """The caller's meaning, in this server's dialect: ``is_disabled`` absent = everyone
        (``true`` where it reads "include disabled"); time bounds inclusive (moved by 1 us
        where the server's are strict); no ``ordering`` where it is ignored or refused;
        ``limit`` no larger than the server's page cap. An empty or unparseable time bound
        is refused here: it must never turn into "no bound"."""
        traits = self.traits
        include = traits.disabled_reading == "include" and not _LITERAL_DISABLED.get()
        if params.get("is_disabled") is None and include:
            params["is_disabled"] = True
        for name in ("min_created_at", "max_created_at", "min_updated_at", "max_updated_at"):
            value = params.get(name)
            if value is None:
                continue
            when = _parse_timestamp(value)
            if when is None:
                raise ValueError(f"{name}: not a timestamp: {value!r}")
            if traits.bounds == "exclusive":
                step = timedelta(microseconds=1)
                when = when - step if name.startswith("min_") else when + step
            params[name] = when
        if traits.ordering in ("ignored", "strict"):
            params["ordering"] = None
        limit = params.get("limit")
        if traits.page_cap and isinstance(limit, int) and limit > traits.page_cap:
            params["limit"] = traits.page_cap

    def _page_total(self, params: Mapping[str, QueryValue], data: Any, rows: int) -> int:
        """The page's ``total``; learns a page cap (fewer rows than asked while more exist).
        Without a ``total`` the answer says "maybe more" until an empty page."""
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) else 0
        raw = data.get("total") if isinstance(data, dict) else None
        try:
            total = int(str(raw)) if raw is not None else None
        except ValueError:
            total = None
        if total is None:
            return offset + rows + (1 if rows else 0)
        limit = params.get("limit")
        capped = isinstance(limit, int) and 0 < rows < limit and offset + rows < total
        if capped and (self.traits.page_cap is None or rows < self.traits.page_cap):
            self.learn(page_cap=rows)
        return total

    async def list_customer_records(
        self, *, offload: Offload | None = None, **filters: Any
    ) -> CustomerRecordPage:
        """``list_customers`` (same filters) with the customers as validated plain dicts
        (``CustomerRecord``): what a sync stores. Decoded and validated off the event loop."""
        unknown = set(filters) - _CUSTOMER_FILTERS
        if unknown:
            raise TypeError(f"unknown customer filters: {', '.join(sorted(unknown))}")
        kyc = filters.get("kyc_levels")
        params: dict[str, QueryValue] = {
            **filters,
            "kyc_levels": [str(k) for k in kyc] if kyc is not None else None,
            "search_string": filters.get("search_string") or None,
            "offset": filters.get("offset", 0),
            "limit": filters.get("limit", 50),
        }
        path = f"{self._cp}/customers"
        data, server_time = await self._customers_call(path, params, offload)
        run = offload or asyncio.to_thread
        try:
            parsed = await run(_validate_records, data)
        except pydantic.ValidationError as exc:
            raise Unavailable(
                f"unexpected answer shape ({exc.error_count()} problems)", method="GET", path=path
            ) from None
        rows = parsed.get("customers") or []
        return CustomerRecordPage(rows, self._page_total(params, data, len(rows)), server_time)

    async def iter_customers(
        self, page_size: int = 500, *, ordering: str = "updated_at", **filters: Any
    ) -> AsyncIterator[Customer]:
        """Every customer matching ``filters`` (``list_customers`` keywords), paged by
        offset/limit in a stable order (``updated_at`` ascending by default, for an
        incremental sync with ``min_updated_at``)."""
        offset = 0
        while True:
            page = await self.list_customers(
                offset=offset, limit=page_size, ordering=ordering, **filters
            )
            for customer in page.customers:
                yield customer
            offset += len(page.customers)
            if not page.customers or offset >= page.total:
                return

    async def get_customer(self, customer_guid: str) -> Customer:
        """One customer (the list filtered by GUID; disabled ones too). NotFound if absent."""
        for include_disabled in (None, True):
            page = await self.list_customers(
                wallet_user_guids=[customer_guid], is_disabled=include_disabled, limit=10
            )
            for customer in page.customers:
                if customer.wallet_user_guid == customer_guid:
                    return customer
        raise NotFound(
            "customer not found", status_code=404, method="GET", path=f"{self._cp}/customers"
        )

    async def find_customer_by_login(self, login: str) -> Customer | None:
        """The customer with exactly this login (case-sensitive), disabled ones too."""
        for include_disabled in (None, True):
            page = await self.list_customers(logins=[login], is_disabled=include_disabled, limit=10)
            for customer in page.customers:
                if customer.login == login:
                    return customer
        return None

    async def create_customer(self, new: NewCustomer, *, retry: bool = False) -> CreatedCustomer:
        """Create a customer with its first account. A lost answer (timeout, unavailable
        after sending) is settled by reading: the login is looked up (so a lost answer never
        makes a second customer); only if it is absent is the POST sent once more.

        ``retry``: an earlier attempt with this login may have created the customer (its
        answer was lost and could not be settled then): the login is looked up before
        anything is sent, and a 409 for the login is settled by the lookup too (found =
        created, never "login taken").

        Raises ``Timeout``/``Unavailable`` when the outcome is unknown; ``.not_sent`` is True
        only when no POST of this call can have reached the platform."""
        if retry and new.login:
            found = await self._reconcile_customer(new)
            if found is not None:
                log.info("create: an earlier attempt had created the customer")
                return found
        data: Any = None
        for attempt in (1, 2):
            try:
                data = await self._post_customer(new)
                break
            except Conflict:  # after a lost answer: the earlier POST may be the one there
                if not (new.login and (retry or attempt == 2)):
                    raise
                found = await self._reconcile_customer(new)
                if found is None:
                    raise
                return found
            except (Timeout, Unavailable) as lost:
                if lost.not_sent or not new.login:
                    raise
                log.info("POST customers failed (%s): reconciling by login", type(lost).__name__)
                found = await self._settle_create(new, lost)
                if found is not None:
                    return found
                if attempt == 2:
                    raise
                # read: it is not there, so the POST is sent once more
        if not (isinstance(data, dict) and data.get("customer_guid")):
            # Created, but the answer does not say whom: never carry on with "".
            path = f"{self._cp}/customers"
            found = await self._reconcile_customer(new) if new.login else None
            if found is None:
                raise Unavailable("answer has no customer_guid", method="POST", path=path)
            return found
        return self._parse(CreatedCustomer, data, "POST", f"{self._cp}/customers")

    async def _post_customer(self, new: NewCustomer) -> Any:
        path = f"{self._cp}/customers"
        op = Operation("sign-up", new.login or None)
        return await self._call("POST", path, op=op, body=new.wire(), bank_auth=True)

    async def _settle_create(self, new: NewCustomer, lost: Unavailable) -> CreatedCustomer | None:
        """After a POST whose answer was lost: the customer if its login is there, else None;
        a failed lookup raises ``lost`` (the outcome stays unknown, never "not sent")."""
        try:
            return await self._reconcile_customer(new)
        except (Timeout, Unavailable):
            raise lost from None

    async def find_created_customer(self, new: NewCustomer) -> CreatedCustomer | None:
        """The customer (with the account in ``new``'s asset) an earlier create of ``new``
        made, looked up by its login; None when no customer has that login."""
        return await self._reconcile_customer(new) if new.login else None

    async def _reconcile_customer(self, new: NewCustomer) -> CreatedCustomer | None:
        assert new.login
        customer = await self.find_customer_by_login(new.login)
        if customer is None:
            return None
        accounts = await self.get_customer_accounts(customer.wallet_user_guid)
        chosen = next(
            (a for a in accounts for s in a.assets if new.asset_code in (s.code, s.stellar_code)),
            accounts[0] if accounts else None,
        )
        fields = chosen.model_dump() if chosen else {}
        return CreatedCustomer.model_validate(
            {**fields, "customer_guid": customer.wallet_user_guid}
        )

    async def update_customer(self, customer_guid: str, update: CustomerUpdate) -> None:
        """PUT the set fields; sent once. A lost answer is settled by reading the customer:
        every sent field as sent = done; otherwise (or when it cannot be read) the original
        ``Timeout``/``Unavailable`` is raised (not known to be saved, nothing re-sent)."""
        path = f"{self._cp}/customers/{customer_guid}"
        try:
            await self._call("PUT", path, body=update.wire(), op=Operation("sign-in", None))
        except (Timeout, Unavailable) as lost:
            if lost.not_sent:
                raise
            log.info("PUT customer failed (%s): reading it back", type(lost).__name__)
            try:
                customer = await self.get_customer(customer_guid)
            except PlatformError:
                raise lost from None
            if not update_applied(update, customer):
                raise
            log.info("PUT customer: the change is there (answer lost)")

    async def get_customer_accounts(
        self, customer_guid: str, iban: str | None = None
    ) -> list[AccountWithAssets]:
        path = f"{self._cp}/customers/{customer_guid}/accounts"
        data = await self._call("GET", path, params={"iban": iban})
        if isinstance(data, list):  # tolerate the accounts-list style [{"accounts": …}]
            data = data[0] if data else {}
        data = {} if data is None else data  # null = empty
        items = data.get("accounts") if isinstance(data, dict) else None
        try:
            return [AccountWithAssets.model_validate(a) for a in items or []]
        except (pydantic.ValidationError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None

    async def create_customer_account(self, customer_guid: str, iban: str | None = None) -> str:
        """Open an additional account; returns its ``wallet_account_guid``. Not retried."""
        path = f"{self._cp}/customers/{customer_guid}/accounts"
        obj: str | None = None
        if isinstance(self.auth, BankJwtLogin):  # sign-up JWT names the customer's login
            obj = (await self.get_customer(customer_guid)).login or customer_guid
        body = {"iban": iban} if iban else {}
        data = await self._call(
            "POST", path, op=Operation("sign-up", obj), body=body, bank_auth=True
        )
        return _guid(data, "wallet_account_guid", "POST", path)


_CUSTOMER_FILTERS = frozenset(inspect.signature(CustomersApi.list_customers).parameters) - {
    "self",
    "offload",
}
