"""Secrets never reach a dialog, banner or log: a pasted bare key, exception text."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from teller_app.platform import AuthError
from teller_app.secrets import Profile, register_secret
from teller_app.ui import crash_handler
from teller_app.ui.error_text import friendly_message, safe_text, sign_in_message
from teller_app.ui.sign_in import SignInTarget, sign_in

PASSWORD = "Kx7q-hub-password-" + "z" * 20


def test_a_hub_profile_without_hub_url_is_refused_without_quoting_the_password(arun) -> None:  # type: ignore[no-untyped-def]
    """Mode B goes through the hub (the desk holds no bank key): without a hub address the
    sign-in stops before any network call, and the typed password is masked from then on."""
    profile = Profile(name="bank", base_url="http://127.0.0.1:9", counterparty_guid="cp",
                      auth_mode="hub")
    with pytest.raises(AuthError) as info:
        arun(sign_in(SignInTarget(profile), "teller@bank", PASSWORD, remember=False,
                     store=None))
    exc = info.value
    assert exc.reason == "no_hub"
    assert PASSWORD not in f"{exc!s} {exc!r}"
    assert PASSWORD not in safe_text(f"login failed: {PASSWORD}")
    assert "Teller Hub" in sign_in_message(exc)


def test_dialogs_and_banners_show_masked_exception_text(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    secret = "hunter2-very-secret-password"
    register_secret(secret)
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZWxsZXIifQ.c2lnbmF0dXJlLXZhbHVlLWhlcmU"
    exc = RuntimeError(f"login {secret} failed with {jwt}")
    text = friendly_message(exc)
    assert secret not in text and jwt not in text and "failed" in text

    monkeypatch.setattr(crash_handler, "_open_dialog", None)
    opened: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: opened.append(self))
    crash_handler.report_exception(RuntimeError, exc, None)
    details = opened[0].detailedText()
    assert "RuntimeError" in details and secret not in details and jwt not in details
