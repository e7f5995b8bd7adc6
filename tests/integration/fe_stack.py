"""A sandbox + hub pair for the four-eyes desk tests (module scope): like ``hub_stack`` but
the hub's watcher runs (the Mode-A detective control; forced on although the embedded hub
also holds the Mode-B key) and looks every 0.3 s, so "changed without approval" shows in a
test's time."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from hub_stack_helpers import password_of

from teller_app.core.embedded_hub import free_port, start_hub
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.embedded_stack import EmbeddedStack, hub_settings, onboard
from teller_app.core.session import Session, open_session
from teller_app.platform import PasswordLogin
from teller_app.platform.hub_models import HubEvent
from teller_app.secrets import Profile

TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "supervisor.kyiv@demo.bank"
LVIV_SUPERVISOR = "supervisor.lviv@demo.bank"
ADMIN = "admin@demo.bank"


def start_fe_stack(base: Path) -> EmbeddedStack:
    port = free_port()
    sandbox = start_sandbox(base / "sandbox", "--bank-auth-url", f"http://127.0.0.1:{port}")
    try:
        settings = {**hub_settings(sandbox), "watch": "1", "watch_interval_s": "0.3",
                    "resume_interval_s": "1"}
        hub = start_hub(base / "hub", port=port, settings=settings)
    except Exception:
        sandbox.stop()
        raise
    stack = EmbeddedStack(sandbox, hub, None, port)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, onboard(stack)).result()
    return stack


def profile(stack: EmbeddedStack, name: str = "fe") -> Profile:
    return Profile(name=name, base_url=stack.sandbox.base_url,
                   counterparty_guid=stack.sandbox.counterparty_guid, hub_url=stack.hub_url)


async def sign_in(stack: EmbeddedStack, email: str) -> Session:
    auth = PasswordLogin(email, password_of(stack.sandbox, email))
    session = await open_session(profile(stack), auth)
    assert session.hub_available, session.hub_problem
    return session


def sandbox_db(sandbox: SandboxProcess) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{sandbox.data_dir / 'sandbox.db'}?mode=ro", uri=True)


def workaround_leftovers(sandbox: SandboxProcess) -> list[tuple[str, str]]:
    """Customers that carry the old workaround: marker logins or requests in ``status``."""
    with sandbox_db(sandbox) as db:
        return db.execute(
            "SELECT login, status FROM customers WHERE login LIKE 'approval-lock:%' "
            "OR instr(coalesce(status, ''), '[[') > 0").fetchall()


async def set_teller_put(stack: EmbeddedStack, allowed: bool) -> None:
    """Give the demo Teller role ``PUT customers`` or take it away (the sandbox's role
    endpoints, as a bank administrator would)."""
    sandbox = stack.sandbox
    admin = await sign_in(stack, ADMIN)
    try:
        token = admin.client.session_token
        headers = {"Authorization": f"bearer {token}"}
        base = sandbox.base_url + "/api/v1"
        async with httpx.AsyncClient(timeout=10) as http:
            perms = (await http.get(base + "/permissions", headers=headers,
                                    params={"keto_permissions": "PUT",
                                            "scope_names": "customers"})).json()
            guid = next(p["guid"] for p in perms["permissions"]
                        if p["keto_kind"] == "endpoint")
            body = {"role_name": "Teller", "permission_guid": guid}
            resp = await http.request("POST" if allowed else "DELETE",
                                      f"{base}/counterparty/{sandbox.counterparty_guid}"
                                      "/roles/permission", headers=headers, json=body)
            assert resp.status_code < 300, resp.text
    finally:
        await admin.close()


class Collector:
    """Events from an ``EventFeed``, awaitable by condition."""

    def __init__(self) -> None:
        self.events: list[HubEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: HubEvent) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, match: Callable[[HubEvent], bool], timeout: float = 10.0
                       ) -> HubEvent:
        async def found() -> HubEvent:
            while True:
                for event in self.events:
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout)


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    """Re-check ``check`` (a hub/platform read) until it returns something truthy."""
    async def loop() -> Any:
        delay = 0.05
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(delay)
            delay = min(0.5, delay * 2)

    return await asyncio.wait_for(loop(), timeout)
