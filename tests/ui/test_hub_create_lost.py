"""A create whose answer was lost, with the bank's Teller Hub issuing the customer's secret
(the real sandbox as DCM, the real hub as its Auth Service; a fault-injecting transport on
the desk's DCM connection): the next Save settles the earlier attempt by login first, so
the secret step never makes it fail or create a second customer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from teller_app.core.session import HubLink, make_auth, open_session
from teller_app.platform import RetryPolicy
from teller_app.platform.hub_client import HubClient
from teller_app.ui.sign_in import sandbox_target
from tests.platform.lost_helpers import Swallowing

from .conftest import TELLER, make_window, password_of, unique
from .test_hub_create import _fill, stack  # noqa: F401 (this module's sandbox + hub)

pytestmark = pytest.mark.slow
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


def _create_post(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/customers")


@pytest.fixture()
def lossy(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]  # noqa: F811
    """A hub-backed desk whose next customer POST is lost (``state["lose"]``: applied) or
    swallowed (``state["swallow"]``: no answer, never reached DCM); either way the network
    is down after it (the lookup fails too) until ``state["down"]`` is cleared."""
    state = {"lose": False, "down": False, "swallow": False}

    def fault(request: httpx.Request, _n: int) -> str | None:
        if state["down"]:
            return "drop-before"
        if state["lose"] and _create_post(request):
            state.update(lose=False, down=True)
            return "lost"
        return None

    def swallow(request: httpx.Request) -> bool:
        if state["swallow"] and _create_post(request):
            state.update(swallow=False, down=True)
            return True
        return False

    transport = Swallowing(fault, swallow=swallow)
    profile = sandbox_target(stack.sandbox.manifest, stack.hub_url).profile
    auth = make_auth(profile, TELLER, password_of(stack.sandbox, TELLER))
    session = arun(open_session(profile, auth, transport=transport, retry=FAST))
    assert session.hub_available
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win, transport, state
    win._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())


def _first_attempt(qtbot: Any, form: Any) -> str:
    form.submit()
    qtbot.waitUntil(lambda: bool(form.banner.text()), timeout=20000)
    return str(form.banner.text())


def test_a_lost_create_is_settled_without_a_second_customer_or_the_hub(
        qtbot, arun, lossy) -> None:  # type: ignore[no-untyped-def]
    """Landed, answer lost, lookup down: the secret was issued; on the next Save the hub
    is down too, and the customer is still found and opened (the hub is not needed)."""
    window, transport, state = lossy
    form = window.new_customer()
    login = unique("hublost.")
    _fill(form, login)
    state["lose"] = True
    said = _first_attempt(qtbot, form)
    assert arun(window.session.hub.hub.secret_exists(login))
    state["down"] = False
    dead = HubClient("http://127.0.0.1:9")  # nothing listens there: connection refused
    window.service.hub = HubLink(dead, window.session.client)
    try:
        with qtbot.waitSignal(window.customer_card_opened, timeout=20000) as opened:
            form.submit()
    finally:
        arun(dead.aclose())
    assert opened.args[0].customer.login == login
    assert transport.posts("/customers") == 1
    assert arun(window.session.client.list_customers(logins=[login], limit=5)).total == 1
    assert "may have been created" in said


def test_a_lost_create_that_made_nobody_is_sent_again_with_the_same_secret(
        qtbot, arun, lossy) -> None:  # type: ignore[no-untyped-def]
    """No answer, nothing reached DCM, lookup down: the next Save finds no such login, the
    hub keeps the secret it issued (idempotent by login) and DCM gets it while creating."""
    window, transport, state = lossy
    form = window.new_customer()
    login = unique("hubnone.")
    _fill(form, login)
    state["swallow"] = True
    said = _first_attempt(qtbot, form)
    assert "may have been created" in said and transport.swallowed == 1
    assert arun(window.session.hub.hub.secret_exists(login))
    state["down"] = False
    with qtbot.waitSignal(window.customer_card_opened, timeout=20000) as opened:
        form.submit()
    assert opened.args[0].customer.login == login
    assert transport.posts("/customers") == 1  # the swallowed one never reached DCM
    assert arun(window.session.client.list_customers(logins=[login], limit=5)).total == 1
