"""Opening an additional account from the card is a write sent once: a lost answer is settled
by reading the customer's accounts, and Enter pressed twice sends one POST.

The sandbox refuses a second account in the same asset; a real DCM may not, so the checks
count the POSTs that reached the server, not only what the card shows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PySide6.QtCore import Qt

from teller_app.core.session import make_auth
from teller_app.core.session import open_session as open_core_session
from teller_app.platform import RetryPolicy
from teller_app.ui.sign_in import sandbox_target
from tests.reliability.reliability_helpers import FaultyTransport
from tests.ui.conftest import TELLER, make_window, new_customer, password_of

FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


@dataclass
class Faults:
    lose_account_post: bool = False
    reads_failing_after_loss: int = 0  # then the next N GETs of accounts fail (no connection)
    failing_account_reads: int = 0

    def __call__(self, request: httpx.Request, _n: int) -> str | None:
        accounts = request.url.path.endswith("/accounts")
        if accounts and request.method == "POST" and self.lose_account_post:
            self.lose_account_post = False
            self.failing_account_reads = self.reads_failing_after_loss
            return "lost"
        if accounts and request.method == "GET" and self.failing_account_reads > 0:
            self.failing_account_reads -= 1
            return "drop-before"
        return None


@pytest.fixture()
def desk(qtbot, ops, arun, sandbox) -> Iterator[tuple[object, FaultyTransport, Faults]]:  # type: ignore[no-untyped-def]
    faults = Faults()
    transport = FaultyTransport(faults)
    profile = sandbox_target(sandbox.manifest).profile
    auth = make_auth(profile, TELLER, password_of(sandbox, TELLER))
    session = arun(open_core_session(profile, auth, transport=transport, retry=FAST))
    window = make_window(qtbot, ops, session, sandbox)
    yield window, transport, faults
    window._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())


def open_card(qtbot, arun, window, sandbox):  # type: ignore[no-untyped-def]
    new = new_customer(sandbox, window.session, surname="Рахунок", name="Один")
    created = arun(window.session.client.create_customer(new))
    customer = arun(window.session.client.get_customer(created.customer_guid))
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: len(card.account_panels) == 1, timeout=15000)
    return card, created.customer_guid


def test_a_lost_answer_is_settled_by_reading_at_once(qtbot, arun, desk, sandbox):  # type: ignore[no-untyped-def]
    window, transport, faults = desk
    card, guid = open_card(qtbot, arun, window, sandbox)
    card.show_open_account()
    faults.lose_account_post = True
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        card._submit_open_account()
    assert transport.posts(f"{guid}/accounts") == 1
    assert len(card.account_panels) == 2
    assert card.banner.text() == "The account is open."
    assert card.open_account_error.text() == ""


def test_a_lost_answer_not_yet_readable_is_read_before_the_next_press_sends(  # type: ignore[no-untyped-def]
        qtbot, arun, desk, sandbox):
    window, transport, faults = desk
    card, guid = open_card(qtbot, arun, window, sandbox)
    card.show_open_account()
    faults.lose_account_post = True
    faults.reads_failing_after_loss = 3  # the settling read (and its retries) fail too
    card._submit_open_account()
    qtbot.waitUntil(lambda: card.open_account_error.text() != "", timeout=20000)
    assert len(arun(window.session.client.get_customer_accounts(guid))) == 2  # it was opened
    assert len(card.account_panels) == 1
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        card._submit_open_account()  # the teller tries again: read first, nothing sent
    assert transport.posts(f"{guid}/accounts") == 1
    assert len(card.account_panels) == 2
    assert card.open_account_error.text() == ""


def test_enter_pressed_twice_opens_one_account(qtbot, arun, desk, sandbox):  # type: ignore[no-untyped-def]
    window, transport, _faults = desk
    card, guid = open_card(qtbot, arun, window, sandbox)
    card.show_open_account()
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        qtbot.keyClick(card.open_account_iban, Qt.Key.Key_Return)
        qtbot.keyClick(card.open_account_iban, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=15000)
    assert transport.posts(f"{guid}/accounts") == 1
    assert card.banner.text() == "The account is open."


def test_a_refused_opening_does_not_stand_beside_the_last_ones_success(  # type: ignore[no-untyped-def]
        qtbot, arun, desk, sandbox):
    """The green "The account is open." of the last opening went on showing while the next
    one's refusal (every asset held) showed in the frame: they read as two answers to one."""
    window, _transport, _faults = desk
    card, _guid = open_card(qtbot, arun, window, sandbox)
    card.show_open_account()
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        card._submit_open_account()
    assert card.banner.text() == "The account is open."
    card.show_open_account()
    assets = len(card.account_panels)
    for _ in range(4):  # until the sandbox refuses: one account per asset it has
        card._submit_open_account()
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
        if card.open_account_error.text():
            break
        assets = len(card.account_panels)
        card.show_open_account()
    assert card.open_account_error.text(), "the sandbox refuses an asset held twice"
    assert len(card.account_panels) == assets
    assert "The account is open." not in card.banner.text()


def test_a_success_stays_through_another_desks_read_not_the_tellers(  # type: ignore[no-untyped-def]
        qtbot, arun, desk, sandbox):
    """A read another desk's request caused keeps "The account is open." to be read; the
    teller's own refresh (or a cash operation's) ends it, as before: it stayed for good."""
    window, _transport, _faults = desk
    card, _guid = open_card(qtbot, arun, window, sandbox)
    card.show_open_account()
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        card._submit_open_account()
    assert card.banner.text() == "The account is open."
    with qtbot.waitSignal(card.refreshed, timeout=20000):
        card.refresh(keep_banner=True)
    assert card.banner.text() == "The account is open."
    with qtbot.waitSignal(card.refreshed, timeout=20000):
        card.refresh()
    assert card.banner.text() == ""
