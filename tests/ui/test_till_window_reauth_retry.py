"""A till window closed while its write waits for the password is not deleted before the
write is sent again. A closed till window is deleted once the writes running at its close
have settled; a write that ended with a session expiry the desk could not renew by itself
hands its retry to the password prompt, so the write's task ended, the window was deleted,
and after the password the retry found its asker gone and did nothing: the till was never
opened, and nobody was told. Now the window stays until the retry has run (then goes).

Against the embedded sandbox + Teller Hub: the teller's hub session is ended on the hub's
database and the platform's with it, the password the desk keeps is no longer right (so the
renewal fails and the prompt opens); the teller opens a till from the Till menu and closes
the window at once; the password is typed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from teller_app.ui.reauth_dialog import ReauthDialog
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_dialog import TillOpenDialog
from tests.platform.sandbox_helpers import expire_session

from .conftest import TELLER, password_of
from .embedded_desk import embedded_stack, hub_desk_window, open_cosigned_till
from .test_desk_outlives_hub_session import _expire, _hub_db
from .test_till_windows_released import _alive, _shown

pytestmark = pytest.mark.slow

COUNTS = {"note_100": 10}

stack = embedded_stack("ui-till-window-reauth")


def _sessions_of(stack: Any, code: str) -> list[str]:
    """The states of the hub's sessions of till ``code`` (one row per opening)."""
    with _hub_db(stack) as db:
        return [r[0] for r in db.execute("SELECT state FROM tills WHERE till_code = ?",
                                         (code,)).fetchall()]


def test_a_till_opening_closed_while_it_waits_for_the_password_is_sent(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
        desk, session = window.till_desk, window.session
        cash = hub_cash(session)
        assert cash is not None
        code = f"P{uuid.uuid4().hex[:5]}"
        # opened (co-signed) and closed once: opening it again as counted needs no co-sign
        open_cosigned_till(arun, stack, cash.till, session, code, COUNTS)
        desk._closed(arun(cash.till.close(COUNTS, "")))
        qtbot.waitUntil(lambda: desk.open_action.isEnabled() and not ops.is_busy(),
                        timeout=20000)
        assert _sessions_of(stack, code) == ["closed"]
        before = _alive(window, TillOpenDialog)

        # the hub session ended, the platform's too, and the kept password is stale: the
        # desk cannot renew by itself, the next hub call asks for the password
        _expire(stack, session.hub.hub.token)
        expire_session(stack.sandbox, session.client.session_token)
        session.client.auth._password = "not-the-password-any-more"

        desk.open_till()
        opening = _shown(qtbot, window, TillOpenDialog)
        opening.code.setText(code)
        opening.grid.set_counts(COUNTS)
        opening.open_button.click()
        opening.reject()  # closed while its opening is on its way
        del opening
        qtbot.waitUntil(lambda: window.findChild(ReauthDialog) is not None
                        and window.findChild(ReauthDialog).isVisible(), timeout=20000)
        prompt = window.findChild(ReauthDialog)
        assert _sessions_of(stack, code) == ["closed"]  # not sent yet

        prompt.password.setText(password_of(stack.sandbox, TELLER))
        prompt.buttons.accepted.emit()
        try:
            qtbot.waitUntil(lambda: sorted(_sessions_of(stack, code)) == ["closed", "open"],
                            timeout=20000)  # sent again, once
            qtbot.waitUntil(desk.close_action.isEnabled, timeout=20000)  # the desk was told
            qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
            assert desk.till is not None and desk.till.till_code == code
            assert sorted(_sessions_of(stack, code)) == ["closed", "open"]
            # and the closed window went once its write was in
            assert [d for d in _alive(window, TillOpenDialog)
                    if not any(d is b for b in before)] == []
        finally:
            current = arun(cash.till.current())
            if current is not None:
                arun(cash.till.close(current.open_counts, ""))
