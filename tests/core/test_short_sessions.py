"""Short-lived sessions (the unlock password check, a supervisor confirming at a teller's
desk) are logged out on the platform, not just dropped: their token must not stay valid."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from test_approvals_helpers import (
    SUPERVISOR,
    TELLER,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.core.cash import CashKind, CashService, confirm_with_credentials
from teller_app.platform import AuthError, PasswordLogin, PlatformClient


@pytest.fixture()
def logouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every employee whose session was logged out (the real logout still runs)."""
    seen: list[str] = []
    real = PlatformClient.logout

    async def spy(self: PlatformClient) -> bool:
        if self.session_token:
            seen.append(self.employee_email)
        return await real(self)

    monkeypatch.setattr(PlatformClient, "logout", spy)
    return seen


def test_the_unlock_check_logs_its_session_out(sandbox: Any, logouts: list[str]) -> None:
    from teller_app.core.session import verify_password  # the unlock check (ui/lock_modes)

    password = employee(sandbox, TELLER)["password"]
    assert asyncio.run(verify_password(profile_for(sandbox), TELLER, password))
    assert logouts == [TELLER]
    assert not asyncio.run(verify_password(profile_for(sandbox), TELLER, "wrong-password"))
    assert logouts == [TELLER]  # no session, nothing to log out


def test_a_supervisor_confirming_in_place_is_logged_out(sandbox: Any,
                                                       logouts: list[str]) -> None:
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            customer = await new_customer(client, sandbox)
            draft = await service.create(CashKind.DEPOSIT, customer, "12000.00")
            password = employee(sandbox, SUPERVISOR)["password"]
            receipt = await confirm_with_credentials(profile_for(sandbox), SUPERVISOR, password,
                                                     draft.payment_guid, branch["guid"])
            assert receipt.status == "CONFIRMED"
        finally:
            await client.aclose()

    asyncio.run(scenario())
    assert logouts == [SUPERVISOR]


def test_logout_revokes_the_token_on_the_platform(sandbox: Any) -> None:
    async def scenario() -> None:
        emp = employee(sandbox, TELLER)
        client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                auth=PasswordLogin(emp["email"], emp["password"]))
        await client.login()
        token = client.session_token
        revoked = await client.logout()
        await client.aclose()
        if not revoked:
            pytest.skip("this sandbox has no Kratos logout endpoint yet")
        again = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                               auth=PasswordLogin(emp["email"], None, session_token=token))
        try:
            with pytest.raises(AuthError):
                await again.whoami()
        finally:
            await again.aclose()

    asyncio.run(scenario())
