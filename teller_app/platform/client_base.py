"""The platform client's core: construction, sign-in, the one call with a transparent
re-login, and what it learns about the server. The endpoint groups build on it
(``client_org``, ``client_customers``, ``client_payments``); ``client.PlatformClient`` joins
them."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import pydantic

from . import _json
from ._http import HttpCore, Offload, QueryValue, RetryPolicy, Sleep
from ._wire import parse_model
from .auth import READ, Auth, BankJwtLogin, Operation, PasswordLogin
from .errors import (
    AuthError,
    BankAuthDeclined,
    PlatformError,
    Unavailable,
)
from .models import (
    CUSTOMER_RECORDS,
)
from .traits import ServerTraits
from .transport import TransportSettings

log = logging.getLogger("teller_app.platform")

_LITERAL_DISABLED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "literal_is_disabled", default=False
)
PROBE_CLOSE_S = 2.0  # how long a close waits for the is_disabled probe it cancelled
BIG_PAGE = 100  # customer pages longer than this are validated off the event loop
M = TypeVar("M", bound=pydantic.BaseModel)
TimeValue = datetime | str | None
StrList = Sequence[str] | None



class ClientBase:
    """Shared state and the call path of ``PlatformClient`` (see ``client.py``)."""

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
            # its callers may all be gone (cancelled) when it fails: its error is theirs
            self._disabled_probe.add_done_callback(_retrieve)
        probe = self._disabled_probe
        try:
            await asyncio.shield(probe)
        except PlatformError:
            if self._disabled_probe is probe:
                self._disabled_probe = None
            raise

    async def _probe_disabled(self) -> None:
        from .client import PlatformClient
        from .probes import probe_disabled

        assert isinstance(self, PlatformClient)  # the only concrete client
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
    async def __aenter__(self) -> Self:
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
        # a probe whose callers were cancelled must not outlive the client (it would fail
        # later, at garbage collection, on a closed connection pool)
        probe, self._disabled_probe = self._disabled_probe, None
        try:
            if probe is not None and not probe.done():
                probe.cancel()
                # bounded: a probe that outlives its cancel (a library losing it) must not
                # hold a close for ever (a hub's shutdown); it is left, its pool closed
                await asyncio.wait([probe], timeout=PROBE_CLOSE_S)
                if not probe.done():
                    log.warning("is_disabled probe still running at close: left")
        finally:  # a close that is itself cancelled still closes the connection pool
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
        # the client's own connection: a profile's pins and CA hold for the evidence too
        response = await self._http.raw_get(path, params, headers)
        try:
            body: Any = _json.loads(response.text)
        except ValueError:
            body = response.text[:500]
        return response.status_code, body

    def _parse(self, model: type[M], data: Any, method: str, path: str) -> M:
        return parse_model(model, data, method, path)


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


def _retrieve(task: asyncio.Future[None]) -> None:
    """Mark a finished background task's error as seen (its awaiters, if any, still get it)."""
    if not task.cancelled():
        task.exception()
