"""Helpers for the hub integration tests (see conftest.py for the fixtures)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from tcp_delay import DelayingProxy

from teller_app.core.embedded_hub import HubProcess
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import Session


@dataclass
class SlowStack:
    sandbox: SandboxProcess
    hub: HubProcess
    delay: DelayingProxy

    @property
    def hub_url(self) -> str:
        return self.hub.base_url


def branch_guid(sandbox: SandboxProcess, index: int) -> str:
    return str(sandbox.manifest["branches"][index]["guid"])


def password_of(sandbox: SandboxProcess, email: str) -> str:
    return str(next(e["password"] for e in sandbox.manifest["employees"]
                    if e["email"] == email))


def hub_employee(hub: HubProcess, sandbox: SandboxProcess, email: str, roles: list[str],
                 branch_index: int | None) -> str:
    """Add a Mode-B employee to the hub (idempotent by e-mail); returns the password."""
    password = "pw-" + secrets.token_urlsafe(12)
    body: dict[str, Any] = {"email": email, "name": email.split("@")[0], "password": password,
                            "roles": roles}
    if branch_index is None:
        body["head_office"] = True
    else:
        body["branch_guid"] = branch_guid(sandbox, branch_index)
    resp = httpx.post(hub.base_url + "/api/v1/admin/employees", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {hub.admin_token}"})
    resp.raise_for_status()
    assert resp.json()["created"], f"{email} already existed: use a fresh e-mail"
    return password


async def desk_session(stack: EmbeddedStack, email: str) -> Session:
    """A desk's signed-in ``Session`` on the embedded stack (no keyring, no Remember)."""
    from teller_app.ui.sign_in import sandbox_target, sign_in

    target = sandbox_target(stack.sandbox.manifest, stack.hub_url)
    return await sign_in(target, email, password_of(stack.sandbox, email), remember=False,
                         store=None)


async def audit_rows(session: Session, marker: str) -> list[tuple[str, str]]:
    """(actor, event) of the hub's entries about ``marker`` that ``session`` may read."""
    assert session.hub is not None
    listed = await session.hub.call(lambda hub: hub.audit(limit=1000))
    return [(e.actor, str(e.detail.get("event", e.action))) for e in listed.entries
            if marker in e.entity]
