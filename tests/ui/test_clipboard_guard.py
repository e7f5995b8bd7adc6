"""A copied IBAN does not stay on the clipboard once the employee is gone: the lock, a
sign-out and quitting clear it, but only while it still holds exactly what the desk copied
(something the employee copied since is theirs). Real MainWindow, real sandbox."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QGuiApplication

from teller_app.core.views import AccountView
from teller_app.ui.account_panel import AccountPanel

from .conftest import TELLER, password_of

IBAN = "UA21 3223 1300 0002 6007 2335 6600 1"
COMPACT = IBAN.replace(" ", "")


def _copied_iban(qtbot) -> AccountPanel:  # type: ignore[no-untyped-def]
    panel = AccountPanel(AccountView(guid="acc-1", iban=IBAN))
    qtbot.addWidget(panel)
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == COMPACT
    return panel


def test_the_lock_takes_the_copied_iban_off_the_clipboard(qtbot, main_window, sandbox):  # type: ignore[no-untyped-def]
    locker = main_window.supervision.locker
    _copied_iban(qtbot)
    locker.lock()
    assert QGuiApplication.clipboard().text() == ""
    locker.screen.password.setText(password_of(sandbox, TELLER))
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        locker.screen.unlock_button.click()

    # What the employee copied themselves after the IBAN stays.
    _copied_iban(qtbot)
    QGuiApplication.clipboard().setText("a note of the teller's own")
    locker.lock()
    assert QGuiApplication.clipboard().text() == "a note of the teller's own"


def test_signing_out_takes_the_copied_iban_off_the_clipboard(qtbot, main_window):  # type: ignore[no-untyped-def]
    _copied_iban(qtbot)
    with qtbot.waitSignal(main_window.signed_out, timeout=5000):
        main_window.sign_out()
    assert QGuiApplication.clipboard().text() == ""


QUIT = """
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from teller_app.core.views import AccountView
from teller_app.ui.account_panel import AccountPanel
app = QApplication([])
IBAN = "UA21 3223 1300 0002 6007 2335 6600 1"
panel = AccountPanel(AccountView(guid="acc-1", iban=IBAN))
panel.copy_button.click()
print("copied:", QGuiApplication.clipboard().text())
QTimer.singleShot(0, app.quit)
app.exec()
print("after quit:", repr(QGuiApplication.clipboard().text()))
"""


def test_quitting_takes_the_copied_iban_off_the_clipboard() -> None:
    # A real quit ends the Qt loop: in a process of its own, not in the test session's.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", QUIT], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert f"copied: {COMPACT}" in done.stdout
    assert "after quit: ''" in done.stdout
