"""A new user's first cash-in on the embedded default, as ``teller-app`` runs it: the stack
started by ``start_embedded``, the demo secrets issued by ``DemoOnboarding`` once the desk
opens (``start_main_window``), the demo teller signed in through the hub, a customer created
with its first account (``CustomerService`` with the hub), a till opened (the supervisor
co-signs) and a deposit taken and confirmed by the teller. A cash-in is paid by the branch,
so DCM asks the hub's Auth Service for ``keykeeper:<branch>``: a secret the onboarding issues.

An onboarding cut short by a sign-out (its op cancelled with the desk's others) runs again
when the desk opens next; else every cash-in of the run is refused (/key answered 401).
Real sandbox + hub processes over HTTP, no mocks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_accounts import find_processing_account
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.ui.async_op import OpRunner
from teller_app.ui.demo_onboarding import DemoOnboarding
from teller_app.ui.till_desk import hub_cash
from tests.phones import unused_phone

from .conftest import TELLER, make_window, new_customer
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

stack = embedded_stack("ui-first-deposit")
stack_signed_out = embedded_stack("ui-first-deposit-sign-out")


def _open_desk(qtbot: Any, ops: OpRunner, session: Any, stack: EmbeddedStack,
               onboarding: DemoOnboarding) -> Any:
    """The main window as ``start_main_window.open_main`` opens it, onboarding included."""
    window = make_window(qtbot, ops, session, stack.sandbox)
    onboarding.after_desk_opens(window)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=15000)
    return window


def _cash_desk(arun: Any, session: Any, stack: EmbeddedStack, code: str) -> CashService:
    """The teller's till opened (co-signed) and the desk's cash service
    (``supervision_cash._cash_for``)."""
    cash = hub_cash(session)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, session, code, {"note_100": 3})
    processing = arun(find_processing_account(session.client, session.branch_guid))
    return CashService(session.client, session.branch_guid or "", processing,
                       session.profile.cash_confirm_threshold, policy=cash, gate=cash)


def _deposit(arun: Any, service: CashService, customer_guid: str, amount: str) -> None:
    draft = arun(service.create(CashKind.DEPOSIT, customer_guid, amount))
    receipt = arun(service.confirm(draft.payment_guid))
    assert receipt.status.upper() == "CONFIRMED" and receipt.amount == Decimal(amount)


def _close(arun: Any, ops: OpRunner, windows: list[Any], session: Any) -> None:
    ops.cancel_all()
    for window in windows:
        window._closing_for_sign_out = True  # no app controller listens in tests
    arun(session.close())


def test_a_new_customer_s_first_cash_deposit_is_confirmed(  # type: ignore[no-untyped-def]
        qtbot, ops: OpRunner, arun, stack: EmbeddedStack) -> None:
    session = hub_session(arun, stack, TELLER)
    onboarding = DemoOnboarding(stack, ops)
    window = _open_desk(qtbot, ops, session, stack, onboarding)
    try:
        qtbot.waitUntil(lambda: onboarding.issued, timeout=30000)
        new = new_customer(stack.sandbox, session, surname="Перша", name="Вкладниця",
                           phone_number=unused_phone())
        created = arun(CustomerService(session.client, hub=session.hub).create(new))
        assert len(created.accounts) == 1  # its first account
        service = _cash_desk(arun, session, stack, "T-first")
        _deposit(arun, service, created.customer.wallet_user_guid, "500")
        demo = window.search_panel.model.row_at(0)  # a demo customer, as the desk lists it
        _deposit(arun, service, demo.wallet_user_guid, "100")
    finally:
        _close(arun, ops, [window], session)


def test_an_onboarding_cut_by_sign_out_runs_when_the_desk_opens_again(  # type: ignore[no-untyped-def]
        qtbot, ops: OpRunner, arun, stack_signed_out: EmbeddedStack) -> None:
    stack = stack_signed_out
    onboarding = DemoOnboarding(stack, ops)
    first = hub_session(arun, stack, TELLER)
    window = make_window(qtbot, ops, first, stack.sandbox)
    onboarding.after_desk_opens(window)
    onboarding.start()  # the first results came at once...
    window.sign_out()  # ...and the teller signed out before it ran (sign-out cancels ops)
    assert onboarding.op is not None
    qtbot.waitUntil(onboarding.op.done, timeout=5000)
    assert not onboarding.issued  # it was cut: what follows is the run again
    arun(first.close())

    session = hub_session(arun, stack, TELLER)
    again = _open_desk(qtbot, ops, session, stack, onboarding)
    try:
        # issued, not the op done: until the new desk starts it, the op is the cut one
        qtbot.waitUntil(lambda: onboarding.issued, timeout=30000)
        service = _cash_desk(arun, session, stack, "T-again")
        demo = again.search_panel.model.row_at(0)
        _deposit(arun, service, demo.wallet_user_guid, "100")
    finally:
        _close(arun, ops, [window, again], session)
