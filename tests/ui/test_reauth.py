"""The platform session ends and the client's own re-login fails (its stored password is no
longer right): the op asks for the password in place and runs again; the form keeps
everything."""

from __future__ import annotations

from tests.platform.sandbox_helpers import expire_session

from .conftest import make_window, new_customer, open_session, password_of


def test_expired_session_prompts_for_the_password_and_retries(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    session = open_session(arun, sandbox)
    window = make_window(qtbot, ops, session, sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    created = arun(session.client.create_customer(new_customer(sandbox, session)))
    customer = arun(session.client.get_customer(created.customer_guid))
    form = window.edit_customer(customer)
    form.surname.setText("Повторенко")

    # The transparent re-login cannot succeed: the password it holds is stale.
    session.client.auth._password = "not-the-password-any-more"
    expire_session(sandbox, session.client.session_token)
    form.submit()
    qtbot.waitUntil(lambda: window.findChild(ReauthDialog) is not None
                    and window.findChild(ReauthDialog).isVisible(), timeout=10000)
    dialog = window.findChild(ReauthDialog)
    assert form.surname.text() == "Повторенко"  # the form is untouched

    # Only the name is asked about (not the status bar's role and branch).
    assert session.employee.display_name in dialog.message.text()
    assert "·" not in dialog.message.text()

    dialog.password.setText("wrong")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert dialog.isVisible()
    assert dialog.error.text() == "Wrong password."  # the prompt has no e-mail field

    with qtbot.waitSignal(form.saved, timeout=15000):
        dialog.password.setText(password_of(sandbox, session.employee.email))
        dialog.buttons.accepted.emit()
    after = arun(session.client.get_customer(created.customer_guid))
    assert after.surname == "Повторенко"
    window._closing_for_sign_out = True
    arun(session.close())


def test_cancelling_the_prompt_reports_the_error_and_keeps_the_form(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.reauth_dialog import ReauthDialog

    session = open_session(arun, sandbox)
    window = make_window(qtbot, ops, session, sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    created = arun(session.client.create_customer(new_customer(sandbox, session)))
    form = window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    form.surname.setText("Скасованенко")
    session.client.auth._password = "stale"
    expire_session(sandbox, session.client.session_token)
    form.submit()
    qtbot.waitUntil(lambda: window.findChild(ReauthDialog) is not None, timeout=10000)
    window.findChild(ReauthDialog).reject()
    qtbot.waitUntil(lambda: form.banner.text() != "", timeout=5000)
    assert form.surname.text() == "Скасованенко" and form.submit_button.isEnabled()
    window._closing_for_sign_out = True


def test_a_supervisor_s_refused_sign_in_never_prompts_the_teller(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    """An op (``reauth`` on, the default) whose supervisor's short session is refused ends
    in its error handler: the teller's own session is fine, so no password prompt."""
    from teller_app.core.approvals import short_session
    from teller_app.core.supervisor_sign_in import SupervisorSignInRefused
    from teller_app.ui.reauth_dialog import ReauthDialog

    session = open_session(arun, sandbox)
    window = make_window(qtbot, ops, session, sandbox)
    failed: list[BaseException] = []

    async def supervisor_signs_in() -> None:
        async with short_session(session.profile, session.employee.email, "wrong"):
            pass

    window.ops.run(supervisor_signs_in, on_error=failed.append, parent=window)
    qtbot.waitUntil(lambda: bool(failed), timeout=10000)
    assert isinstance(failed[0], SupervisorSignInRefused)
    assert window.findChild(ReauthDialog) is None
    window._closing_for_sign_out = True
    arun(session.close())
