"""Signing out or closing while a write other than a customer save is already on the platform
(an additional account opened from the card, a cash confirm): the write is never cut off.
The window waits (the UI stays live and says it is finishing), the write's answer lands (the
card shows the account, the dialog its receipt) and its audit entry is written before the
sign-out's; the discard question counts it apart from the forms with unsaved input. A read
running meanwhile is not waited for: it is cancelled."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from teller_app.core.audit import AuditAction
from teller_app.ui.cash_dialog import CashDialog

from .conftest import new_customer
from .held_writes import HeldWrite, held_window


@pytest.fixture()
def held(qtbot, ops, arun, sandbox):  # type: ignore[no-untyped-def]
    transport = HeldWrite()  # what it holds: set by each test (``matches``)
    with held_window(qtbot, ops, arun, sandbox, transport) as window:
        yield window, transport


def _card(qtbot, arun, window, sandbox):  # type: ignore[no-untyped-def]
    new = new_customer(sandbox, window.session, surname="Відходенко", name="Рахунок")
    created = arun(window.session.client.create_customer(new))
    customer = arun(window.session.client.get_customer(created.customer_guid))
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: len(card.account_panels) == 1, timeout=15000)
    return card, created.customer_guid


def _account_in_flight(qtbot, arun, window, transport, sandbox):  # type: ignore[no-untyped-def]
    card, guid = _card(qtbot, arun, window, sandbox)
    transport.matches = lambda request: request.url.path.endswith(f"{guid}/accounts")
    card.show_open_account()
    card._submit_open_account()
    qtbot.waitUntil(lambda: transport.landed, timeout=15000)
    assert [op.key for op in window.sending_writes()] == [f"open-account:{guid}"]
    return card, guid


def _events(window, arun) -> list[str]:  # type: ignore[no-untyped-def]
    # no hub in these tests: every entry waits in the encrypted outbox, in order
    return [e.detail.get("event", e.action) for e in arun(window.supervision.audit.unsent())]


def test_sign_out_waits_for_an_account_being_opened(qtbot, held, arun, sandbox):  # type: ignore[no-untyped-def]
    window, transport = held
    signed_out: list[bool] = []
    window.signed_out.connect(lambda: signed_out.append(True))
    card, guid = _account_in_flight(qtbot, arun, window, transport, sandbox)
    never = asyncio.Event()  # a read that would run for ever: never waited for

    async def endless_read() -> None:
        await never.wait()

    window.ops.run(endless_read, parent=card, label="A slow read", key="slow-read")
    assert window.ops.is_busy("slow-read") and len(window.sending_writes()) == 1

    window.sign_out()
    assert window.findChild(QMessageBox, "discardChangesBox") is None  # nothing typed is lost
    assert signed_out == [] and window.isVisible()
    assert not window.centralWidget().isEnabled() and not window.menuBar().isEnabled()
    assert "signing out once it has finished" in window.status_bar.currentMessage()

    with qtbot.waitSignal(window.signed_out, timeout=15000):
        transport.gate.set()
    assert signed_out == [True]
    qtbot.waitUntil(lambda: not window.ops.is_busy("slow-read"), timeout=5000)  # cancelled
    assert len(arun(window.session.client.get_customer_accounts(guid))) == 2  # opened...
    assert len(card.account_panels) == 2  # ...the card was told...
    events = _events(window, arun)  # ...and the teller's trail says so, before signing out
    assert events.index(AuditAction.OPEN_ACCOUNT) < events.index(AuditAction.SIGN_OUT)


def test_the_question_counts_another_write_apart(qtbot, held, arun, sandbox):  # type: ignore[no-untyped-def]
    window, transport = held
    typed = window.new_customer()
    typed.surname.setText("Незбереженко")  # unsaved input: this one is asked about
    _card, guid = _account_in_flight(qtbot, arun, window, transport, sandbox)

    window.sign_out()
    box = window.findChild(QMessageBox, "discardChangesBox")
    assert box is not None and box.isVisible()
    assert box.text().startswith("1 ")  # only the form with unsaved input
    assert "1 other change" in box.informativeText()
    assert "already sent will finish first" in box.informativeText()
    discard = next(b for b in box.buttons()
                   if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    discard.click()
    assert window.isVisible()  # the account is still opened first

    with qtbot.waitSignal(window.signed_out, timeout=15000):
        transport.gate.set()
    assert len(arun(window.session.client.get_customer_accounts(guid))) == 2
    events = _events(window, arun)
    assert events.index(AuditAction.OPEN_ACCOUNT) < events.index(AuditAction.SIGN_OUT)


def test_closing_waits_for_a_cash_confirm_already_sent(qtbot, held, arun, sandbox):  # type: ignore[no-untyped-def]
    window, transport = held
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    card, guid = _card(qtbot, arun, window, sandbox)
    card.findChild(QPushButton, "cash_deposit_button").click()
    qtbot.waitUntil(lambda: window.findChild(CashDialog) is not None, timeout=10000)
    dialog = window.findChild(CashDialog)
    dialog.amount.setText("500")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=10000)
    transport.matches = lambda request: request.url.path.endswith("/confirm")
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: transport.landed, timeout=15000)

    assert not window.close()  # refused for now: the confirm's answer comes first
    assert window.isVisible() and closed == []
    assert "closing once it has finished" in window.status_bar.currentMessage()

    with qtbot.waitSignal(window.closed, timeout=15000):
        transport.gate.set()
    assert not window.isVisible()
    assert dialog.receipt is not None and dialog.receipt.amount == 500  # the receipt landed
    balance = arun(window.session.client.get_customer_accounts(guid))[0].assets[0].balance
    assert balance == 500
    events = _events(window, arun)
    assert events[-2:] == [AuditAction.CASH_CREATE, AuditAction.CASH_CONFIRM]
