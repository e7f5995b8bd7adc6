"""Desk ↔ hub ↔ DCM, real processes: secrets issued before create, and the faults of issue 9
(hub down, hub slow, secret issued but create failed, secret missing)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from hub_stack_helpers import SlowStack, password_of

from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack, onboard
from teller_app.core.session import HubLink, Session, open_session
from teller_app.platform import (
    BankAuthDeclined,
    HubUnavailable,
    NewCustomer,
    PasswordLogin,
    Unavailable,
)
from teller_app.platform.hub_client import HubClient
from teller_app.secrets import Profile

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
TELLER = "teller.kyiv@demo.bank"


def _profile(sandbox: Any, hub_url: str | None) -> Profile:
    return Profile(name="t", base_url=sandbox.base_url,
                   counterparty_guid=sandbox.counterparty_guid, hub_url=hub_url)


async def _session(sandbox: Any, hub_url: str | None, **kw: Any) -> Session:
    auth = PasswordLogin(TELLER, password_of(sandbox, TELLER))
    return await open_session(_profile(sandbox, hub_url), auth, **kw)


def _new(sandbox: Any, session: Session, login: str | None = None) -> NewCustomer:
    asset = sandbox.manifest["asset"]
    return NewCustomer(asset_code=asset["code"], asset_issuer=asset["issuer"],
                       login=login or "c" + uuid.uuid4().hex[:11], name="Ірина",
                       surname="Коваль", branch_guid=session.branch_guid)


async def test_mode_a_create_issues_the_secret_first(hub_stack: EmbeddedStack) -> None:
    session = await _session(hub_stack.sandbox, hub_stack.hub_url)
    try:
        assert session.hub_available and session.hub is not None
        new = _new(hub_stack.sandbox, session)
        assert not await session.hub.hub.secret_exists(new.login or "")
        snap = await CustomerService(session.client, hub=session.hub).create(new)
        assert snap.customer.login == new.login
        assert await session.hub.hub.secret_exists(new.login or "")
    finally:
        await session.close()


async def test_missing_secret_is_bank_auth_declined_not_session_expired(
        hub_stack: EmbeddedStack) -> None:
    session = await _session(hub_stack.sandbox, hub_stack.hub_url)
    try:
        new = _new(hub_stack.sandbox, session)
        with pytest.raises(BankAuthDeclined) as info:
            await CustomerService(session.client).create(new)  # no hub: no secret issued
        assert "declined" in info.value.message
        assert await session.client.find_customer_by_login(new.login or "") is None
        assert await session.client.whoami()  # the session itself is fine
    finally:
        await session.close()


async def test_hub_down_at_sign_in_and_during_create(hub_stack: EmbeddedStack) -> None:
    dead = "http://127.0.0.1:9"  # discard port: connection refused
    session = await _session(hub_stack.sandbox, dead)
    try:
        assert not session.hub_available and session.hub_problem  # sign-in still worked
        new = _new(hub_stack.sandbox, session)
        with pytest.raises(HubUnavailable):
            await CustomerService(session.client, hub=session.hub).create(new)
        assert await session.client.find_customer_by_login(new.login or "") is None
    finally:
        await session.close()


async def test_hub_slow_dcm_declines_and_the_desk_says_why(slow_hub_stack: SlowStack) -> None:
    stack = slow_hub_stack
    session = await _session(stack.sandbox, stack.hub_url)
    try:
        new = _new(stack.sandbox, session)
        stack.delay.delay = 1.5  # the Auth Service answers DCM after its 1 s limit
        seen = stack.delay.connections
        with pytest.raises(BankAuthDeclined) as info:
            await CustomerService(session.client, hub=session.hub).create(new)
        assert stack.delay.connections > seen  # DCM really called the hub, through the relay
        assert "declined" in info.value.message
        assert session.hub is not None and await session.hub.hub.secret_exists(new.login or "")
        stack.delay.delay = 0.0
        snap = await CustomerService(session.client, hub=session.hub).create(new)
        assert snap.customer.login == new.login  # same secret, now in time
    finally:
        stack.delay.delay = 0.0
        await session.close()


class _FailCreates(httpx.AsyncBaseTransport):
    """Fault injector: POST …/customers answers 503 ``failures`` times, then passes."""

    def __init__(self, failures: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.failures = failures

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (request.method == "POST" and request.url.path.endswith("/customers")
                and self.failures > 0):
            self.failures -= 1
            return httpx.Response(503, json={"error": "injected"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_secret_issued_create_failed_retry_reuses_secret_one_customer(
        hub_stack: EmbeddedStack) -> None:
    faults = _FailCreates(failures=2)  # the first create and its reconciled re-send
    session = await _session(hub_stack.sandbox, hub_stack.hub_url, transport=faults)
    try:
        assert session.hub is not None
        service = CustomerService(session.client, hub=session.hub)
        new = _new(hub_stack.sandbox, session)
        with pytest.raises(Unavailable):
            await service.create(new)
        assert await session.hub.hub.secret_exists(new.login or "")
        again = await session.hub.issue_secret(new.login or "", new.branch_guid)
        assert not again.created  # idempotent: the first secret is kept
        snap = await service.create(new)
        page = await session.client.list_customers(logins=[new.login or ""], limit=10)
        assert page.total == 1 and page.customers[0].wallet_user_guid == \
            snap.customer.wallet_user_guid
    finally:
        await session.close()


async def test_hub_link_reopens_an_expired_hub_session(hub_stack: EmbeddedStack) -> None:
    session = await _session(hub_stack.sandbox, hub_stack.hub_url)
    try:
        link = session.hub
        assert isinstance(link, HubLink) and isinstance(link.hub, HubClient)
        link.hub.token = "stale-token-" + uuid.uuid4().hex  # as if the hub session expired
        issued = await link.issue_secret("c" + uuid.uuid4().hex[:11], session.branch_guid)
        assert issued.created and link.hub.token and not link.hub.token.startswith("stale")
    finally:
        await session.close()


async def test_onboarding_gave_demo_customers_and_key_keepers_secrets(
        hub_stack: EmbeddedStack) -> None:
    sb = hub_stack.sandbox
    admin = "admin@demo.bank"
    session = await open_session(_profile(sb, hub_stack.hub_url),
                                 PasswordLogin(admin, password_of(sb, admin)))
    try:
        assert session.hub is not None and session.is_head_office
        logins = [c.login async for c in session.client.iter_customers() if c.login]
        logins += [c.login async for c in session.client.iter_customers(is_disabled=True)
                   if c.login]
        assert len(logins) >= 10
        for login in logins[:5] + logins[-5:]:
            assert await session.hub.hub.secret_exists(login), login
        for branch in sb.manifest["branches"]:
            assert await session.hub.hub.secret_exists(f"keykeeper:{branch['guid']}")
        assert await session.hub.hub.secret_exists(f"keykeeper:{sb.counterparty_guid}")
        assert await onboard(hub_stack) == 0  # idempotent, and skipped when nothing changed
    finally:
        await session.close()
