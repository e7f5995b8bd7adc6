"""The create-customer form against the real sandbox (as DCM) and Teller Hub (as the bank's
Auth Service): the secret is issued first; a missing secret or an unreachable hub is told as
what it is, never as "session expired", and the form keeps everything typed."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from teller_app.core.embedded_hub import free_port, start_hub
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.embedded_stack import EmbeddedStack, hub_settings
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.error_text import bank_auth_declined_text, hub_unavailable_text
from teller_app.ui.sign_in import sandbox_target, sign_in
from tests.onboarded_stack import onboarded_stack

from .conftest import TELLER, make_window, password_of, unique

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("ui-hub")) as started:
        yield started


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Sandbox + hub, DCM calling the hub through a delaying TCP relay (the fault injector)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))
    from tcp_delay import DelayingProxy

    base = tmp_path_factory.mktemp("ui-slow-hub")
    hub_port, relay_port = free_port(), free_port()
    sandbox = start_sandbox(base / "sandbox", "--bank-auth-url",
                            f"http://127.0.0.1:{relay_port}")
    try:
        hub = start_hub(base / "hub", port=hub_port, settings=hub_settings(sandbox))
        relay = DelayingProxy(hub_port, port=relay_port)
        try:
            yield sandbox, hub, relay
        finally:
            relay.close()
            hub.stop()
    finally:
        sandbox.stop()


@pytest.fixture()
def window(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    target = sandbox_target(stack.sandbox.manifest, stack.hub_url)
    session = arun(sign_in(target, TELLER, password_of(stack.sandbox, TELLER), remember=False,
                           store=None))
    assert session.hub_available
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win
    win._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())


def _fill(form, login: str) -> None:  # type: ignore[no-untyped-def]
    form.login.setText(login)
    form.surname.setText("Шевченко")
    form.name.setText("Тарас")
    # one customer per phone number (the hub's rule): each create its own number
    form.phone.setText("067 " + str(int(uuid.uuid4().hex[:12], 16) % 10_000_000).zfill(7))


def _submit_and_wait(qtbot, form) -> None:  # type: ignore[no-untyped-def]
    form.submit()
    qtbot.waitUntil(lambda: not form.ops.is_busy(form._submit_key()), timeout=20000)


def test_customer_created_end_to_end_through_dcm_and_the_hub(qtbot, window, arun) -> None:  # type: ignore[no-untyped-def]
    form = window.new_customer()
    login = unique("hub.")
    _fill(form, login)
    with qtbot.waitSignal(window.customer_card_opened, timeout=20000) as opened:
        form.submit()
    assert isinstance(opened.args[0], CustomerCard)
    assert arun(window.session.client.find_customer_by_login(login)) is not None
    assert arun(window.session.hub.hub.secret_exists(login))  # issued before the create


def test_customer_without_a_secret_is_refused_with_the_auth_service_message(
        qtbot, window, arun) -> None:  # type: ignore[no-untyped-def]
    window.service.hub = None  # fault: the desk skips issuing the secret
    form = window.new_customer()
    login = unique("nosecret.")
    _fill(form, login)
    _submit_and_wait(qtbot, form)
    text = form.banner.text()
    assert text.startswith(bank_auth_declined_text()) and "declined" in text
    assert "session" not in text.lower()
    assert form.login.text() == login and form.surname.text() == "Шевченко"
    assert arun(window.session.client.find_customer_by_login(login)) is None


def test_hub_slow_dcm_declines_and_teller_says_why(qtbot, ops, arun, slow) -> None:  # type: ignore[no-untyped-def]
    sandbox, hub, relay = slow
    target = sandbox_target(sandbox.manifest, hub.base_url)
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=False,
                           store=None))
    win = make_window(qtbot, ops, session, sandbox)
    try:
        form = win.new_customer()
        login = unique("slow.")
        _fill(form, login)
        relay.delay = 1.5  # the hub answers DCM's Auth Service call after DCM's 1 s limit
        _submit_and_wait(qtbot, form)
        text = form.banner.text()
        assert text.startswith(bank_auth_declined_text()) and "within 1 s" in text
        assert form.login.text() == login
        relay.delay = 0.0
        with qtbot.waitSignal(win.customer_card_opened, timeout=20000):
            form.submit()  # the retry reuses the secret issued the first time
        assert arun(session.client.find_customer_by_login(login)) is not None
    finally:
        relay.delay = 0.0
        win._closing_for_sign_out = True
        ops.cancel_all()
        arun(session.close())


def test_hub_down_during_create_keeps_the_form(qtbot, window, arun) -> None:  # type: ignore[no-untyped-def]
    dead = HubClient("http://127.0.0.1:9")  # nothing listens there: connection refused
    window.service.hub = HubLink(dead, window.session.client)
    form = window.new_customer()
    login = unique("hubdown.")
    _fill(form, login)
    _submit_and_wait(qtbot, form)
    assert form.banner.text() == hub_unavailable_text()
    assert form.login.text() == login and form.name.text() == "Тарас"
    assert arun(window.session.client.find_customer_by_login(login)) is None
    arun(dead.aclose())
