"""A supervisor's refused sign-in at another employee's desk is told apart from the desk's
own session ending: every in-place path (a decision, a cash confirm, a till co-sign) raises
``SupervisorSignInRefused`` (still an ``AuthError``, its reason kept), and nothing of the
wrong guess is kept for the log masking. Real sandbox over HTTP."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from test_approvals_helpers import SUPERVISOR, profile_for

from teller_app.core.approvals import decide_in_place
from teller_app.core.cash import confirm_with_credentials
from teller_app.core.supervisor_sign_in import SupervisorSignInRefused
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.platform import AuthError, _sensitive
from teller_app.platform.hub_models import ChangeRequest

Attempt = Callable[[Any, str, str], Awaitable[object]]
ATTEMPTS: dict[str, Attempt] = {
    "decision": lambda profile, email, password: decide_in_place(
        profile, email, password, ChangeRequest(id="r-1", kind="customer_update",
                                                customer_guid="c-1"), "approved"),
    "cash confirm": lambda profile, email, password: confirm_with_credentials(
        profile, email, password, "payment-1", None),
    "till co-sign": lambda profile, email, password: cosign_with_credentials(
        profile, email, password, "till-1"),
}


@pytest.mark.parametrize("path", sorted(ATTEMPTS))
def test_a_wrong_supervisor_password_is_their_refusal(sandbox: Any, path: str) -> None:
    _sensitive.forget_all_secrets()
    wrong = "guess-" + secrets.token_urlsafe(10)
    with pytest.raises(SupervisorSignInRefused) as refused:
        asyncio.run(ATTEMPTS[path](profile_for(sandbox), SUPERVISOR, wrong))
    assert isinstance(refused.value, AuthError)
    assert refused.value.reason == "invalid_credentials"
    assert wrong not in str(refused.value) and _sensitive.registered_count() == 0
