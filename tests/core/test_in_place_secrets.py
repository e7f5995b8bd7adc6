"""A supervisor's credentials typed at a teller's desk (in-place cash confirm, in-place
decision, a till's co-signature, the unlock check) are not kept by the desk's process
afterwards: the log masking forgets their password and session token once the short session
is closed, and a wrong guess is never registered at all. Real sandbox over HTTP."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
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

from teller_app.core.approvals import HubRequired, decide_in_place
from teller_app.core.cash import CashKind, CashService, confirm_with_credentials
from teller_app.core.session import verify_password
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.platform import AuthError, _sensitive
from teller_app.platform._sensitive import redact
from teller_app.platform.hub_models import ChangeRequest


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    _sensitive.forget_all_secrets()
    yield
    _sensitive.forget_all_secrets()


def masked(value: str) -> bool:
    return value not in redact(f"seen {value} here")


def test_an_in_place_cash_confirm_leaves_no_supervisor_secret(sandbox: Any) -> None:
    supervisor_password = employee(sandbox, SUPERVISOR)["password"]

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            held = _sensitive.registered_count()  # the teller's own password and token
            assert held == 2 and client.session_token and masked(client.session_token)
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            customer = await new_customer(client, sandbox)
            draft = await service.create(CashKind.DEPOSIT, customer, "12000.00")
            receipt = await confirm_with_credentials(profile_for(sandbox), SUPERVISOR,
                                                     supervisor_password, draft.payment_guid,
                                                     branch["guid"])
            assert receipt.status == "CONFIRMED"
            assert _sensitive.registered_count() == held
            assert masked(client.session_token)  # the teller's own stay masked
        finally:
            await client.aclose()

    asyncio.run(scenario())
    assert not masked(supervisor_password)


def test_an_in_place_decision_leaves_no_supervisor_secret(sandbox: Any) -> None:
    password = employee(sandbox, SUPERVISOR)["password"]
    request = ChangeRequest(id="r-1", kind="customer_update", customer_guid="c-1")
    with pytest.raises(HubRequired):  # signed in, then no hub to decide on (none here)
        asyncio.run(decide_in_place(profile_for(sandbox), SUPERVISOR, password, request,
                                    "approved"))
    assert not masked(password) and _sensitive.registered_count() == 0
    wrong = "guess-" + secrets.token_urlsafe(10)
    with pytest.raises(AuthError):
        asyncio.run(decide_in_place(profile_for(sandbox), SUPERVISOR, wrong, request,
                                    "approved"))
    assert not masked(wrong) and _sensitive.registered_count() == 0


def test_an_in_place_till_cosign_leaves_no_supervisor_secret(sandbox: Any) -> None:
    password = employee(sandbox, SUPERVISOR)["password"]
    with pytest.raises(HubRequired):  # signed in, then no hub to co-sign on (none here)
        asyncio.run(cosign_with_credentials(profile_for(sandbox), SUPERVISOR, password,
                                            "till-1"))
    assert not masked(password) and _sensitive.registered_count() == 0


def test_the_unlock_check_keeps_no_throwaway_token(sandbox: Any) -> None:
    password = employee(sandbox, TELLER)["password"]
    assert asyncio.run(verify_password(profile_for(sandbox), TELLER, password))
    assert not asyncio.run(verify_password(profile_for(sandbox), TELLER, "wrong-" + password))
    assert _sensitive.registered_count() == 0 and not masked(password)


def test_the_tellers_own_password_typed_as_a_supervisors_stays_masked(sandbox: Any) -> None:
    """A teller types their own credentials into the supervisor's dialog (refused: not a
    checker): their password, masked for good since their sign-in, stays masked."""
    teller_password = employee(sandbox, TELLER)["password"]

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            assert masked(teller_password)
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            draft = await service.create(CashKind.DEPOSIT, await new_customer(client, sandbox),
                                         "12000.00")
            with pytest.raises(Exception, match="may not confirm"):
                await confirm_with_credentials(profile_for(sandbox), TELLER, teller_password,
                                               draft.payment_guid, branch["guid"])
            assert masked(teller_password) and masked(str(client.session_token))
        finally:
            await client.aclose()

    asyncio.run(scenario())
