"""Sign-in dialog against the real sandbox: good password, wrong password, status bar."""

from __future__ import annotations

from teller_app.ui.cash_desk import desk_context
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
    assert "Teller" in text and session.branch_name in text
    # the official order, as on receipts, approvals and the audit
    assert text.startswith(f"{session.employee.surname} {session.employee.name}")
    assert desk_context(session).teller.startswith(session.employee.surname)
    window._closing_for_sign_out = True
    window.close()  # as the app ends: the audit worker's close is awaited, then the session's
    arun(window.shutdown())
    supervision = window.supervision
    assert supervision is not None and supervision.audit._worker is not None
    assert supervision.audit._worker.done()  # no flush left running when the loop ends


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


def test_demo_list_fits_its_lines_and_keyring_reason_is_explained(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    import os
    from pathlib import Path

    dialog = _dialog(qtbot, ops, sandbox)
    qtbot.waitUntil(lambda: dialog.keyring_note.isVisible(), timeout=10000)  # fail backend
    demo = dialog.demo_list
    assert demo.horizontalScrollBar().maximum() == 0
    for i in range(demo.count()):
        item = demo.item(i)
        assert demo.visualItemRect(item).right() <= demo.viewport().width()
        assert item.toolTip() == item.text()  # nothing elided at this size
    assert demo.visualItemRect(demo.item(demo.count() - 1)).bottom() <= demo.viewport().height()
    # The store's reason is not repeated in English inside the sentence.
    assert dialog.keyring_note.text() == (
        "No OS keyring is available: the password is kept for this session only.")
    if out := os.environ.get("TELLER_SCREENSHOT_DIR"):
        dialog.grab().save(str(Path(out) / "en-sign-in.png"))


def test_keyring_reasons_map_to_sentences() -> None:
    from teller_app.ui.keyring_note import keyring_note_text

    assert keyring_note_text(None).startswith("No OS keyring is available:")
    assert keyring_note_text("the OS keyring did not answer in time").startswith(
        "The OS keyring did not answer in time:")
    assert "(PlaintextKeyring)" in keyring_note_text(
        "the only keyring found (PlaintextKeyring) stores secrets in a file; refused")
    assert "(KeyringLocked)" in keyring_note_text("the OS keyring failed (KeyringLocked)")
    assert "(something new)" in keyring_note_text("something new")


def test_closed_dialog_looks_nothing_up(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    """Typing restarts the remembered-session look-up timer; closing the window stops it, so
    no keyring look-up runs for a closed window (nor after its event loop is gone)."""
    dialog = _dialog(qtbot, ops, sandbox)
    dialog.email.setText("someone@demo.bank")
    assert dialog.remembered_timer.isActive()
    dialog.close()
    assert not dialog.remembered_timer.isActive()


def test_a_look_up_due_after_the_loop_is_gone_starts_nothing(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    """The e-mail's debounced keyring look-up can fire after the app's loop was taken down
    (a quick failed sign-in, then teardown): it must start no op and raise nothing."""
    import asyncio

    dialog = _dialog(qtbot, ops, sandbox)
    qtbot.waitUntil(lambda: dialog.store is not None, timeout=10000)
    loop = asyncio.get_event_loop()
    dialog.email.setText(TELLER)  # starts the 250 ms look-up timer
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    try:
        with qtbot.waitSignal(dialog.remembered_timer.timeout, timeout=5000):
            pass  # the slot runs here; an exception in it fails the test (pytest-qt)
        assert not ops.is_busy("sign-in-remembered")
    finally:
        asyncio.set_event_loop(loop)
        asyncio.events._set_running_loop(loop)


def test_a_reason_for_an_automatic_sign_out_is_shown(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, sandbox)
    assert dialog.error_text() == ""
    dialog.show_reason("You were signed out: why.")
    assert dialog.error_text() == "You were signed out: why."
    assert dialog.secret.hasFocus() or dialog.focusWidget() is dialog.secret
