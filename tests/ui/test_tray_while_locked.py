"""The tray's message sits outside the lock screen: while the desk is locked, a supervisor's
alert or a new request is announced there without a customer's name or login ("A new alert is
waiting."); unlocked, the tray says what the status bar says."""

from __future__ import annotations

import pytest

from teller_app.ui import supervision as supervision_module

from .conftest import TELLER, password_of, unique


@pytest.fixture()
def tray(monkeypatch):  # type: ignore[no-untyped-def]
    # offscreen has no tray: the desk is told it has one, so its messages are sent
    monkeypatch.setattr(supervision_module.QSystemTrayIcon, "isSystemTrayAvailable",
                        lambda: True)


def test_the_tray_names_nobody_while_locked(qtbot, main_window, sandbox, tray):  # type: ignore[no-untyped-def]
    window = main_window
    sup = window.supervision
    login = unique("tray.")
    alert = f"Changed without approval: {login}"
    sup._announce(alert, "warning")
    assert sup.tray_text == alert  # unlocked: the tray says what the status bar says

    sup.lock_now()
    assert sup.locker.is_locked
    sup._announce(f"Changed without approval: {login}-2", "warning")  # arrives while locked
    assert login not in sup.tray_text
    assert sup.tray_text == "A new alert is waiting."
    sup._notice_ids = {"r1"}
    sup._announce(sup._notice(), "info")
    assert sup.tray_text == "A new request is waiting."

    sup.locker.screen.password.setText(password_of(sandbox, TELLER))
    with qtbot.waitSignal(sup.locker.unlocked, timeout=10000):
        sup.locker.screen.unlock_button.click()
    later = f"Changed without approval: {login}-3"
    sup._announce(later, "warning")
    assert sup.tray_text == later
