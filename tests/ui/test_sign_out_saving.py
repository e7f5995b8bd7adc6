"""Signing out or closing while a customer create is already on the platform: the save is
never cut off. The window waits (the UI stays live and says it is finishing), the customer's
audit entry is written before the sign-out's, and the discard question counts the form being
saved apart from the ones with unsaved input."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from teller_app.core.audit import AuditAction
from teller_app.core.views import customer_view
from teller_app.ui import main_window_leaving

from .conftest import new_customer, unique
from .held_writes import HeldWrite, held_window


@pytest.fixture()
def held(qtbot, ops, arun, sandbox):  # type: ignore[no-untyped-def]
    # the create's POST is applied; its answer waits until the test sets the gate
    transport = HeldWrite(lambda request: request.url.path.endswith("/customers"))
    with held_window(qtbot, ops, arun, sandbox, transport) as window:
        yield window, transport


def _create_in_flight(qtbot, window, transport, login: str = ""):  # type: ignore[no-untyped-def]
    form = window.new_customer()
    login = login or unique("leaving.")
    form.login.setText(login)
    form.surname.setText("Виходенко")
    form.phone.setText("067 765 43 22")
    form.submit()
    qtbot.waitUntil(lambda: transport.landed, timeout=15000)
    assert window.saving_forms() == [form]
    return form, login


def _events(window, arun) -> list[str]:  # type: ignore[no-untyped-def]
    # no hub in these tests: every entry waits in the encrypted outbox, in order
    return [e.detail.get("event", e.action) for e in arun(window.supervision.audit.unsent())]


def _created_audited(window, arun, login) -> None:  # type: ignore[no-untyped-def]
    found = arun(window.session.client.find_customer_by_login(login))
    assert found is not None  # created on the platform...
    entries = arun(window.supervision.audit.unsent())
    guids = [e.detail.get("customer_guid") for e in entries
             if e.detail.get("event", e.action) == AuditAction.CUSTOMER_CREATE]
    assert guids == [customer_view(found).guid]  # ...and the teller's trail says so


def test_sign_out_waits_for_a_create_already_sent(qtbot, held, arun):  # type: ignore[no-untyped-def]
    window, transport = held
    signed_out: list[bool] = []
    window.signed_out.connect(lambda: signed_out.append(True))
    _form, login = _create_in_flight(qtbot, window, transport)

    window.sign_out()
    # Nothing typed would be lost: no question. The window says it is finishing, and
    # nothing new can be started meanwhile.
    assert window.findChild(QMessageBox, "discardChangesBox") is None
    assert signed_out == [] and window.isVisible()
    assert not window.centralWidget().isEnabled() and not window.menuBar().isEnabled()
    assert "signing out once it has finished" in window.status_bar.currentMessage()
    window.sign_out()  # pressed again: still one sign-out

    with qtbot.waitSignal(window.signed_out, timeout=15000):
        transport.gate.set()
    assert signed_out == [True]
    _created_audited(window, arun, login)
    events = _events(window, arun)
    assert events.index(AuditAction.CUSTOMER_CREATE) < events.index(AuditAction.SIGN_OUT)


def test_the_question_counts_a_form_being_saved_apart(qtbot, held, arun):  # type: ignore[no-untyped-def]
    window, transport = held
    typed = window.new_customer()
    typed.surname.setText("Незбереженко")  # unsaved input: this one is asked about
    _form, login = _create_in_flight(qtbot, window, transport)
    assert len(window.dirty_forms()) == 2  # the form being saved still holds its input

    window.sign_out()
    box = window.findChild(QMessageBox, "discardChangesBox")
    assert box is not None and box.isVisible()
    assert box.text().startswith("1 ")  # only the form with unsaved input
    assert "1 " in box.informativeText() and "already sent" in box.informativeText()
    discard = next(b for b in box.buttons()
                   if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    discard.click()
    assert window.isVisible()  # the save still finishes first

    with qtbot.waitSignal(window.signed_out, timeout=15000):
        transport.gate.set()
    _created_audited(window, arun, login)


def test_closing_waits_for_a_create_already_sent(qtbot, held, arun):  # type: ignore[no-untyped-def]
    window, transport = held
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    _form, login = _create_in_flight(qtbot, window, transport)

    assert not window.close()  # refused for now: the save finishes first
    assert window.isVisible() and closed == []
    assert "closing once it has finished" in window.status_bar.currentMessage()

    with qtbot.waitSignal(window.closed, timeout=15000):
        transport.gate.set()
    assert not window.isVisible()
    _created_audited(window, arun, login)


def test_the_wait_is_bounded(qtbot, held, monkeypatch):  # type: ignore[no-untyped-def]
    window, transport = held
    monkeypatch.setattr(main_window_leaving, "SAVE_WAIT_SECONDS", 0.5)
    form, _login = _create_in_flight(qtbot, window, transport)
    window.sign_out()
    assert window.isVisible() and window.saving_forms() == [form]  # waiting...
    with qtbot.waitSignal(window.signed_out, timeout=10000):
        pass  # ...but not for ever: the answer never comes, the sign-out goes on
    qtbot.waitUntil(lambda: not window.saving_forms(), timeout=5000)  # cancelled then


def test_a_save_refused_meanwhile_is_asked_about_again(qtbot, held, arun, sandbox):  # type: ignore[no-untyped-def]
    window, transport = held
    taken = unique("taken.")
    transport.hold = False
    arun(window.session.client.create_customer(
        new_customer(sandbox, window.session, login=taken)))
    transport.hold = True
    form, _login = _create_in_flight(qtbot, window, transport, login=taken)
    window._discard_confirmed = True  # the teller agreed to lose the other forms' input
    window.sign_out()
    transport.gate.set()  # the platform's answer: the login is taken, nothing was created
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "discardChangesBox") is not None,
                    timeout=15000)
    box = window.findChild(QMessageBox, "discardChangesBox")
    assert box.isVisible() and box.text().startswith("1 ")  # that form's input, asked about
    assert window.isVisible() and form.error_text("login") != ""
    assert window.centralWidget().isEnabled() and window.menuBar().isEnabled()
