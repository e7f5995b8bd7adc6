"""'Remember on this workstation': off by default, per employee e-mail, a revocable session
token and never the password, and never another employee's secret in the form."""

from __future__ import annotations

from typing import Any

import pytest
from keyring.backends import fail

from teller_app.platform import AuthError
from teller_app.secrets import PASSWORD, SecretStore
from teller_app.ui.sign_in import read_remembered, remember_key, sandbox_target, sign_in


def memory_store() -> SecretStore:
    return SecretStore("sandbox", backend=fail.Keyring())  # the in-memory fallback


def employees(sandbox: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return sandbox.employee("Teller", 0), sandbox.employee("Supervisor", 0)


def test_remember_keeps_a_session_token_for_that_employee_only(sandbox: Any, arun) -> None:  # type: ignore[no-untyped-def]
    target = sandbox_target(sandbox.manifest)
    teller, supervisor = employees(sandbox)
    store = memory_store()
    arun(store.probe())
    arun(store.set(PASSWORD, "legacy-password-kept-by-an-old-version"))
    session = arun(sign_in(target, supervisor["email"], supervisor["password"], remember=True,
                           store=store))
    token = session.client.session_token
    arun(session.close())
    kept = dict(store._memory)
    assert kept == {remember_key(supervisor["email"]): token}  # the token, nothing else
    assert supervisor["password"] not in kept.values() and PASSWORD not in kept
    # Another employee at the same desk finds nothing of the supervisor's.
    assert arun(read_remembered(store, target, teller["email"])) is None
    assert arun(read_remembered(store, target, supervisor["email"].upper())) == token
    # The supervisor signs in again with no password, on the remembered session.
    again = arun(sign_in(target, supervisor["email"], "", remember=True, store=store))
    assert again.employee.email == supervisor["email"]
    arun(again.close())
    # Unticked: forgotten.
    last = arun(sign_in(target, supervisor["email"], supervisor["password"], remember=False,
                        store=store))
    arun(last.close())
    assert store._memory == {}


def test_an_expired_remembered_session_is_forgotten(sandbox: Any, arun) -> None:  # type: ignore[no-untyped-def]
    target = sandbox_target(sandbox.manifest)
    teller, _ = employees(sandbox)
    store = memory_store()
    arun(store.set(remember_key(teller["email"]), "ory_st_revoked-or-expired-token"))
    with pytest.raises(AuthError) as info:
        arun(sign_in(target, teller["email"], "", remember=True, store=store))
    assert info.value.reason == "remembered_expired"
    assert arun(read_remembered(store, target, teller["email"])) is None
    with pytest.raises(AuthError):  # nothing remembered and no password
        arun(sign_in(target, teller["email"], "", remember=True, store=store))


def test_the_dialog_never_prefills_a_secret_and_is_off_by_default(
        qtbot, sandbox: Any, arun, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.sign_in_dialog import SignInDialog

    target = sandbox_target(sandbox.manifest)
    teller, supervisor = employees(sandbox)
    store = memory_store()
    arun(store.set(remember_key(supervisor["email"]), "ory_st_supervisors-token"))

    async def opened(_target: Any) -> SecretStore:
        return store

    monkeypatch.setattr(SignInDialog, "_open_store", staticmethod(opened))
    dialog = SignInDialog([target], OpRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.store is store, timeout=5000)
    assert not dialog.remember.isChecked() and dialog.secret.text() == ""
    dialog.email.setText(supervisor["email"])
    qtbot.waitUntil(dialog.remember.isChecked, timeout=5000)
    assert dialog.secret.text() == ""  # the token is used, never shown or typed in
    assert "leave empty" in dialog.secret.placeholderText()
    dialog.email.setText(teller["email"])  # another employee at the same desk
    qtbot.waitUntil(lambda: not dialog.remember.isChecked(), timeout=5000)
    assert dialog.secret.text() == "" and dialog.secret.placeholderText() == ""
