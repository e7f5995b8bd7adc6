"""Unlock with the password field empty is answered beside the field ("Enter your password."),
the keyboard stays in that field, and nothing is sent to be checked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QStackedWidget

from teller_app.core.idle import FakeClock, IdleTracker
from teller_app.ui.async_op import OpRunner
from teller_app.ui.lock_screen import SessionLocker


@pytest.fixture()
def locked(qtbot, qloop):  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    stack = QStackedWidget()
    stack.addWidget(QLineEdit())
    window.setCentralWidget(stack)
    checked: list[str] = []

    async def verify(password: str) -> bool:
        checked.append(password)
        return False

    locker = SessionLocker(stack, IdleTracker(5, clock=FakeClock()), verify, OpRunner(),
                           window=window, employee_label=lambda: "Мельник Оксана · Касир")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    locker.lock()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is locker.screen.password, timeout=3000)
    yield locker, checked
    locker.stop()  # its guard would hide the next test's windows


def test_an_empty_unlock_is_said_by_the_field_and_sends_nothing(qtbot, locked) -> None:  # type: ignore[no-untyped-def]
    locker, checked = locked
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

