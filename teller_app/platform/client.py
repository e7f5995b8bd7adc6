"""``PlatformClient``: the async client of the DCM platform API (see PLATFORM_API.md)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import httpx
import pydantic

from . import _json
from ._http import HttpCore, Offload, QueryValue, RetryPolicy, Sleep, query_params
from .auth import READ, Auth, BankJwtLogin, Operation, PasswordLogin
from .errors import (
    AuthError,
    BankAuthDeclined,
    Conflict,
    NotFound,
    PlatformError,
    Timeout,
    Unavailable,
    ValidationError,
)
from .models import (
    CUSTOMER_RECORDS,
    AccountPage,
    AccountWithAssets,
    AmountLimit,
    Branch,
    BranchPage,
    Category,
    CreatedCustomer,
    Customer,
    CustomerPage,
    CustomerRecordPage,
    CustomerUpdate,
    Employee,
    EmployeePage,
    NewCustomer,
    NewLimit,
    NewPayment,
    Payment,
    PaymentLimit,
    PaymentPage,
    Segment,
    SegmentAccountType,
)
from .models._base import _parse_timestamp
from .traits import ServerTraits
from .transport import TransportSettings

log = logging.getLogger("teller_app.platform")
# Set by ``PlatformClient.literal_is_disabled`` in the probing task only.
_LITERAL_DISABLED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "literal_is_disabled", default=False
)
BIG_PAGE = 100  # customer pages longer than this are validated off the event loop
M = TypeVar("M", bound=pydantic.BaseModel)
TimeValue = datetime | str | None
StrList = Sequence[str] | None


class PlatformClient:
    """Async client. Use as ``async with PlatformClient(...) as client`` (signs in on enter)
    or call ``await client.login()`` / ``await client.aclose()`` yourself."""

    def __init__(
        self,
        base_url: str,
        counterparty_guid: str,
        *,
        auth: Auth,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        settings: TransportSettings | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.counterparty_guid = counterparty_guid
        self.auth = auth
        self._http = HttpCore(
            self.base_url, timeout=timeout, retry=retry, transport=transport, sleep=sleep,
            settings=settings,
        )
        self._cp = f"/api/v1/counterparty/{counterparty_guid}"
        self._transport = transport
        # What this server does where the docs leave a choice open (learnt, then stored per
        # profile by the app); ``on_traits_changed`` is told of every change.
        self.traits = ServerTraits()
        self.on_traits_changed: Callable[[ServerTraits], None] | None = None
        # the is_disabled probe, shared by concurrent callers (once per client)
        self._disabled_probe: asyncio.Future[None] | None = None

    @contextlib.contextmanager
    def literal_is_disabled(self) -> Iterator[None]:
        """Within (this task only): ``is_disabled`` is sent exactly as given, for probes
        that compare the readings while other tasks keep using the adapted form."""
        token = _LITERAL_DISABLED.set(True)
        try:
            yield
        finally:
            _LITERAL_DISABLED.reset(token)

    async def _ensure_disabled_reading(self) -> None:
        """Learn the server's is_disabled reading before listing "everyone" (every
        concurrent caller waits for the same probe; a failed probe is tried again later)."""
        if self.traits.disabled_reading is not None or _LITERAL_DISABLED.get():
            return
        if self._disabled_probe is None:
            self._disabled_probe = asyncio.ensure_future(self._probe_disabled())
        probe = self._disabled_probe
        try:
            await asyncio.shield(probe)
        except PlatformError:
            if self._disabled_probe is probe:
                self._disabled_probe = None
            raise

    async def _probe_disabled(self) -> None:
        from .probes import probe_disabled

        finding = await probe_disabled(self, {})
        if finding.learnt:
            self.learn(**finding.learnt)

    def learn(self, **changes: Any) -> None:
        """Record something learnt about the server (``ServerTraits`` field values)."""
        new = replace(self.traits, **changes)
        if new != self.traits:
            log.info("server traits: %s", {k: v for k, v in changes.items()})
            self.traits = new
            if self.on_traits_changed is not None:
                self.on_traits_changed(new)

    # --- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> PlatformClient:
        try:
            await self.login()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def logout(self) -> bool:
        """Revoke the Mode A session on the platform (Kratos native logout) so a short-lived
        session (an unlock check, a supervisor's approval at a teller's desk) is not left
        valid. Best effort: True when the platform confirmed; never raises."""
        if isinstance(self.auth, PasswordLogin):
            return await self.auth.logout(self._http)
        return False

    async def login(self) -> None:
        """Sign in now (Mode A: Kratos unless a saved session token was given; Mode B: checks
        the key with ``jwk/authenticate``)."""
        if isinstance(self.auth, BankJwtLogin):
            await self.auth.login(self._http, self.counterparty_guid)
        else:
            await self.auth.ensure(self._http)

    @property
    def session_token(self) -> str | None:
        """Mode A session token (save it to re-use the session); None in Mode B."""
        return self.auth.session_token if isinstance(self.auth, PasswordLogin) else None

    @property
    def token_expires_at(self) -> datetime | None:
        return self.auth.expires_at

    @property
    def employee_email(self) -> str:
        return self.auth.email

    # --- core call with one transparent re-login ----------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        *,
        op: Operation = READ,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        with_date: bool = False,
        offload: Offload | None = None,
        bank_auth: bool = False,
    ) -> Any:
        """``bank_auth``: a write DCM checks with the bank's Auth Service (customer create,
        additional account, payment confirm); a 401 that DCM says is the Auth Service's, or
        that persists after signing in again, is then ``BankAuthDeclined``, not "expired"."""
        auth = self.auth
        await auth.ensure(self._http)
        stale = auth.marker()

        def headers() -> dict[str, str]:
            return auth.headers(op, self.counterparty_guid)

        async def send() -> Any:
            return await self._http.request(
                method,
                path,
                params=params,
                json_body=body,
                headers=headers,
                idempotent=idempotent,
                with_date=with_date,
                offload=offload,
            )

        try:
            return await send()
        except AuthError as exc:
            if bank_auth and _says_bank_auth(exc):
                raise _declined(exc, method, path) from None
            log.info("%s %s: 401, signing in again", method, path)
            if not await auth.relogin(self._http, stale):
                raise AuthError(
                    exc.message,
                    status_code=exc.status_code,
                    method=method,
                    path=path,
                    reason="expired",
                ) from None
        try:
            return await send()
        except AuthError as exc:
            if bank_auth:  # the session was just renewed: the refusal is about the customer
                raise _declined(exc, method, path) from None
            raise AuthError(
                f"still not authorised after signing in again: {exc.message}",
                status_code=exc.status_code,
                method=method,
                path=path,
                reason="expired",
            ) from None

    @property
    def cp_path(self) -> str:
        """``/api/v1/counterparty/{cp}``: the prefix of the counterparty's endpoints."""
        return self._cp

    async def raw_get(
        self, path: str, params: Mapping[str, QueryValue] | None = None
    ) -> tuple[int, Any]:
        """One read-only GET answered as (status, JSON body or text), without error mapping,
        retries or re-login: what ``teller-app doctor`` shows as evidence."""
        await self.auth.ensure(self._http)
        headers = self.auth.headers(READ, self.counterparty_guid)
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=15.0, transport=self._transport
        ) as http:
            query = tuple(query_params(params or {}))
            response = await http.get(path, params=query, headers=headers)
        try:
            body: Any = _json.loads(response.text)
        except ValueError:
            body = response.text[:500]
        return response.status_code, body

    def _parse(self, model: type[M], data: Any, method: str, path: str) -> M:
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise Unavailable(
                f"unexpected answer shape ({exc.error_count()} problems)", method=method, path=path
            ) from None

    # --- who am I -------------------------------------------------------------------------
    async def whoami(self) -> Employee:
        """The signed-in employee (disabled ones included, check ``is_disabled``). No such
        endpoint exists: the Kratos identity id (= employee GUID) or the login e-mail is looked
        up in the employees list, and the match is checked here, not trusted to the filter."""
        await self.auth.ensure(self._http)
        email = self.auth.email.strip().lower()
        ident = self.auth.identity_id
        if ident:
            page = await self.list_employees(guids=[ident], include_disabled=True)
            for emp in page.employees:
                if emp.guid == ident:
                    return emp
        page = await self.list_employees(logins=[self.auth.email], include_disabled=True)
        for emp in page.employees:
            if email in (emp.email.lower(), emp.login.lower()):
                return emp
        offset = 0
        while True:  # filter names differ on this server: scan the list
            page = await self.list_employees(include_disabled=True, offset=offset, limit=200)
            for emp in page.employees:
                if (ident and emp.guid == ident) or email in (emp.email.lower(), emp.login.lower()):
                    return emp
            offset += len(page.employees)
            if not page.employees or offset >= page.total:
                break
        raise NotFound(
            "the signed-in employee is not in the employees list",
            method="GET",
            path=f"{self._cp}/employees",
        )

    # --- employees, branches, roles, segments, categories ----------------------------------
    async def list_employees(
        self,
        *,
        guids: StrList = None,
        logins: StrList = None,
        names: StrList = None,
        branch_guids: StrList = None,
        include_disabled: bool | None = None,
        offset: int = 0,
        limit: int = 100,
        order: str | None = None,
    ) -> EmployeePage:
        path = f"{self._cp}/employees"
        params: dict[str, QueryValue] = {
            "guids": guids,
            "logins": logins,
            "names": names,
            "branch_guids": branch_guids,
            "include_disabled": include_disabled,
            "offset": offset,
            "limit": limit,
            "order": order,
        }
        data = await self._call("GET", path, params=params)
        return self._parse(EmployeePage, data, "GET", path)

    async def list_branches(
        self, *, names: StrList = None, guids: StrList = None, page_size: int = 200
    ) -> list[Branch]:
        """All branches (deleted ones included; check ``is_deleted``)."""
        path = f"{self._cp}/branches"
        out: list[Branch] = []
        while True:
            params: dict[str, QueryValue] = {
                "names": names,
                "guids": guids,
                "offset": len(out),
                "limit": page_size,
            }
            data = await self._call("GET", path, params=params)
            page = self._parse(BranchPage, data, "GET", path)
            out.extend(page.branches)
            if not page.branches or len(out) >= page.total:
                return out

    async def get_branch(self, branch_guid: str) -> Branch:
        path = f"{self._cp}/branches/{branch_guid}"
        return self._parse(Branch, await self._call("GET", path), "GET", path)

    async def list_roles(self) -> list[str]:
        path = f"{self._cp}/roles"
        data = await self._call("GET", path)
        roles = data.get("roles") if isinstance(data, dict) else data
        roles = [] if roles is None else roles  # null = empty
        if not isinstance(roles, list):
            raise Unavailable("unexpected answer shape", method="GET", path=path)
        return [r if isinstance(r, str) else str(r.get("name", "")) for r in roles]

    async def list_segments(self, segment_names: StrList = None) -> list[Segment]:
        """Segments and their account types, flattened from the documented
        ``[{"counterparty": …, "segments": {name: [account types]}}]`` shape."""
        path = f"{self._cp}/segments"
        data = await self._call("GET", path, params={"segment_names": segment_names})
        groups = data if isinstance(data, list) else [data]
        merged: dict[str, list[SegmentAccountType]] = {}
        try:
            for group in groups:
                segments = group.get("segments") if isinstance(group, dict) else None
                for name, types in (segments or {}).items():
                    bucket = merged.setdefault(str(name), [])
                    bucket.extend(SegmentAccountType.model_validate(t) for t in types or [])
        except (pydantic.ValidationError, AttributeError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None
        return [Segment(name=n, account_types=t) for n, t in merged.items()]

    async def list_categories(self) -> list[Category]:
        path = "/api/v1/dictionary/payment/category"
        data = await self._call("GET", path)
        items = data.get("categories") if isinstance(data, dict) else data
        try:
            return [Category.model_validate(c) for c in items or []]
        except (pydantic.ValidationError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None

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

    async def create_customer(self, new: NewCustomer) -> CreatedCustomer:
        """Create a customer with its first account. A timeout or an unavailable platform is
        reconciled: the login is looked up first (so a lost answer never makes a second
        customer); if absent, the POST is sent once more."""
        path = f"{self._cp}/customers"
        op = Operation("sign-up", new.login or None)
        body = new.wire()
        try:
            data = await self._call("POST", path, op=op, body=body, bank_auth=True)
        except (Timeout, Unavailable) as first:
            if not new.login:
                raise
            log.info("POST %s failed (%s): reconciling by login", path, type(first).__name__)
            found = await self._reconcile_customer(new)
            if found is not None:
                return found
            try:
                data = await self._call("POST", path, op=op, body=body, bank_auth=True)
            except Conflict:
                found = await self._reconcile_customer(new)
                if found is None:
                    raise
                return found
            except (Timeout, Unavailable):
                found = await self._reconcile_customer(new)
                if found is None:
                    raise
                return found
        if not (isinstance(data, dict) and data.get("customer_guid")):
            # Created, but the answer does not say whom: never carry on with "".
            found = await self._reconcile_customer(new) if new.login else None
            if found is None:
                raise Unavailable("answer has no customer_guid", method="POST", path=path)
            return found
        return self._parse(CreatedCustomer, data, "POST", path)

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
        path = f"{self._cp}/customers/{customer_guid}"
        await self._call("PUT", path, body=update.wire(), op=Operation("sign-in", None))

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


def _says_bank_auth(exc: AuthError) -> bool:
    text = exc.message.lower()
    return "bank auth" in text or "auth service" in text


def _declined(exc: AuthError, method: str, path: str) -> BankAuthDeclined:
    return BankAuthDeclined(exc.message, status_code=exc.status_code, method=method, path=path,
                            reason="bank_auth")


def _guid(data: Any, key: str, method: str, path: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise Unavailable(f"answer has no {key}", method=method, path=path)
    return value


__all__ = ["PlatformClient", "PlatformError", "RetryPolicy"]


_CUSTOMER_FILTERS = frozenset(inspect.signature(PlatformClient.list_customers).parameters) - {
    "self",
    "offload",
}


def _validate_records(data: Any) -> Any:
    """``CUSTOMER_RECORDS`` over a page, 200 customers per call: each call holds the GIL
    throughout, so a 1000-row page in one call would stall the UI thread for its whole
    duration (tens of ms on a busy machine)."""
    customers = data.get("customers") if isinstance(data, dict) else None
    if not isinstance(customers, list) or len(customers) <= 200:
        return CUSTOMER_RECORDS.validate_python(data)
    head = CUSTOMER_RECORDS.validate_python({**data, "customers": customers[:200]})
    for start in range(200, len(customers), 200):
        chunk = {"customers": customers[start : start + 200]}
        head["customers"] += CUSTOMER_RECORDS.validate_python(chunk)["customers"]
    return head
