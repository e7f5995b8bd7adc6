"""Another employee signing in on the lock screen never cuts off a write the leaving employee
sent. The switch closes the leaver's session once their audit is handed over; it did not
wait for their writes, so a cash confirm waiting for the hub's check lost its clients
(``Session.close``: the hub link and the platform client closed, the password forgotten): the
confirm itself was never sent to the platform, and the teller's parked dialog got an error
instead of the receipt. Now the close waits (bounded, as a sign-out does) for them.

Against the embedded sandbox + Teller Hub (onboarded, the teller's till open): the teller's
cash-in confirm is on its way (the hub's check before it applied, its answer held as a slow
network would) when the supervisor takes over at the lock screen; its audit entry is the
teller's (recorded after the switch, it was stamped with the supervisor's name)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtWidgets import QPushButton

from teller_app.core.audit import AuditAction
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import make_auth
from teller_app.core.session import open_session as core_open
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.till_desk import hub_cash
from tests.onboarded_stack import onboarded_stack

from .conftest import TELLER, make_window, new_customer, password_of
from .embedded_desk import SUPERVISOR, hub_session, open_cosigned_till
from .held_writes import HeldWrite
from .test_lock_windows import _switch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("ui-lock-switch-writes")) as started:
        yield started


def _confirm_check(request: httpx.Request) -> bool:
    """The hub's check right before this desk's confirm (``HubCash.before_confirm``)."""
    return request.url.path.endswith("/cash/authorize") and b'"confirm"' in request.content


def test_a_switch_waits_for_the_leavers_cash_confirm(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    transport = HeldWrite(_confirm_check)
    transport.hold = False  # until the confirm: the window's reads and the draft go through
    profile = sandbox_target(stack.sandbox.manifest, stack.hub_url).profile
    session = arun(core_open(profile, make_auth(profile, TELLER, password_of(
        stack.sandbox, TELLER)), hub_transport=transport))
    assert session.hub is not None
    cash = hub_cash(session)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, session, f"S{uuid.uuid4().hex[:5]}",
                       {"note_100": 20})
    made = arun(CustomerService(session.client, hub=session.hub).create(
        new_customer(stack.sandbox, session, surname="Змінюк", name="Каса")))
    window = make_window(qtbot, ops, session, stack.sandbox)
    recorded: list[str] = []
    audit = window.supervision.audit
    record = audit.record
    entries: dict[str, str] = {}  # action -> whose entry (the outbox's owner)

    def recording(action: str, **details: object) -> object:
        recorded.append(action)
        entry = record(action, **details)
        entries[action] = entry.owner
        return entry

    monkeypatch.setattr(audit, "record", recording)
    reader = None
    try:
        card = window.open_customer(made.customer)
        qtbot.waitUntil(lambda: len(card.account_panels) >= 1, timeout=20000)
        card.findChild(QPushButton, "cash_deposit_button").click()
        qtbot.waitUntil(lambda: window.findChild(CashDialog) is not None, timeout=10000)
        dialog = window.findChild(CashDialog)
        dialog.amount.setText("300")
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
        dialog.create_button.click()
        qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=20000)
        transport.hold = True
        dialog.confirm_button.click()
        qtbot.waitUntil(lambda: transport.landed, timeout=20000)  # the hub's check is done
        assert dialog.draft is not None
        payment = dialog.draft.payment_guid
        assert len(window.sending_writes()) == 1

        locker = window.supervision.locker
        locker.lock()
        _switch(qtbot, locker, SUPERVISOR, password_of(stack.sandbox, SUPERVISOR))
        assert window.session.employee.email == SUPERVISOR
        # the hand-over of the teller's audit is over; their session is not closed under
        # the confirm
        qtbot.waitUntil(lambda: not audit._hand_overs, timeout=20000)
        assert window.supervision._leavers_closing
        transport.gate.set()  # the hub's answer arrives: the confirm goes on
        qtbot.waitUntil(lambda: not window.sending_writes(), timeout=30000)
        qtbot.waitUntil(lambda: not window.supervision._leavers_closing, timeout=30000)

        assert dialog.receipt is not None and dialog.receipt.amount == 300  # the answer
        assert AuditAction.CASH_CONFIRM in recorded  # its audit entry …
        # … the teller's, not the supervisor's who had taken the desk over meanwhile
        assert entries[AuditAction.CASH_CONFIRM] == TELLER.casefold()
        reader = hub_session(arun, stack, TELLER)
        assert arun(reader.client.get_payment(payment)).status.upper() == "CONFIRMED"
        assert session.client._http._client.is_closed  # and then theirs was closed
    finally:
        transport.gate.set()
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        with contextlib.suppress(Exception):
            arun(window.supervision.wait_closed(), timeout=30000)
        for opened in (reader, window.session, session):
            if opened is not None:
                with contextlib.suppress(Exception):
                    arun(opened.close())
