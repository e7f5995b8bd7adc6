"""Tab follows the screen and never gets stuck: the main window's search, filters and results;
the lock screen after a wrong password; the sign-in dialog, whose Sign in stays the default
button through an error."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog

from .conftest import TELLER


def _activate(qtbot, window: QWidget) -> None:  # type: ignore[no-untyped-def]
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _owner(widget: QWidget | None, wanted: list[QWidget]) -> QWidget | None:
    """The widget of ``wanted`` that holds ``widget`` (a date edit's inner line edit)."""
    while widget is not None and widget not in wanted:
        widget = widget.parentWidget()
    return widget


def tab_walk(qtbot, start: QWidget, wanted: list[QWidget], *, back: bool = False,  # type: ignore[no-untyped-def]
             presses: int | None = None) -> list[QWidget | None]:
    """Focus ``start``, press Tab (Shift+Tab with ``back``) and record which of ``wanted``
    holds the focus after each press (None: something else)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: _owner(QApplication.focusWidget(), wanted) is start, timeout=2000)
    seen: list[QWidget | None] = [start]
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    modifier = Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier
    for _ in range(presses if presses is not None else len(wanted) - 1):
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)
        seen.append(_owner(QApplication.focusWidget(), wanted))
    return seen


def _names(widgets: list[QWidget | None]) -> list[str]:
    return [w.objectName() or type(w).__name__ if w is not None else "<other>"
            for w in widgets]


def test_tab_goes_search_filters_results_and_leaves_an_any_date(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    panel, bar = window.search_panel, window.desk.filter_bar
    _activate(qtbot, window)
    assert not panel.branch_filter.isVisible()  # a branch teller: no branch filter
    expected = [panel.search_box, bar.status, bar.segment, bar.kyc, bar.disabled,
                bar.created_from, bar.created_to, bar.updated_from, bar.updated_to,
                bar.clear_button, panel.table]
    assert all(edit.text() == "any" for edit in (bar.created_from, bar.created_to,
                                                 bar.updated_from, bar.updated_to))
    assert _names(tab_walk(qtbot, panel.search_box, expected)) == _names(expected)
    # Backwards too, and a date that holds a real day still steps through its parts.
    assert _names(tab_walk(qtbot, panel.table, expected, back=True)) == \
        _names(expected[::-1])
    bar.created_to.setDate(QDate(2026, 1, 15))
    seen = tab_walk(qtbot, bar.created_to, expected, presses=3)
    assert seen[-1] is bar.updated_from, _names(seen)
    assert bar.customer_filter().created_to is not None


def _locked(qtbot, window):  # type: ignore[no-untyped-def]
    _activate(qtbot, window)
    locker = window.supervision.locker
    locker.lock()
    return locker, locker.screen


def test_lock_screen_tab_follows_the_screen(qtbot, main_window):  # type: ignore[no-untyped-def]
    locker, screen = _locked(qtbot, main_window)
    sign_out = main_window.findChild(QPushButton, "lockSignOut")
    assert sign_out is not None and sign_out.isVisible()
    # On screen: password, Unlock, the other employee's e-mail, password, button, Sign out.
    expected = [screen.password, screen.unlock_button, screen.other_email,
                screen.other_password, screen.switch_button, sign_out]
    top = [w.mapTo(screen, w.rect().topLeft()).y() for w in expected]
    assert top[0] < top[2] < top[3] < top[4] < top[5]  # Sign out sits last, under the box
    assert _names(tab_walk(qtbot, screen.password, expected)) == _names(expected)
    locker.unlock()


def test_lock_screen_error_clears_and_focuses_the_password(qtbot, main_window):  # type: ignore[no-untyped-def]
    locker, screen = _locked(qtbot, main_window)
    screen.password.setFocus()
    qtbot.keyClicks(screen.password, "wrong")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.error.text() == "Wrong password.", timeout=15000)
    assert screen.password.text() == ""  # retyped from scratch, nothing left over
    assert QApplication.focusWidget() is screen.password
    qtbot.keyClicks(QApplication.focusWidget(), "x y")  # a space never presses Sign out
    assert screen.password.text() == "x y" and locker.is_locked

    # Signing in as another employee: their password is the one to retype.
    screen.other_email.setText(TELLER)
    screen.other_password.setText("not-the-password")
    screen.switch_button.setFocus()
    qtbot.keyClick(screen.switch_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Wrong e-mail or password" in screen.other_error.text(),
                    timeout=15000)  # said in the other employee's box
    assert screen.other_password.text() == "" and screen.other_email.text() == TELLER
    assert QApplication.focusWidget() is screen.other_password
    locker.unlock()


def _sign_in_dialog(qtbot, ops, manifest) -> SignInDialog:  # type: ignore[no-untyped-def]
    dialog = SignInDialog([sandbox_target(manifest)], ops)
    qtbot.addWidget(dialog)
    _activate(qtbot, dialog)
    return dialog


def test_sign_in_tab_follows_the_screen(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    dialog = _sign_in_dialog(qtbot, ops, sandbox.manifest)
    qtbot.waitUntil(lambda: dialog.store is not None, timeout=10000)
    expected = [dialog.demo_list, dialog.profile_combo, dialog.email, dialog.secret]
    if dialog.remember.isEnabled():
        expected.append(dialog.remember)
    expected += [dialog.profiles_button, dialog.quit_button, dialog.sign_in_button]
    rows = sorted(expected[:4], key=lambda w: w.mapTo(dialog, w.rect().topLeft()).y())
    assert rows == expected[:4]  # the demo list is on top, then the form's rows
    seen = tab_walk(qtbot, dialog.demo_list, expected, presses=len(expected))
    assert _names(seen) == _names([*expected, dialog.demo_list])


def test_sign_in_error_focuses_the_field_and_sign_in_stays_default(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    manifest = {**sandbox.manifest, "base_url": "http://127.0.0.1:9"}  # nothing listens
    dialog = _sign_in_dialog(qtbot, ops, manifest)
    dialog.email.setText(TELLER)
    dialog.secret.setText("typed-password")
    dialog.sign_in_button.setFocus()
    qtbot.keyClick(dialog.sign_in_button, Qt.Key.Key_Return)
    assert not dialog.sign_in_button.isEnabled()  # signing in
    assert QApplication.focusWidget() is not dialog.quit_button
    assert not dialog.quit_button.isDefault()
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=30000)
    assert "cannot be reached" in dialog.error_text()
    assert QApplication.focusWidget() is dialog.secret  # a network error: retry with Enter
    assert dialog.secret.text() == "typed-password"
    assert dialog.sign_in_button.isDefault() and not dialog.quit_button.isDefault()
    # Enter in the field signs in again (still unreachable): the default button is Sign in.
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert not dialog.sign_in_button.isEnabled()
    qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=30000)
    assert QApplication.focusWidget() is dialog.secret and not dialog.quit_button.isDefault()


def test_sign_in_wrong_password_and_disabled_account_focus_the_field_to_fix(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox):
    from teller_app.platform import AuthError

    dialog = _sign_in_dialog(qtbot, ops, sandbox.manifest)
    dialog.choose_demo(TELLER)
    dialog.secret.setText("definitely-not-the-password")
    assert QApplication.focusWidget() is dialog.sign_in_button
    qtbot.keyClick(dialog.sign_in_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=15000)
    assert "Wrong e-mail or password" in dialog.error_text()
    assert QApplication.focusWidget() is dialog.secret and dialog.secret.text() == ""
    assert dialog.sign_in_button.isDefault() and not dialog.quit_button.isDefault()
    # A disabled employee account: the e-mail is what to change (another employee).
    dialog.quit_button.setFocus()
    dialog._failed(AuthError("employee account is disabled", status_code=401,
                             reason="disabled"))
    assert "disabled" in dialog.error_text()
    assert QApplication.focusWidget() is dialog.email
    assert dialog.sign_in_button.isDefault() and not dialog.quit_button.isDefault()
