"""In the middle of a form: the platform goes down, the session expires, or a save's answer
is lost. The form keeps everything; once the platform is back (or the employee re-enters the
password) one Save creates the customer exactly once, and a lost answer is settled by
reading, never by a second customer or a blind re-send."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from PySide6.QtCore import Qt
from reliability_helpers import TELLER, FaultyTransport, new_customer, password_of, unique

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin, RetryPolicy
from teller_app.ui.async_op import OpRunner
from teller_app.ui.sign_in import sandbox_target
from tests.platform.sandbox_helpers import expire_session


def window_for(qtbot: Any, session: Any, proc: SandboxProcess) -> Any:
    from teller_app.ui.main_window import MainWindow

    window = MainWindow(session, OpRunner(), sandbox_asset=proc.manifest["asset"])
    qtbot.addWidget(window, before_close_func=lambda w: getattr(w, "supervision", None)
                    and w.supervision.shutdown())
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=15000)
    return window


def fill(form: Any, login: str) -> None:
    form.login.setText(login)
    form.surname.setText("Стійкий")
    form.phone.setText("+380671230000")


def on_platform(arun: Any, session: Any, login: str) -> int:
    page = arun(session.client.list_customers(logins=[login], limit=5))
    return len(page.customers)


def close(window: Any, arun: Any, session: Any) -> None:
    window._closing_for_sign_out = True
    window.ops.cancel_all()
    arun(session.close())


@pytest.mark.slow
def test_platform_down_mid_form_then_back(qtbot, qloop, arun, fresh_sandbox) -> None:  # type: ignore[no-untyped-def]
    profile = sandbox_target(fresh_sandbox.manifest).profile
    session = arun(open_session(profile, PasswordLogin(TELLER, password_of(fresh_sandbox,
                                                                           TELLER))))
    window = window_for(qtbot, session, fresh_sandbox)
    form = window.new_customer()
    login = unique("down.")
    fill(form, login)
    port = urlparse(fresh_sandbox.base_url).port
    fresh_sandbox.stop()
    form.submit()
    qtbot.waitUntil(lambda: "cannot be reached" in form.banner.text(), timeout=30000)
    assert form.login.text() == login and form.surname.text() == "Стійкий"
    back = arun(asyncio.to_thread(start_sandbox, fresh_sandbox.data_dir, port=port),
                timeout=60000)
    try:
        with qtbot.waitSignal(form.saved, timeout=30000):
            form.submit()
        assert on_platform(arun, session, login) == 1
    finally:
        close(window, arun, session)
        back.stop()


def test_session_expiry_mid_form_is_transparent(qtbot, qloop, arun, sandbox) -> None:  # type: ignore[no-untyped-def]
    profile = sandbox_target(sandbox.manifest).profile
    session = arun(open_session(profile, PasswordLogin(TELLER, password_of(sandbox, TELLER))))
    window = window_for(qtbot, session, sandbox)
    try:
        form = window.new_customer()
        login = unique("exp.")
        fill(form, login)
        before = session.client.session_token
        expire_session(sandbox, before)
        with qtbot.waitSignal(form.saved, timeout=20000):
            form.submit()
        assert session.client.session_token != before  # signed in again behind the scenes
        assert on_platform(arun, session, login) == 1
    finally:
        close(window, arun, session)


def test_session_expiry_with_a_remembered_token_asks_for_the_password(
        qtbot, qloop, arun, sandbox) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    profile = sandbox_target(sandbox.manifest).profile
    first = arun(open_session(profile, PasswordLogin(TELLER, password_of(sandbox, TELLER))))
    token = first.client.session_token
    # Signed in with the remembered token only: no password in memory.
    session = arun(open_session(profile, PasswordLogin(TELLER, None, session_token=token)))
    window = window_for(qtbot, session, sandbox)
    try:
        form = window.new_customer()
        login = unique("reauth.")
        fill(form, login)
        expire_session(sandbox, token)
        form.submit()
        qtbot.waitUntil(lambda: window.findChild(ReauthDialog) is not None
                        and window.findChild(ReauthDialog).isVisible(), timeout=20000)
        dialog = window.findChild(ReauthDialog)
        assert form.login.text() == login  # nothing lost while asking
        with qtbot.waitSignal(form.saved, timeout=20000):
            dialog.password.setText(password_of(sandbox, TELLER))
            dialog._submit()
        assert on_platform(arun, session, login) == 1
    finally:
        close(window, arun, session)
        arun(first.close())


# -- a save's answer lost ---------------------------------------------------------------------
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


def lossy(sandbox: SandboxProcess, arun: Any, method: str, *, then_down: bool = True
          ) -> tuple[Any, FaultyTransport, dict[str, bool]]:
    """A session whose next ``method`` to a customer (once ``state["lose"]``) is applied but
    its answer lost; ``then_down``: after it the network is down (every request refused)
    until ``state["down"]`` is set back."""
    state = {"lose": False, "down": False}

    def fault(request: httpx.Request, _n: int) -> str | None:
        if state["down"]:
            return "drop-before"
        if state["lose"] and request.method == method and "/customers" in request.url.path:
            state.update(lose=False, down=then_down)
            return "lost"
        return None

    transport = FaultyTransport(fault)
    profile = sandbox_target(sandbox.manifest).profile
    session = arun(open_session(profile, PasswordLogin(TELLER, password_of(sandbox, TELLER)),
                                transport=transport, retry=FAST))
    return session, transport, state


def test_a_lost_create_answer_then_save_again_opens_the_customer_created(
        qtbot, qloop, arun, sandbox) -> None:  # type: ignore[no-untyped-def]
    session, transport, state = lossy(sandbox, arun, "POST")
    window = window_for(qtbot, session, sandbox)
    try:
        form = window.new_customer()
        login = unique("lost.")
        fill(form, login)
        state["lose"] = True
        form.submit()
        qtbot.waitUntil(lambda: bool(form.banner.text()), timeout=20000)
        first_said = form.banner.text()
        assert not form.error_text("login")
        state["down"] = False
        with qtbot.waitSignal(form.login_checked, timeout=10000) as checked:
            qtbot.keyClick(form.login, Qt.Key.Key_Backspace)  # retyped: checked as typed
            qtbot.keyClicks(form.login, login[-1])
        assert checked.args == [login, True]  # there now: most likely the lost attempt's
        assert not form.error_text("login")
        with qtbot.waitSignal(window.customer_card_opened, timeout=20000) as opened:
            form.submit()  # looks the login up first: found = created, never "login taken"
        assert opened.args[0].customer.login == login
        assert "may have been created" in first_said
        assert on_platform(arun, session, login) == 1
        assert transport.posts("/customers") == 1
    finally:
        close(window, arun, session)


def test_a_login_changed_after_a_lost_create_answer_makes_no_second_customer(
        qtbot, qloop, arun, sandbox) -> None:  # type: ignore[no-untyped-def]
    """The earlier attempt is what is unknown, so its login is settled first: it was
    created, so that customer opens and the changed login creates nobody."""
    session, transport, state = lossy(sandbox, arun, "POST")
    window = window_for(qtbot, session, sandbox)
    try:
        form = window.new_customer()
        login = unique("lost.")
        fill(form, login)
        state["lose"] = True
        form.submit()
        qtbot.waitUntil(lambda: bool(form.banner.text()), timeout=20000)
        state["down"] = False
        form.login.setText(login + "x")
        with qtbot.waitSignal(window.customer_card_opened, timeout=20000) as opened:
            form.submit()
        assert opened.args[0].customer.login == login
        assert on_platform(arun, session, login) == 1
        assert on_platform(arun, session, login + "x") == 0
        assert transport.posts("/customers") == 1
    finally:
        close(window, arun, session)


def test_a_lost_edit_answer_is_settled_by_reading(qtbot, qloop, arun, sandbox) -> None:  # type: ignore[no-untyped-def]
    session, transport, state = lossy(sandbox, arun, "PUT", then_down=False)
    window = window_for(qtbot, session, sandbox)
    try:
        created = arun(session.client.create_customer(new_customer(sandbox,
                                                                   session.branch_guid)))
        customer = arun(session.client.get_customer(created.customer_guid))
        form = window.edit_customer(customer)
        form.name.setText("Збережений")
        state["lose"] = True
        with qtbot.waitSignal(form.saved, timeout=20000) as saved:
            form.submit()
        assert saved.args[0].name == "Збережений"
        assert [m for m, _p in transport.sent if m == "PUT"] == ["PUT"]  # never re-sent
        after = arun(session.client.get_customer(created.customer_guid))
        assert after.name == "Збережений"
    finally:
        close(window, arun, session)
