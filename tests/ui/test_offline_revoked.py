"""Offline start only vouches for what the platform last said: a refused online sign-in
deletes the offline verifier; a desk that started offline signs out (verifier deleted) when
the platform, reachable again, refuses the stored password (reset, employee disabled); the
machine policy's ``offline_hours_max`` caps the profile's window."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from teller_app.core import machine_policy
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.machine_policy import POLICY_ENV
from teller_app.platform import AuthError
from teller_app.sandbox.passwords import hash_password
from teller_app.secrets import Profile, SecretStore
from teller_app.ui.offline_start import VERIFIER, offline_session, sign_in_or_offline
from teller_app.ui.sign_in import SignInTarget

from .conftest import TELLER, make_window, password_of
from .test_profile_manager import MemoryKeyring, memory_keyring  # noqa: F401  (fixture)

ITEM = ("Teller/bank", VERIFIER)  # where the keyring holds the verifier


def _bank(sandbox: Any) -> SignInTarget:
    return SignInTarget(Profile(name="bank", base_url=sandbox.base_url,
                                counterparty_guid=sandbox.manifest["counterparty_guid"]))


def _online(arun, target: SignInTarget, password: str) -> SecretStore:  # type: ignore[no-untyped-def]
    store = arun(SecretStore.open("bank"))
    session = arun(sign_in_or_offline(target, TELLER, password, remember=False, store=store))
    arun(session.close())
    return store


def _bank_changes(sandbox: Any, *, disable: bool) -> Any:
    """The bank resets the teller's password (and may disable them) while the desk is
    offline; the platform comes back on the same address."""
    port = urlsplit(sandbox.base_url).port
    sandbox.stop()
    db = sqlite3.connect(Path(sandbox.data_dir) / "sandbox.db")
    try:
        db.execute("UPDATE employees SET password_hash=?, is_disabled=? WHERE email=?",
                   (hash_password("A-new-Passw0rd-after-reset"), int(disable), TELLER))
        db.commit()
    finally:
        db.close()
    return port


def test_a_refused_online_sign_in_deletes_the_verifier(  # type: ignore[no-untyped-def]
        arun, fresh_sandbox, memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    target = _bank(fresh_sandbox)
    _online(arun, target, password_of(fresh_sandbox, TELLER))
    assert ITEM in memory_keyring.items
    store = arun(SecretStore.open("bank"))
    with pytest.raises(AuthError) as info:
        arun(sign_in_or_offline(target, "someone.else@demo.bank", "x", remember=False,
                                store=store), timeout=30000)
    assert info.value.reason == "invalid_credentials"
    assert ITEM in memory_keyring.items  # another employee refused: the teller's stays
    with pytest.raises(AuthError):
        arun(sign_in_or_offline(target, TELLER, "an-old-password", remember=False,
                                store=store), timeout=30000)
    assert ITEM not in memory_keyring.items


@pytest.mark.slow
@pytest.mark.parametrize("disable", [False, True])
def test_an_offline_desk_signs_out_when_the_platform_refuses_it(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, fresh_sandbox, disable: bool,
        memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    sandbox = fresh_sandbox
    password = password_of(sandbox, TELLER)
    target = _bank(sandbox)
    _online(arun, target, password)
    port = _bank_changes(sandbox, disable=disable)
    store = arun(SecretStore.open("bank"))
    offline = arun(sign_in_or_offline(target, TELLER, password, remember=False, store=store),
                   timeout=30000)
    assert offline.started_offline  # the platform is down: the verifier opened the desk
    again = start_sandbox(sandbox.data_dir, port=port or 0)
    try:
        assert again.base_url == sandbox.base_url
        window = make_window(qtbot, ops, offline, again)  # its first calls sign in again
        with qtbot.waitSignal(window.signed_out, timeout=30000):
            pass
        arun(window.shutdown(), timeout=30000)
        qtbot.waitUntil(lambda: ITEM not in memory_keyring.items, timeout=10000)
        assert window._reauth_dialog is None  # never asked to re-type
        assert "no longer accepts the password" in window.sign_out_reason  # told why
    finally:
        again.stop()
    # and the old password opens nothing offline any more
    assert arun(offline_session(target, TELLER, password, store)) is None


def test_the_policy_caps_the_offline_window(  # type: ignore[no-untyped-def]
        arun, fresh_sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    folder = tmp_path / "policy"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
    monkeypatch.setenv(POLICY_ENV, str(folder / "policy.toml"))
    password = password_of(fresh_sandbox, TELLER)
    week = SignInTarget(_bank(fresh_sandbox).profile.model_copy(update={"offline_hours": 168}))
    store = _online(arun, week, password)
    import time

    later = time.time() + 3 * 3600  # three hours after the last online sign-in
    assert arun(offline_session(week, TELLER, password, store, now=later)) is not None
    policy = folder / "policy.toml"
    policy.write_text("offline_hours_max = 2\n")
    policy.chmod(0o644)
    assert arun(offline_session(week, TELLER, password, store, now=later)) is None
    assert arun(offline_session(week, TELLER, password, store, now=time.time() + 60))
    policy.write_text("offline_hours_max = 0\n")  # no offline start at all
    assert arun(offline_session(week, TELLER, password, store, now=time.time() + 60)) is None
