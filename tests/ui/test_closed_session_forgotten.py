"""A closed session is not kept, nor does it keep a credential: the hub's cash controls made
for a session (``till_hub.hub_cash``) go with it, and a closed session holds no password
for a re-login and no token, in Mode A (Kratos) and Mode B (the hub's own sign-in). A live
session still renews its hub session. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from teller_app.core.till_cash import HubCash
from teller_app.platform import HubLogin, PasswordLogin
from teller_app.ui import till_hub as till_desk  # hub_cash and its cache moved there
from teller_app.ui.sign_in import SignInTarget, sign_in
from tests.mode_b_desk import hub_profile, hub_teller

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-closed-session")
ROUNDS = 3


def _mode_b_session(arun: Any, stack: Any, who: tuple[str, str]) -> Any:
    email, password = who
    return arun(sign_in(SignInTarget(hub_profile(stack)), email, password, remember=False,
                        store=None))


def _holds_nothing(session: Any) -> None:
    auth = session.client.auth
    assert isinstance(auth, PasswordLogin | HubLogin)
    assert auth.held_secrets() == (None, None), "a closed session keeps a credential"
    assert auth._password == "" and auth.session_token is None
    assert session.client.session_token is None
    assert session.hub is not None and session.hub.hub.token is None
    if isinstance(auth, HubLogin):
        assert auth.hub.token is None and auth.hub.session is None


@pytest.mark.parametrize("mode", ["A", "B"])
def test_signed_out_sessions_are_not_kept_and_hold_no_password(arun, stack, mode) -> None:  # type: ignore[no-untyped-def]
    who = hub_teller(stack) if mode == "B" else None
    refs: list[weakref.ref[Any]] = []
    before = len(till_desk._CACHE)
    for n in range(ROUNDS):
        session = hub_session(arun, stack, TELLER) if who is None else \
            _mode_b_session(arun, stack, who)
        cash = till_desk.hub_cash(session)  # as the cash desk, history and the Till menu do
        assert isinstance(cash, HubCash) and till_desk.hub_cash(session) is cash  # made once
        arun(session.close(sign_out=n % 2 == 0))  # signed out, or the app quitting
        _holds_nothing(session)  # closed, still referenced: no password, no token
        refs.append(weakref.ref(session))
        del session, cash
    gc.collect()
    assert [r() for r in refs] == [None] * ROUNDS, "closed sessions are kept alive"
    # not grown by these sessions (an earlier test's may go meanwhile, with its windows)
    assert len(till_desk._CACHE) <= before


def test_a_live_session_still_renews_its_hub_session(arun, stack) -> None:  # type: ignore[no-untyped-def]
    """The password kept for a re-login stays while the session lives (Mode B's hub session
    is renewed with it after a 401), and only its close drops it."""
    session = _mode_b_session(arun, stack, hub_teller(stack))
    try:
        auth = session.client.auth
        assert isinstance(auth, HubLogin) and auth._password
        first = session.hub.hub.token
        arun(session.hub.hub.close_session())  # the hub's session ended under the desk
        session.hub.hub.token = auth.session_token = first
        till = arun(till_desk.hub_cash(session).till.current())  # type: ignore[union-attr]
        assert till is None or till.state
        assert session.hub.hub.token not in (None, first)
    finally:
        arun(session.close())
    _holds_nothing(session)
