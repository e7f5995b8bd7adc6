"""Main windows on one sandbox (no hub): role-aware actions, cash above the threshold
confirmed in place, the idle lock and switch of employee, and their audit entries in the
outbox. (Requests and approvals run through the hub: tests/integration/test_four_eyes_ui.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import (
    SUPERVISOR,
    TELLER,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.core.audit import AuditAction
from teller_app.ui.cash_dialog import CashDialog


@pytest.fixture()
def windows(sandbox, qtbot, arun, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    made = []

    def make(email: str):  # type: ignore[no-untyped-def]
        profile = profile_for(sandbox)
        session = arun(open_session(profile, PasswordLogin(email, employee(sandbox, email)[
            "password"])))
        window = MainWindow(session, OpRunner(), profile_name="test",
                            sandbox_asset=sandbox.manifest["asset"])
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.supervision.locker.stop()
        window.supervision.stop_feed()
        window.ops.cancel_all()


def _card(window, guid, qtbot):  # type: ignore[no-untyped-def]
    customer = _customer(window, guid)
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: card.findChild(object, "supervisionActions") is not None)
    return card


def _customer(window, guid):  # type: ignore[no-untyped-def]
    from teller_app.platform.models import Customer

    return Customer(wallet_user_guid=guid, status="active")


def _button(card, name):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    return card.findChild(QPushButton, name)


def test_roles_decide_what_is_shown(windows, qtbot, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    teller_window = windows(TELLER)
    sup_window = windows(SUPERVISOR)
    sup = teller_window.supervision
    assert not sup.inbox_action.isVisible() and not sup.audit_action.isVisible()
    assert sup_window.supervision.inbox_action.isVisible()
    assert sup_window.supervision.audit_action.isVisible()
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    arun(client.aclose())
    card = _card(teller_window, guid, qtbot)
    assert _button(card, "requestChangeButton") is not None
    assert _button(card, "toggleDisabledButton") is None  # a teller never sees a direct block
    sup_card = _card(sup_window, guid, qtbot)
    assert _button(sup_card, "toggleDisabledButton") is not None
    assert _button(sup_card, "requestChangeButton") is None


def _events(window, arun):  # type: ignore[no-untyped-def]
    """The desk's audit entries waiting in the outbox (no hub here), by desk event name."""
    return [e.detail.get("event", e.action)
            for e in arun(window.supervision.audit.unsent())]


def test_cash_deposit_over_threshold_confirmed_in_place(windows, qtbot, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    teller_window = windows(TELLER)
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    card = _card(teller_window, guid, qtbot)
    _button(card, "cash_deposit_button").click()
    qtbot.waitUntil(lambda: teller_window.findChild(CashDialog) is not None, timeout=10000)
    dialog = teller_window.findChild(CashDialog)
    dialog.amount.setText("100.001")
    assert not dialog.create_button.isEnabled() and dialog.error.text()
    dialog.amount.setText("12000.50")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)  # after the policy check
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.draft.needs_supervisor and not dialog.confirm_button.isVisible()
    dialog.supervisor_button.click()
    approve = dialog.in_place
    approve.email.setText(SUPERVISOR)
    approve.password.setText(employee(sandbox, SUPERVISOR)["password"])
    with qtbot.waitSignal(dialog.confirmed, timeout=10000):
        approve.approve_button.click()
    assert len(dialog.receipt.stellar_hash) == 64
    # The hash is on the receipt (labelled), not a bare reference in the dialog.
    assert dialog.receipt.stellar_hash not in dialog.reference.text()
    preview = "".join(dialog.receipt_dialog.preview.toPlainText().split())
    assert dialog.receipt.stellar_hash in preview
    balance = arun(client.get_customer_accounts(guid))[0].assets[0].balance
    assert str(balance) == "12000.50"
    assert _events(teller_window, arun)[-2:] == [AuditAction.CASH_CREATE,
                                                  AuditAction.CASH_CONFIRM]
    arun(client.aclose())


def test_cash_withdrawal_under_threshold_teller_confirms(windows, qtbot, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    teller_window = windows(TELLER)
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    card = _card(teller_window, guid, qtbot)
    for button, amount in (("cash_deposit_button", "500"), ("cash_withdrawal_button", "200.10")):
        _button(card, button).click()
        qtbot.waitUntil(lambda: any(d.isVisible() for d in teller_window.findChildren(CashDialog)),
                        timeout=10000)
        dialog = next(d for d in teller_window.findChildren(CashDialog) if d.isVisible())
        dialog.amount.setText(amount)
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
        dialog.create_button.click()
        qtbot.waitUntil(lambda d=dialog: d.confirm_button.isVisible(), timeout=10000)
        with qtbot.waitSignal(dialog.confirmed, timeout=10000):
            dialog.confirm_button.click()
        dialog.close()
    balance = arun(client.get_customer_accounts(guid))[0].assets[0].balance
    assert str(balance) == "299.90"
    arun(client.aclose())


def test_idle_lock_switch_employee_and_back_keeps_the_form(windows, qtbot, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from teller_app.core.idle import FakeClock

    window = windows(TELLER)
    locker = window.supervision.locker
    clock = FakeClock()
    locker.tracker.clock = clock
    locker.tracker.touch()
    form = window.new_customer()
    field = form.first_field()
    field.setText("Половинчаста")

    clock.advance(5 * 60 + 1)  # profile default: 5 idle minutes
    locker.check_idle()
    assert locker.is_locked and window.central_stack.currentWidget() is locker.screen
    assert not window.menuBar().isEnabled()

    # A supervisor signs in on the lock screen: the teller's form is parked, not shown.
    locker.screen.other_email.setText(SUPERVISOR)
    locker.screen.other_password.setText(employee(sandbox, SUPERVISOR)["password"])
    with qtbot.waitSignal(locker.unlocked, timeout=10000):
        locker.screen.switch_button.click()
    assert window.session.employee.email == SUPERVISOR
    assert window.tabs.indexOf(form) == -1
    assert window.supervision.inbox_action.isVisible()

    # The teller comes back: the half-filled form is exactly as it was.
    window.supervision.lock_now()
    locker.screen.other_email.setText(TELLER)
    locker.screen.other_password.setText(employee(sandbox, TELLER)["password"])
    with qtbot.waitSignal(locker.unlocked, timeout=10000):
        locker.screen.switch_button.click()
    assert window.tabs.indexOf(form) > 0 and field.text() == "Половинчаста"
    assert not window.supervision.inbox_action.isVisible()

    # Plain unlock re-verifies the password against the platform.
    window.supervision.lock_now()
    locker.screen.password.setText(employee(sandbox, TELLER)["password"])
    with qtbot.waitSignal(locker.unlocked, timeout=10000):
        locker.screen.unlock_button.click()
    assert window.menuBar().isEnabled() and field.text() == "Половинчаста"
    actions = _events(window, arun)
    for expected in (AuditAction.LOCK, AuditAction.SWITCH_EMPLOYEE, AuditAction.SIGN_IN,
                     AuditAction.UNLOCK):
        assert expected in actions


def test_supervision_chrome_follows_a_live_language_switch(windows, qtbot) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.settings import switch_language

    window = windows(SUPERVISOR)
    sup = window.supervision
    # the inbox's first reads end here: one cancelled mid-connect at teardown leaks a
    # never-awaited coroutine into a later test's warnings
    qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=10000)
    dock = sup.inbox_dock
    assert dock is not None and dock.windowTitle() == "Approvals"
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: dock.windowTitle() == "Погодження", timeout=5000)
        assert sup.inbox_action.text() == "В&хідні запити на погодження"
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: dock.windowTitle() == "Approvals", timeout=5000)
    assert sup.lock_action.text() == "&Lock the session"


def test_enter_never_disables_a_customer_and_one_write_runs_at_a_time(  # type: ignore[no-untyped-def]
        windows, qtbot, sandbox, arun) -> None:
    """Review: Enter pressed the card's direct "Disable customer" (no confirmation), and two
    presses sent two writes. Enter leaves it alone; a click disables the button until the
    write is answered."""
    from PySide6.QtCore import Qt

    sup_window = windows(SUPERVISOR)
    guid = arun(new_customer(arun(client_for(sandbox, SUPERVISOR)), sandbox))
    card = _card(sup_window, guid, qtbot)
    toggle = _button(card, "toggleDisabledButton")
    assert toggle is not None and not toggle.autoDefault()
    toggle.setFocus()
    qtbot.keyClick(toggle, Qt.Key.Key_Return)
    assert sup_window.ops.running_writes() == []  # nothing sent
    toggle.click()
    assert not toggle.isEnabled()  # a second press waits for the first write's answer
    qtbot.waitUntil(lambda: sup_window.ops.running_writes() == [], timeout=10000)
    client = arun(client_for(sandbox, SUPERVISOR))
    assert arun(client.get_customer(guid)).is_disabled  # the one click did it
