"""Mode B desks on an embedded stack (sandbox + hub): a teller known only to the hub, and the
desk profile that signs in through the hub (e-mail + the hub's password, no bank key)."""

from __future__ import annotations

import secrets
import uuid

import httpx

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.secrets import Profile


def hub_teller(stack: EmbeddedStack) -> tuple[str, str]:
    """(e-mail, password) of a new hub employee, a Teller of the sandbox's first branch."""
    assert stack.hub is not None
    email = f"teller.{uuid.uuid4().hex[:8]}@hub.bank"
    password = "pw-" + secrets.token_urlsafe(12)
    resp = httpx.post(stack.hub.base_url + "/api/v1/admin/employees", timeout=10, json={
        "email": email, "name": "Hub Teller", "password": password, "roles": ["Teller"],
        "branch_guid": stack.sandbox.manifest["branches"][0]["guid"]},
        headers={"Authorization": f"Bearer {stack.hub.admin_token}"})
    resp.raise_for_status()
    return email, password


def hub_profile(stack: EmbeddedStack) -> Profile:
    """A desk profile in hub mode (Mode B) on the stack."""
    return Profile(name="bank-b", base_url=stack.sandbox.base_url, auth_mode="hub",
                   counterparty_guid=stack.sandbox.counterparty_guid, hub_url=stack.hub_url)
