"""An explicit sign-out ends the sign-in (a shared branch PC): the platform session is
revoked, so its token lists nothing any more, and the employee's remembered token is
forgotten, so an empty password no longer signs in as them. Quitting keeps "Remember" as it
was. With the machine policy's ``wipe_cache_at_sign_out`` the branch cache file and its key
go at sign-out; with ``remember_sign_in = false`` nothing is remembered and the box is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teller_app.core.branch_cache import open_branch_cache
from teller_app.platform import AuthError, PasswordLogin, PlatformClient
from teller_app.secrets import SecretStore
from teller_app.ui.sign_in import read_remembered, remember_key, sandbox_target, sign_in
from tests.policy_files import policy_path, write_policy

from .conftest import TELLER, make_window, password_of
from .test_profile_manager import MemoryKeyring, memory_keyring  # noqa: F401  (fixture)

SUPERVISOR = "supervisor.kyiv@demo.bank"


@pytest.fixture()
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return policy_path(tmp_path, monkeypatch)


def _lists_with(arun, sandbox: Any, token: str) -> bool:  # type: ignore[no-untyped-def]
    """True when ``token`` still opens the platform (lists customers)."""
    target = sandbox_target(sandbox.manifest)
    client = PlatformClient(target.profile.base_url, target.profile.counterparty_guid,
                            auth=PasswordLogin(TELLER, None, session_token=token))
    try:
        arun(client.list_customers(limit=1))
        return True
    except AuthError:
        return False
    finally:
        arun(client.aclose())


def _remembered_window(qtbot, ops, arun, sandbox, store, **kwargs):  # type: ignore[no-untyped-def]
    target = sandbox_target(sandbox.manifest)
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                           store=store))
    token = session.client.session_token
    assert token and arun(store.get(remember_key(TELLER))) == token
    return make_window(qtbot, ops, session, sandbox, **kwargs), token


def test_sign_out_revokes_the_session_and_forgets_the_remembered_token(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, sandbox, memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    store = arun(SecretStore.open("sandbox"))
    window, token = _remembered_window(qtbot, ops, arun, sandbox, store)
    with qtbot.waitSignal(window.signed_out, timeout=10000):
        window.sign_out()
    arun(window.shutdown(), timeout=30000)  # what startup runs after signed_out
    assert not _lists_with(arun, sandbox, token)  # revoked on the platform
    assert arun(read_remembered(store, sandbox_target(sandbox.manifest), TELLER)) is None
    with pytest.raises(AuthError):  # the next person at the desk: A's e-mail, no password
        arun(sign_in(sandbox_target(sandbox.manifest), TELLER, "", remember=True,
                     store=store))


def test_quitting_keeps_remember(qtbot, ops, arun, sandbox,  # type: ignore[no-untyped-def]
                                 memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    store = arun(SecretStore.open("sandbox"))
    window, token = _remembered_window(qtbot, ops, arun, sandbox, store)
    window.close()  # the app quits: not a sign-out
    arun(window.shutdown(), timeout=30000)
    assert _lists_with(arun, sandbox, token)
    assert arun(store.get(remember_key(TELLER))) == token
    again = arun(sign_in(sandbox_target(sandbox.manifest), TELLER, "", remember=True,
                         store=store))
    assert again.employee.email == TELLER
    arun(again.close(sign_out=True))
    assert not _lists_with(arun, sandbox, token)  # the same session: revoked now


@pytest.mark.parametrize("wipe", [True, False])
def test_the_policy_wipes_the_branch_cache_at_sign_out(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, sandbox, policy: Path, wipe: bool,
        memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    write_policy(policy, f"wipe_cache_at_sign_out = {'true' if wipe else 'false'}\n")
    store = arun(SecretStore.open("sandbox"))
    session = arun(sign_in(sandbox_target(sandbox.manifest), TELLER,
                           password_of(sandbox, TELLER), remember=False, store=store))
    cache = arun(open_branch_cache(session), timeout=30000)
    assert cache.scope is not None and not cache.wipe_on_close  # a branch teller's cache
    key_name, path = cache.scope.key_name, cache.path
    window = make_window(qtbot, ops, session, sandbox, branch_cache=cache)
    assert path.exists() and arun(store.get(key_name))
    with qtbot.waitSignal(window.signed_out, timeout=10000):
        window.sign_out()
    arun(window.shutdown(), timeout=30000)
    assert path.exists() is not wipe
    assert (arun(store.get(key_name)) is None) is wipe
    assert not list(path.parent.glob(".*removing*"))  # nothing left half-removed


def test_sign_out_also_signs_out_an_employee_switched_away_on_the_lock_screen(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, sandbox, policy: Path,
        memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    """A signs in (remembered) with a cache, locks; B signs in on the lock screen and later
    signs out: A's cache file and key are wiped too, and A's remembered token forgotten."""
    write_policy(policy, "wipe_cache_at_sign_out = true\n")
    store = arun(SecretStore.open("sandbox"))
    session = arun(sign_in(sandbox_target(sandbox.manifest), TELLER,
                           password_of(sandbox, TELLER), remember=True, store=store))
    assert arun(store.get(remember_key(TELLER)))
    cache = arun(open_branch_cache(session), timeout=30000)
    assert cache.scope is not None and not cache.wipe_on_close
    key_name, path = cache.scope.key_name, cache.path
    window = make_window(qtbot, ops, session, sandbox, branch_cache=cache)
    locker = window.supervision.locker
    locker.lock()
    locker.screen.other_email.setText(SUPERVISOR)
    locker.screen.other_password.setText(password_of(sandbox, SUPERVISOR))
    with qtbot.waitSignal(window.session_switched, timeout=30000):
        locker.screen.switch_button.click()
    assert window.session.employee.email == SUPERVISOR and window.branch_cache is None
    qtbot.waitUntil(lambda: not cache.worker.is_open, timeout=10000)  # closed, not wiped
    assert path.exists() and arun(store.get(key_name))
    assert arun(store.get(remember_key(TELLER)))
    with qtbot.waitSignal(window.signed_out, timeout=10000):
        window.sign_out()
    arun(window.shutdown(), timeout=30000)
    assert not path.exists() and arun(store.get(key_name)) is None
    assert arun(store.get(remember_key(TELLER))) is None
    assert not list(path.parent.glob(".*removing*"))


def test_a_sign_out_right_after_a_switch_still_closes_the_leavers_session(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, sandbox, memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    """B signs in on A's lock screen and signs out at once (the hand-over of A's audit still
    under way): cancelling the window's ops never skips closing A's session (its clients;
    in Mode B that close revokes A's hub session)."""
    store = arun(SecretStore.open("sandbox"))
    session = arun(sign_in(sandbox_target(sandbox.manifest), TELLER,
                           password_of(sandbox, TELLER), remember=False, store=store))
    window = make_window(qtbot, ops, session, sandbox)
    locker = window.supervision.locker
    locker.lock()
    locker.screen.other_email.setText(SUPERVISOR)
    locker.screen.other_password.setText(password_of(sandbox, SUPERVISOR))
    with qtbot.waitSignal(window.session_switched, timeout=30000):
        locker.screen.switch_button.click()
    assert window.session is not session and not session.client._http._client.is_closed
    with qtbot.waitSignal(window.signed_out, timeout=10000):
        window.sign_out()  # at once: the ops running now are cancelled
    arun(window.shutdown(), timeout=30000)
    assert session.client._http._client.is_closed  # A's session was closed all the same
    assert window.session.client._http._client.is_closed  # and B's, as at every sign-out


def test_the_policy_turns_remember_off(qtbot, ops, arun, sandbox, policy: Path,  # type: ignore[no-untyped-def]
                                       memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    from teller_app.ui.sign_in_dialog import SignInDialog

    store = arun(SecretStore.open("sandbox"))
    target = sandbox_target(sandbox.manifest)
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                           store=store))
    token = session.client.session_token
    assert arun(store.get(remember_key(TELLER))) == token  # remembered while allowed
    write_policy(policy, "remember_sign_in = false\n")
    with pytest.raises(AuthError):  # the remembered token is ignored…
        arun(sign_in(target, TELLER, "", remember=True, store=store))
    assert arun(store.get(remember_key(TELLER))) is None  # …and deleted
    again = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                         store=store))
    assert arun(store.get(remember_key(TELLER))) is None  # never kept again
    arun(again.close())
    arun(session.close())
    dialog = SignInDialog([target], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.store is not None and dialog.remember.isHidden(),
                    timeout=10000)
    assert not dialog.remember.isEnabled() and not dialog.remember.isChecked()


@pytest.mark.slow
def test_mode_b_sign_out_closes_the_hub_session(arun, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Mode B's session is the hub's: after the sign-out its token opens nothing (a
    regression guard: closing the hub session was already part of every close)."""
    from teller_app.platform.hub_client import HubClient
    from teller_app.ui.sign_in import SignInTarget, sign_out
    from tests.mode_b_desk import hub_profile, hub_teller
    from tests.onboarded_stack import onboarded_stack

    with onboarded_stack(tmp_path / "stack") as stack:
        email, password = hub_teller(stack)
        session = arun(sign_in(SignInTarget(hub_profile(stack)), email, password,
                               remember=False, store=None), timeout=30000)
        assert session.hub is not None
        token = session.hub.hub.token
        assert token
        arun(sign_out(session), timeout=30000)
        stale = HubClient(stack.hub_url or "")
        stale.token = token
        try:
            with pytest.raises(AuthError):
                arun(stale.me(), timeout=30000)
        finally:
            arun(stale.aclose())
