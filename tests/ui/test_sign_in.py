"""Sign-in dialog against the real sandbox: good password, wrong password, status bar."""

from __future__ import annotations

from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog

from .conftest import TELLER, make_window


def _dialog(qtbot, ops, sandbox) -> SignInDialog:  # type: ignore[no-untyped-def]
    dialog = SignInDialog([sandbox_target(sandbox.manifest)], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_demo_employee_signs_in_and_status_bar_shows_them(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, sandbox)
    assert dialog.sandbox_box.isVisibleTo(dialog)
    assert dialog.demo_list.count() == len(sandbox.manifest["employees"])
    dialog.choose_demo(TELLER)
    assert dialog.email.text() == TELLER
    with qtbot.waitSignal(dialog.signed_in, timeout=15000) as blocker:
        dialog.submit()
    session, target = blocker.args
    assert target.is_sandbox
    assert session.employee.email == TELLER
    assert session.branch_guid == sandbox.manifest["branches"][0]["guid"]
    window = make_window(qtbot, ops, session, sandbox)
    text = window.employee_label.text()
    assert "Teller" in text and session.branch_name in text and session.employee.name in text
    window._closing_for_sign_out = True
    arun(session.close())


def test_wrong_password_is_explained_inline_and_email_kept(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, sandbox)
    dialog.email.setText(TELLER)
    dialog.secret.setText("definitely-not-the-password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=15000)
    assert "Wrong e-mail or password" in dialog.error_text()
    assert dialog.email.text() == TELLER
    assert dialog.secret.text() == ""
    assert dialog.sign_in_button.isEnabled()
    assert dialog.session is None


def test_unreachable_platform_message(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    manifest = {**sandbox.manifest, "base_url": "http://127.0.0.1:9"}
    dialog = SignInDialog([sandbox_target(manifest)], ops)
    qtbot.addWidget(dialog)
    dialog.email.setText(TELLER)
    dialog.secret.setText("x")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=30000)
    assert "cannot be reached" in dialog.error_text()
    assert dialog.email.text() == TELLER
