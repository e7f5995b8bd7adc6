"""A desk left alone past its idle time locks even when the first input comes before the
lock's check (waking the machine: the mouse moves, then the timer fires), and the idle
clock counts the time the machine slept."""

from __future__ import annotations

import sys
import time

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QStackedWidget

from teller_app.core import idle
from teller_app.core.idle import FakeClock, IdleTracker
from teller_app.ui.async_op import OpRunner
from teller_app.ui.lock_screen import SessionLocker


def _locker(qtbot, clock):  # type: ignore[no-untyped-def]
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.addWidget(QLineEdit())
    stack.show()
    qtbot.waitExposed(stack)

    async def verify(password: str) -> bool:
        return password == "secret"

    locker = SessionLocker(stack, IdleTracker(5, clock=clock), verify, OpRunner(),
                           employee_guid=lambda: "emp-a", employee_label=lambda: "emp-a")
    locker.start()
    return stack, locker


def _move_mouse(stack: QStackedWidget) -> None:
    QApplication.sendEvent(stack.windowHandle(), QMouseEvent(
        QEvent.Type.MouseMove, QPointF(2, 2), QPointF(2, 2), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))


def test_input_after_the_idle_time_ran_out_does_not_cancel_the_lock(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    stack, locker = _locker(qtbot, clock)
    clock.advance(60 * 60)  # an hour with the lid shut
    _move_mouse(stack)  # whoever opens it moves the mouse before the check runs
    locker.check_idle()
    assert locker.is_locked

    # unlocked, the idle time counts from the unlock: not locked again at once
    locker.screen.password.setText("secret")
    with qtbot.waitSignal(locker.unlocked, timeout=5000):
        locker.screen.unlock_button.click()
    locker.check_idle()
    assert not locker.is_locked
    clock.advance(4 * 60)
    _move_mouse(stack)  # input inside the idle time still counts as activity
    clock.advance(4 * 60)
    locker.check_idle()
    assert not locker.is_locked
    locker.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's boot-time clock")
def test_the_idle_clock_counts_a_suspend(monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = IdleTracker(5)
    assert not tracker.due()
    slept = time.clock_gettime(time.CLOCK_BOOTTIME) + 3600  # CLOCK_MONOTONIC stops meanwhile
    real = time.clock_gettime
    monkeypatch.setattr(idle.time, "clock_gettime",
                        lambda clk: slept if clk == time.CLOCK_BOOTTIME else real(clk))
    assert tracker.due()
