"""A test module's own embedded sandbox + Teller Hub (``embedded_stack``: tills and requests
of one module never meet another's) and sessions signed in on it through the hub
(``hub_session``), for the tests that drive real windows against both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack, start_embedded
from teller_app.core.till import Till, TillService
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.ui.sign_in import sandbox_target, sign_in

from .conftest import make_window, new_customer, password_of


def embedded_stack(name: str) -> Callable[..., Iterator[EmbeddedStack]]:
    """A module-scoped fixture starting the stack in a temporary directory ``name``. Not
    onboarded (``core.embedded_stack.onboard``, which the app runs after the desk opens): a
    teller's cash-in needs the key keepers' secrets it issues (DCM asks ``/key`` for
    ``keykeeper:<branch>``), so a test that confirms one onboards first."""

    @pytest.fixture(scope="module")
    def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
        started = start_embedded(tmp_path_factory.mktemp(name))
        try:
            assert started.hub is not None, started.hub_problem
            yield started
        finally:
            started.stop()

    return stack


def hub_session(arun: Any, stack: EmbeddedStack, email: str) -> Any:
    """``email``'s session on ``stack`` (its demo password), with the hub's link open."""
    target = sandbox_target(stack.sandbox.manifest, stack.hub_url)
    session = arun(sign_in(target, email, password_of(stack.sandbox, email), remember=False,
                           store=None))
    assert session.hub is not None
    return session


@contextmanager
def hub_desk_window(qtbot: Any, ops: Any, arun: Any, stack: EmbeddedStack, email: str,
                    width: int = 1280) -> Iterator[Any]:
    """``email``'s main window on ``stack`` (signed in through the hub), ``width`` px wide;
    its ops cancelled and its session closed afterwards."""
    session = hub_session(arun, stack, email)
    window = make_window(qtbot, ops, session, stack.sandbox)
    window.resize(width, 720)
    try:
        yield window
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(session.close())


SUPERVISOR = "supervisor.kyiv@demo.bank"  # co-signs a first till opening


def open_new_customers_card(qtbot: Any, arun: Any, stack: EmbeddedStack, desk: Any) -> Any:
    """A new customer's card on ``desk``, loaded (up to date, its account shown), with the
    supervisor's inbox open beside it."""
    session = desk.session
    made = arun(CustomerService(session.client, hub=session.hub).create(
        new_customer(stack.sandbox, session, surname="Шевченко", name="Олександра")))
    card = desk.open_customer(made.customer)
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date" and not desk.ops.is_busy()
                    and len(card.account_panels) >= 1, timeout=20000)
    dock = desk.supervision.inbox_dock
    assert dock is not None and dock.isVisible()  # the inbox is beside the card
    return card


def open_cosigned_till(arun: Any, stack: EmbeddedStack, till: TillService, session: Any,
                       code: str, counts: dict[str, int]) -> Till:
    """Till ``code`` opened through ``till`` (the desk's service), co-signed by the demo
    supervisor with their credentials when the hub asks (a first opening does)."""
    opened = arun(till.open(code, counts))
    if opened.needs_cosign:
        opened = arun(cosign_with_credentials(session.profile, SUPERVISOR, password_of(
            stack.sandbox, SUPERVISOR), opened.id))
    assert opened.state == "open"
    return opened
