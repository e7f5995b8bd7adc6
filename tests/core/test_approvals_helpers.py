"""Helpers for the supervision and cash tests: employees' own clients against the shared
sandbox. (The four-eyes flows themselves run through the hub: tests/integration.)"""

from __future__ import annotations

import uuid
from typing import Any

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient
from teller_app.secrets import Profile


def employee(sandbox: SandboxProcess, email: str) -> dict[str, Any]:
    return next(e for e in sandbox.manifest["employees"] if e["email"] == email)


async def client_for(sandbox: SandboxProcess, email: str) -> PlatformClient:
    emp = employee(sandbox, email)
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                            auth=PasswordLogin(email, emp["password"]))
    await client.login()
    return client


async def new_customer(client: PlatformClient, sandbox: SandboxProcess, status: str = "active",
                       branch_index: int = 0) -> str:
    """A fresh customer of the branch, so tests sharing the sandbox never collide."""
    asset = sandbox.manifest["asset"]
    created = await client.create_customer(NewCustomer(
        asset_code=asset["code"], asset_issuer=asset["issuer"],
        login=f"sup-test-{uuid.uuid4().hex[:12]}@example.com", name="Тест", surname="Нагляд",
        phone_number="+380500000000",
        branch_guid=sandbox.manifest["branches"][branch_index]["guid"],
        status=status,
    ))
    return created.customer_guid


def profile_for(sandbox: SandboxProcess, **settings: Any) -> Profile:
    return Profile(name="test", base_url=sandbox.base_url,
                   counterparty_guid=sandbox.counterparty_guid, is_sandbox=True, **settings)


TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "supervisor.kyiv@demo.bank"
ADMIN = "admin@demo.bank"
LVIV_SUPERVISOR = "supervisor.lviv@demo.bank"
