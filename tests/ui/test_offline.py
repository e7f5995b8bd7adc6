"""The platform stops mid-session: the form keeps everything, the banner says so, and the
app recovers when the same sandbox comes back (same data dir, same port)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import pytest

from teller_app.core.embedded_sandbox import start_sandbox

from .conftest import make_window, open_session, unique


@pytest.mark.slow
def test_submit_while_platform_is_down_then_recover(qtbot, ops, fresh_sandbox, arun):  # type: ignore[no-untyped-def]
    session = open_session(arun, fresh_sandbox)
    window = make_window(qtbot, ops, session, fresh_sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    form = window.new_customer()
    login = unique("offline.")
    form.login.setText(login)
    form.surname.setText("Мороз")
    form.phone.setText("+380671234500")

    port = urlparse(fresh_sandbox.base_url).port
    fresh_sandbox.stop()
    form.submit()
    qtbot.waitUntil(lambda: "cannot be reached" in form.banner.text(), timeout=30000)
    assert (form.login.text(), form.surname.text(), form.phone.text()) == (
        login, "Мороз", "+380671234500")
    assert form.submit_button.isEnabled()
    assert "offline" in window.online_label.text()
    assert window.banner.text()  # the window-wide offline banner

    restarted = arun(asyncio.to_thread(start_sandbox, fresh_sandbox.data_dir, port=port),
                     timeout=60000)
    try:
        with qtbot.waitSignal(form.saved, timeout=30000):
            form.submit()
        assert "online" in window.online_label.text() and "offline" not in \
            window.online_label.text()
        stored = arun(session.client.find_customer_by_login(login))
        assert stored is not None and stored.surname == "Мороз"
    finally:
        window._closing_for_sign_out = True
        arun(session.close())
        restarted.stop()
