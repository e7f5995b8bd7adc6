"""A Mode-B employee's password is at least 12 characters when it is set (the admin API and
``teller-hub employees add|reset``); signing in checks no length, so a password set before
the rule still works."""

from __future__ import annotations

import asyncio

import httpx
from hub_proc import HubProc, branches, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.db import make_engine
from teller_app.hub.employees import PasswordStore
from teller_app.hub.settings import HubSettings

ELEVEN, TWELVE = "abcdefghijk", "abcdefghijkl"


def _add(http: httpx.Client, hub: HubProc, email: str, password: str) -> httpx.Response:
    return http.post("/api/v1/admin/employees",
                     headers={"Authorization": f"Bearer {hub.admin_token}"},
                     json={"email": email, "name": "Short", "password": password,
                           "roles": ["Teller"], "head_office": True})


def _sign_in(http: httpx.Client, email: str, password: str) -> int:
    return http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                               "password": password}).status_code


def test_admin_api_needs_twelve_characters(hub: HubProc, http: httpx.Client) -> None:
    for short in ("x", ELEVEN, " " * 11):
        email = unique_email("short")
        r = _add(http, hub, email, short)
        assert r.status_code == 422 and "password" in r.json()["error"], r.text
        assert _sign_in(http, email, short) == 401  # nobody was created
    email = unique_email("twelve")
    assert _add(http, hub, email, TWELVE).status_code == 200
    assert _sign_in(http, email, TWELVE) == 200


def test_cli_needs_twelve_characters(hub: HubProc, sandbox: SandboxProcess) -> None:
    email = unique_email("cli-short")
    add = ("employees", "add", "--email", email, "--role", "Teller",
           "--branch", branches(sandbox)[0], "--password-stdin")
    r = hub.cli(*add, stdin=ELEVEN + "\n")
    assert r.returncode == 2 and "12..1024" in r.stderr
    assert hub.cli(*add, stdin=TWELVE + "\n").returncode == 0
    reset = hub.cli("employees", "reset", "--email", email, "--password-stdin",
                    stdin=ELEVEN + "\n")
    assert reset.returncode == 2 and "12..1024" in reset.stderr


def test_an_older_short_password_still_signs_in(hub: HubProc, http: httpx.Client) -> None:
    """Set before the rule (straight into the store, as an older hub did)."""
    email = unique_email("older")

    async def add_directly() -> None:
        url = hub.env.get("TELLER_HUB_DATABASE_URL") or \
            f"sqlite+aiosqlite:///{hub.data_dir / 'hub.db'}"
        engine = make_engine(HubSettings(database_url=url))
        try:
            assert await PasswordStore(engine).add(email, "Older", "short-pw", ["Teller"], None,
                                                   True)
        finally:
            await engine.dispose()

    asyncio.run(add_directly())
    assert _sign_in(http, email, "short-pw") == 200
