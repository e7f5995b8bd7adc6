"""The lock screen at a 1280 px window: one centred column (not fields across the window),
a bold title, Sign out small and last (on screen and in the Tab order), Unlock the default;
a refused "different employee" sign-in is said inside that employee's box; an empty field is
said beside it (nothing is sent), in either form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMainWindow, QStackedWidget

from teller_app.core.idle import FakeClock, IdleTracker
from teller_app.platform import AuthError
from teller_app.ui import lock_modes
from teller_app.ui.async_op import OpRunner
from teller_app.ui.lock_screen import SessionLocker

COLUMN_MAX = 480


@pytest.fixture()
def locked(qtbot, qloop):  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    stack = QStackedWidget()
    stack.addWidget(QLineEdit())
    window.setCentralWidget(stack)
    window.resize(1280, 720)

    checked: list[str] = []  # the passwords the locker asked to verify

    async def verify(password: str) -> bool:
        checked.append(password)
        return False

    async def switch(email: str, password: str) -> object:
        raise AuthError("refused", reason="invalid_credentials")

    locker = SessionLocker(stack, IdleTracker(5, clock=FakeClock()), verify, OpRunner(),
                           window=window, employee_label=lambda: "Мельник Оксана · Касир",
                           switch=switch)
    sign_out = lock_modes.add_sign_out(window)  # type: ignore[arg-type]
    assert sign_out is not None
    window.show()
    qtbot.waitExposed(window)
    locker.lock()
    qtbot.waitUntil(locker.screen.isVisible, timeout=3000)
    yield window, locker, sign_out, checked
    locker.stop()  # its guard would hide the next test's windows


def _showing(screen, text: str) -> list[QLabel]:  # type: ignore[no-untyped-def]
    return [label for label in screen.findChildren(QLabel)
            if label.isVisible() and label.text() == text]


def test_a_refused_switch_is_said_in_the_other_employee_s_box(qtbot, locked) -> None:  # type: ignore[no-untyped-def]
    _window, locker, _sign_out, _checked = locked
    screen = locker.screen
    screen.password.setText("wrong")
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: bool(_showing(screen, "Wrong password.")), timeout=3000)
    assert not any(screen.other_box.isAncestorOf(label)
                   for label in _showing(screen, "Wrong password."))

    screen.other_email.setText("nobody@demo.bank")
    screen.other_password.setText("x")
    screen.switch_button.click()
    refused = "Wrong e-mail or password."
    qtbot.waitUntil(lambda: bool(_showing(screen, refused)), timeout=3000)
    assert all(screen.other_box.isAncestorOf(label) for label in _showing(screen, refused))
    assert not _showing(screen, "Wrong password.")  # the unlock's older error went
    assert screen.focusWidget() is screen.other_password


def test_the_lock_screen_is_a_centred_column_with_sign_out_last(qtbot, locked) -> None:  # type: ignore[no-untyped-def]
    window, locker, sign_out, _checked = locked
    screen = locker.screen
    qtbot.waitUntil(lambda: screen.width() >= 1200, timeout=3000)
    middle = screen.width() / 2
    for widget in (screen.password, screen.other_box, sign_out):
        left = widget.mapTo(screen, widget.rect().topLeft()).x()
        assert widget.width() <= COLUMN_MAX
        assert left < middle < left + widget.width()  # centred, not at the left edge
    unlock_row = screen.unlock_button.mapTo(screen, screen.unlock_button.rect().topRight()).x() \
        - screen.password.mapTo(screen, screen.password.rect().topLeft()).x()
    assert unlock_row <= COLUMN_MAX

    # Sign out: after the other employee's box, narrower than the unlock row
    box_bottom = screen.other_box.mapTo(screen, screen.other_box.rect().bottomLeft()).y()
    assert sign_out.mapTo(screen, sign_out.rect().topLeft()).y() > box_bottom
    assert sign_out.width() < unlock_row / 2

    title, who = screen.title.font(), screen.who.font()
    assert title.bold() and title.pointSizeF() > who.pointSizeF()
    assert screen.unlock_button.isDefault() and not sign_out.isDefault()

    # Tab as the column reads: Unlock -> the other employee's e-mail ... Sign out last
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.password, timeout=3000)
    order = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [screen.unlock_button, screen.other_email, screen.other_password,
                     screen.switch_button, sign_out]


def test_an_empty_switch_is_said_in_the_other_employee_s_box(qtbot, locked) -> None:  # type: ignore[no-untyped-def]
    _window, locker, _sign_out, _checked = locked
    screen = locker.screen
    asked: list[tuple[str, str]] = []
    screen.switch_requested.connect(lambda email, password: asked.append((email, password)))

    screen.switch_button.click()  # nothing typed in the box
    qtbot.waitUntil(screen.other_error.isVisible, timeout=3000)
    assert screen.other_error.text() == "Enter the employee's e-mail."
    assert screen.other_box.isAncestorOf(screen.other_error) and not screen.error.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.other_email, timeout=3000)

    screen.other_email.setText("supervisor.kyiv@demo.bank")
    qtbot.keyClick(screen.other_password, Qt.Key.Key_Return)  # Enter, no password
    assert screen.other_error.text() == "Enter the employee's password."
    assert QApplication.focusWidget() is screen.other_password
    assert screen.other_email.text() == "supervisor.kyiv@demo.bank"  # nothing typed is lost
    assert asked == [] and locker.is_locked

    screen.other_password.setText("secret")
    screen.switch_button.click()
    assert asked == [("supervisor.kyiv@demo.bank", "secret")]


def test_an_empty_unlock_is_said_by_the_field_and_sends_nothing(qtbot, locked) -> None:  # type: ignore[no-untyped-def]
    _window, locker, _sign_out, checked = locked
    screen = locker.screen
    sent: list[str] = []
    screen.unlock_requested.connect(sent.append)

    screen.unlock_button.setFocus()  # a click (or Space) on Unlock, the field left empty
    screen.unlock_button.click()
    qtbot.waitUntil(screen.error.isVisible, timeout=3000)
    assert screen.error.text() == "Enter your password."
    # beside the field: right under the password's row, in the same column
    assert screen.error.geometry().top() >= screen.password.geometry().bottom()
    assert not screen.other_box.isAncestorOf(screen.error)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.password, timeout=3000)
    assert not screen.password.isReadOnly() and screen.unlock_button.isEnabled()

    screen.error.hide()
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)  # Enter in the empty field: the same
    assert screen.error.isVisible() and screen.error.text() == "Enter your password."
    assert QApplication.focusWidget() is screen.password
    assert sent == [] and checked == [] and locker.is_locked

    # Typed, it is sent: the message was about the empty field only.
    screen.password.setText("wrong")
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: screen.error.text() == "Wrong password.", timeout=3000)
    assert sent == ["wrong"] and checked == ["wrong"]
