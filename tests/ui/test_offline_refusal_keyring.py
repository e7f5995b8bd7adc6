"""A refused employee's offline verifier that the keyring fails to delete (locked, an error)
opens nothing offline: the refusal is recorded apart from the keyring (a private file, no
e-mail in it), survives a restart, the deletion is tried again at the next offline start,
and the user is told. A later successful online sign-in vouches for them again."""

from __future__ import annotations

import json
import stat
from typing import Any

import pytest
from keyring.errors import KeyringLocked

from teller_app.core import offline_refusals
from teller_app.platform import AuthError
from teller_app.secrets import Profile, SecretStore
from teller_app.ui.offline_start import VERIFIER, offline_session, sign_in_or_offline
from teller_app.ui.sign_in import SignInTarget

from .conftest import TELLER, password_of
from .test_profile_manager import MemoryKeyring


class LockedOnDelete(MemoryKeyring):
    """A real in-process keyring whose deletes fail while ``locked`` (what a locked Secret
    Service or a keyring error does)."""

    locked = False

    def delete_password(self, service: str, username: str) -> None:
        if self.locked:
            raise KeyringLocked("the keyring is locked")
        super().delete_password(service, username)


@pytest.fixture()
def flaky_keyring():  # type: ignore[no-untyped-def]
    import keyring

    ring = LockedOnDelete()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    offline_refusals._memory.clear()
    yield ring
    offline_refusals._memory.clear()
    keyring.set_keyring(previous)


def _target(sandbox: Any) -> SignInTarget:
    return SignInTarget(Profile(name="bank", base_url=sandbox.base_url,
                                counterparty_guid=sandbox.manifest["counterparty_guid"]))


def test_a_verifier_the_keyring_keeps_opens_nothing_offline(  # type: ignore[no-untyped-def]
        arun, sandbox, flaky_keyring: LockedOnDelete, tmp_path) -> None:
    target = _target(sandbox)
    password = password_of(sandbox, TELLER)
    store = arun(SecretStore.open("bank"))
    arun(arun(sign_in_or_offline(target, TELLER, password, remember=False,
                                 store=store)).close())
    item = ("Teller/bank", VERIFIER)
    assert item in flaky_keyring.items
    flaky_keyring.locked = True
    with pytest.raises(AuthError):  # refused online: the delete fails, the refusal still shows
        arun(sign_in_or_offline(target, TELLER, "an-old-password", remember=False,
                                store=arun(SecretStore.open("bank"))), timeout=30000)
    assert item in flaky_keyring.items  # the keyring kept it
    assert arun(offline_session(target, TELLER, password, arun(SecretStore.open("bank")))) is None
    # recorded apart from the keyring: private, no e-mail, and it outlives this process
    path = tmp_path / "data" / offline_refusals.FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert TELLER not in path.read_text() and password not in path.read_text()
    assert len(json.loads(path.read_text())["refused"]) == 1
    offline_refusals._memory.clear()  # a restart
    assert arun(offline_session(target, TELLER, password, arun(SecretStore.open("bank")))) is None
    assert item in flaky_keyring.items
    # the keyring works again: the next offline start deletes it (and still refuses)
    flaky_keyring.locked = False
    assert arun(offline_session(target, TELLER, password, arun(SecretStore.open("bank")))) is None
    assert item not in flaky_keyring.items
    assert json.loads(path.read_text())["refused"] == {}
    # a later successful online sign-in vouches for the employee again
    store = arun(SecretStore.open("bank"))
    arun(arun(sign_in_or_offline(target, TELLER, password, remember=False,
                                 store=store)).close())
    offline = arun(offline_session(target, TELLER, password, store))
    assert offline is not None
    arun(offline.close())


def test_the_desk_says_when_the_keyring_kept_a_refused_verifier(  # type: ignore[no-untyped-def]
        qtbot, main_window, flaky_keyring: LockedOnDelete) -> None:
    window = main_window
    service = f"Teller/{window.session.profile.name}"
    flaky_keyring.items[(service, VERIFIER)] = json.dumps(
        {"v": 1, "email": TELLER, "at": 1.0, "hash": "x"})
    flaky_keyring.locked = True
    window._forget_verifier_if_refused(AuthError("refused", reason="disabled"), TELLER)
    qtbot.waitUntil(lambda: window.banner.isVisible()
                    and "offline sign-in" in window.banner.label.text(), timeout=10000)
    assert "stays refused" in window.banner.label.text()
    assert offline_refusals.refused_at(service, TELLER) is not None
