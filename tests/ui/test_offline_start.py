"""Offline start: a desk that signed this employee in recently opens while the platform is
down (argon2id verifier in the keyring, never the password), refuses a wrong password or a
stale verifier, and signs in by itself once the platform is back."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.platform import Unavailable
from teller_app.secrets import Profile, SecretStore
from teller_app.ui.offline_start import VERIFIER, offline_session, sign_in_or_offline
from teller_app.ui.sign_in import SignInTarget
from teller_app.ui.sign_in_dialog import SignInDialog

from .conftest import TELLER, password_of
from .test_profile_manager import memory_keyring  # noqa: F401  (fixture)


@pytest.mark.slow
def test_offline_start_then_back_online_in_place(qtbot, ops, arun, fresh_sandbox,  # type: ignore[no-untyped-def]
                                                 memory_keyring):  # noqa: F811
    sandbox = fresh_sandbox
    password = password_of(sandbox, TELLER)
    profile = Profile(name="bank", base_url=sandbox.base_url,
                      counterparty_guid=sandbox.manifest["counterparty_guid"])
    target = SignInTarget(profile)
    store = arun(SecretStore.open("bank"))
    assert store.persistent
    session = arun(sign_in_or_offline(target, TELLER, password, remember=False, store=store))
    arun(session.close())
    verifier = memory_keyring.items[("Teller/bank", VERIFIER)]
    assert "$argon2id$" in verifier and password not in verifier
    assert ("Teller/bank", "password") not in memory_keyring.items  # not remembered

    port = urlsplit(sandbox.base_url).port
    sandbox.stop()  # the platform is down now

    dialog = SignInDialog([target], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.store is not None, timeout=10000)
    dialog.email.setText(TELLER)
    dialog.secret.setText("wrong-password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=30000)
    assert "cannot be reached" in dialog.error_text()
    dialog.secret.setText(password)
    with qtbot.waitSignal(dialog.signed_in, timeout=30000) as signed:
        dialog.submit()
    offline, _target = signed.args
    assert offline.employee.email == TELLER and offline.client.token_expires_at is None
    # a verifier older than the window does not open the desk
    stale = arun(offline_session(target, TELLER, password, store, now=time.time() + 13 * 3600))
    assert stale is None
    # the window is the profile's: 24 h accepts it, 0 turns offline start off
    wide = SignInTarget(profile.model_copy(update={"offline_hours": 24}))
    assert arun(offline_session(wide, TELLER, password, store,
                                now=time.time() + 13 * 3600)) is not None
    never = SignInTarget(profile.model_copy(update={"offline_hours": 0}))
    assert arun(offline_session(never, TELLER, password, store, now=time.time() + 60)) is None

    again = start_sandbox(sandbox.data_dir, port=port or 0)
    try:
        assert again.base_url == sandbox.base_url
        page = arun(offline.client.list_customers(limit=1), timeout=30000)  # signs in itself
        assert page.total >= 1
    finally:
        arun(offline.close())
        again.stop()
    with pytest.raises(Unavailable):
        arun(sign_in_or_offline(target, TELLER, "still-wrong", remember=False, store=store),
             timeout=30000)
