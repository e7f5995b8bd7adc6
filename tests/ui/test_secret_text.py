"""Secrets never reach a dialog, banner or log: a pasted bare key, exception text."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from teller_app.platform import AuthError
from teller_app.secrets import Profile, register_secret
from teller_app.ui import crash_handler
from teller_app.ui.error_text import friendly_message, safe_text, sign_in_message
from teller_app.ui.sign_in import SignInTarget, sign_in

# A bare base64 private key body (no BEGIN/END lines): far longer than a file name may be.
BARE_KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + "Kx7q" * 120


def test_a_pasted_bare_key_is_refused_without_quoting_it(arun) -> None:  # type: ignore[no-untyped-def]
    profile = Profile(name="bank", base_url="http://127.0.0.1:9", counterparty_guid="cp",
                      auth_mode="bank_jwt", jwt_kid="kid")
    with pytest.raises(AuthError) as info:
        arun(sign_in(SignInTarget(profile), "teller@bank", BARE_KEY, remember=False,
                     store=None))
    exc = info.value
    assert exc.reason == "bad_key"
    assert exc.__cause__ is None and exc.__suppress_context__
    assert BARE_KEY[:40] not in f"{exc!s} {exc!r}"
    # Registered first thing: any later log line or error text with the key is masked.
    assert BARE_KEY not in safe_text(f"file not found: {BARE_KEY}")
    assert "PEM" in sign_in_message(exc) and BARE_KEY[:40] not in sign_in_message(exc)


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
