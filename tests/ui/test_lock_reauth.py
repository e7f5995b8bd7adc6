"""The platform session ends while the desk is locked: no "sign in again" prompt covers the
lock screen. The op waits; the prompt opens once the same employee has unlocked, and the op
then runs as before. Another employee signing in on the lock screen never inherits it: the
waiting op gives up."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.platform.sandbox_helpers import expire_session

from .conftest import TELLER, make_window, new_customer, open_session, password_of

SUPERVISOR = "supervisor.kyiv@demo.bank"


def _expired_while_locked(qtbot, ops, sandbox, arun, surname):  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    session = open_session(arun, sandbox)
    window = make_window(qtbot, ops, session, sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    created = arun(session.client.create_customer(new_customer(sandbox, session)))
    form = window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    form.surname.setText(surname)
    session.client.auth._password = "not-the-password-any-more"  # re-login cannot succeed
    expire_session(sandbox, session.client.session_token)
    form.submit()
    window.supervision.lock_now()  # the answer comes back to a locked desk
    # The expiry has been met: the op's callbacks (and any prompt) have run by now.
    qtbot.waitUntil(lambda: not ops.is_busy(form._submit_key()), timeout=10000)
    prompt = window.findChild(ReauthDialog)
    assert prompt is None or not prompt.isVisible()
    assert QApplication.activeModalWidget() is None  # the lock screen takes the password
    screen = window.supervision.locker.screen
    assert screen.isVisible() and screen.password.isEnabled()
    return window, form, created.customer_guid


def test_the_prompt_waits_for_the_unlock(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    window, form, guid = _expired_while_locked(qtbot, ops, sandbox, arun, "Замкненко")
    locker = window.supervision.locker
    locker.screen.password.setText(password_of(sandbox, TELLER))
    with qtbot.waitSignal(locker.unlocked, timeout=10000):
        locker.screen.unlock_button.click()
    qtbot.waitUntil(lambda: window.findChild(ReauthDialog) is not None
                    and window.findChild(ReauthDialog).isVisible(), timeout=5000)
    dialog = window.findChild(ReauthDialog)
    with qtbot.waitSignal(form.saved, timeout=15000):
        dialog.password.setText(password_of(sandbox, TELLER))
        dialog.buttons.accepted.emit()
    assert arun(window.session.client.get_customer(guid)).surname == "Замкненко"
    window._closing_for_sign_out = True
    ops.cancel_all()
    arun(window.session.close())


def test_another_employee_does_not_inherit_the_waiting_op(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    window, form, _guid = _expired_while_locked(qtbot, ops, sandbox, arun, "Чужаненко")
    teller_session = window.session
    locker = window.supervision.locker
    locker.screen.other_email.setText(SUPERVISOR)
    locker.screen.other_password.setText(password_of(sandbox, SUPERVISOR))
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        locker.screen.switch_button.click()
    assert window.session.employee.email == SUPERVISOR
    qtbot.waitUntil(lambda: form.banner.text() != "", timeout=5000)  # the op gave up
    prompt = window.findChild(ReauthDialog)
    assert prompt is None or not prompt.isVisible()
    assert window._reauth_waiting == []
    window._closing_for_sign_out = True
    ops.cancel_all()
    arun(window.session.close())
    arun(teller_session.close())
