"""Idle lock with a fake clock: the form underneath and open dialogs survive, unhurt."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QStackedWidget, QVBoxLayout

from teller_app.core.idle import FakeClock, IdleTracker
from teller_app.ui.async_op import OpRunner
from teller_app.ui.lock_screen import SessionLocker


class Employee:
    guid = "emp-a"


def _setup(qtbot, switch=None):  # type: ignore[no-untyped-def]
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    form = QLineEdit()
    stack.addWidget(form)
    stack.show()
    clock = FakeClock()
    tracker = IdleTracker(5, clock=clock)
    who = Employee()

    async def verify(password: str) -> bool:
        return password == "secret"

    locker = SessionLocker(
        stack, tracker, verify, OpRunner(), employee_guid=lambda: who.guid,
        employee_label=lambda: who.guid, switch=switch,
        on_switched=lambda s: setattr(who, "guid", s),
    )
    locker.start()
    return stack, form, clock, locker, who


def test_idle_lock_and_unlock_keep_the_half_filled_form(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    stack, form, clock, locker, _who = _setup(qtbot)
    form.setText("Шевченко, 12")
    form.setCursorPosition(3)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    field.setText("half-typed reason")
    dialog.open()
    qtbot.waitExposed(dialog)

    clock.advance(4 * 60)
    locker.check_idle()
    assert not locker.is_locked
    # Input counts as activity: it reaches the widgets through their top-level QWindow.
    QApplication.sendEvent(stack.windowHandle(), QMouseEvent(
        QEvent.Type.MouseMove, QPointF(1, 1), QPointF(1, 1), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    clock.advance(4 * 60)
    locker.check_idle()
    assert not locker.is_locked

    clock.advance(61)
    with qtbot.waitSignal(locker.locked, timeout=1000):
        locker.check_idle()
    assert stack.currentWidget() is locker.screen
    assert not dialog.isVisible()  # personal data in dialogs is hidden too

    locker.screen.password.setText("wrong")
    locker.screen.unlock_button.click()
    qtbot.waitUntil(lambda: locker.screen.error.text() != "", timeout=3000)
    assert locker.is_locked

    locker.screen.password.setText("secret")
    with qtbot.waitSignal(locker.unlocked, timeout=3000):
        locker.screen.unlock_button.click()
    assert stack.currentWidget() is form
    assert form.text() == "Шевченко, 12" and form.cursorPosition() == 3
    assert dialog.isVisible() and field.text() == "half-typed reason"
    assert locker.screen.password.text() == ""  # no secret lingers in the widget
    locker.stop()


async def _back_to_a(email: str, password: str) -> str:
    return "emp-a"


def test_other_employee_signs_in_and_first_ones_work_stays_parked(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    async def switch(email: str, password: str) -> str:
        return "emp-b"

    _stack, _form, _clock, locker, who = _setup(qtbot, switch=switch)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.open()
    locker.lock()
    locker.screen.other_email.setText("supervisor.kyiv@demo.bank")
    locker.screen.other_password.setText("x")
    with qtbot.waitSignal(locker.unlocked, timeout=3000):
        locker.screen.switch_button.click()
    assert who.guid == "emp-b"
    assert not dialog.isVisible()  # emp-a's dialog is not shown to emp-b

    # emp-b locks; emp-a signs back in from the lock screen and finds the dialog again.
    locker.lock()
    locker.switch = _back_to_a
    locker.screen.other_email.setText("teller.kyiv@demo.bank")
    locker.screen.other_password.setText("x")
    with qtbot.waitSignal(locker.unlocked, timeout=3000):
        locker.screen.switch_button.click()
    assert who.guid == "emp-a" and dialog.isVisible()
    locker.stop()


def _key_press() -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")


def test_typing_in_a_focused_dialog_counts_and_stop_unhooks_every_window(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    stack, _form, clock, locker, _who = _setup(qtbot)
    dialog = QDialog(stack)
    QVBoxLayout(dialog).addWidget(QLineEdit(dialog))
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is dialog.windowHandle())
    assert dialog.windowHandle() in locker._watched and stack.windowHandle() in locker._watched

    clock.advance(4 * 60)
    QApplication.sendEvent(dialog.windowHandle(), _key_press())
    clock.advance(4 * 60)
    locker.check_idle()
    assert not locker.is_locked  # the key press in the dialog reset the idle clock

    locker.stop()
    locker.stop()  # idempotent
    assert locker._watched == [] and not locker.timer.isActive()
    clock.advance(4 * 60)
    QApplication.sendEvent(dialog.windowHandle(), _key_press())  # no longer watched
    assert locker.tracker.idle_for() >= 8 * 60
    dialog.close()


def test_main_window_close_and_sign_out_unhook_supervision(qtbot, ops, teller_session,  # type: ignore[no-untyped-def]
                                                           sandbox) -> None:
    from .conftest import make_window

    window = make_window(qtbot, ops, teller_session, sandbox)
    locker = window.supervision.locker
    assert locker._started and locker.timer.isActive() and locker._watched
    window._closing_for_sign_out = True
    window.close()
    assert not locker._started and not locker.timer.isActive() and locker._watched == []

    window2 = make_window(qtbot, ops, teller_session, sandbox)
    locker2 = window2.supervision.locker
    window2.sign_out()
    assert not locker2._started and not locker2.timer.isActive()
