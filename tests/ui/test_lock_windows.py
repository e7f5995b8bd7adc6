"""Nothing opens over the lock screen: a window shown while the desk is locked (an op's
result, the crash dialog with the exception's text) is parked with the locked employee's
windows, comes back when that employee unlocks, and is never shown to another employee who
signs in on the lock screen. Real MainWindow, real sandbox."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from teller_app.ui import crash_handler

from .conftest import TELLER, password_of

SUPERVISOR = "supervisor.kyiv@demo.bank"
CUSTOMER = "Шевченко Тарас — 10 000,00 UAH"


def _shown_over(window) -> list:  # type: ignore[no-untyped-def]
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]


def _receipt_after_a_write(qtbot, window) -> QDialog:  # type: ignore[no-untyped-def]
    """A write finishes while locked and its callback opens a window naming the customer."""
    opened: list[QDialog] = []

    def show_receipt(_result: object) -> None:
        dialog = QDialog(window)
        dialog.setWindowTitle("Receipt")
        QVBoxLayout(dialog).addWidget(QLabel(CUSTOMER, dialog))
        dialog.open()
        opened.append(dialog)

    async def confirm() -> int:
        return 1

    window.ops.run(confirm, on_success=show_receipt, label="Confirming", write=True)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    return opened[0]


def _unlock(qtbot, locker, password: str) -> None:  # type: ignore[no-untyped-def]
    locker.screen.password.setText(password)
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        locker.screen.unlock_button.click()


def _switch(qtbot, locker, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    locker.screen.other_email.setText(email)
    locker.screen.other_password.setText(password)
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        locker.screen.switch_button.click()


def test_windows_opened_while_locked_wait_for_the_unlock(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                          monkeypatch):
    window = main_window
    monkeypatch.setattr(crash_handler, "_open_dialog", None)
    locker = window.supervision.locker
    locker.lock()

    receipt = _receipt_after_a_write(qtbot, window)
    try:
        raise ValueError("customer Шевченко Тарас, +380677654321 not found")
    except ValueError as exc:
        crash_handler.report_exception(type(exc), exc, exc.__traceback__)
    crash_box = crash_handler._open_dialog
    assert isinstance(crash_box, QMessageBox)
    try:  # a second failure while locked opens no second dialog (one at a time)
        raise KeyError("again")
    except KeyError as exc:
        crash_handler.report_exception(type(exc), exc, exc.__traceback__)
    assert crash_handler._open_dialog is crash_box
    assert locker.is_locked
    assert _shown_over(window) == []
    assert not receipt.isVisible() and not crash_box.isVisible()
    assert receipt.windowHandle() is None or not receipt.windowHandle().isVisible()
    assert QApplication.modalWindow() is None  # a hidden dialog blocks no input

    _unlock(qtbot, locker, password_of(sandbox, TELLER))
    assert receipt.isVisible() and crash_box.isVisible()
    assert "Шевченко" in crash_box.detailedText()  # the employee back at the desk sees it
    crash_box.close()
    receipt.close()
    after = QDialog(window)  # unlocked: windows open as usual
    after.open()
    assert after.isVisible()
    after.close()


def test_a_window_for_the_locked_employee_is_never_shown_to_another(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox):
    window = main_window
    locker = window.supervision.locker
    locker.lock()
    receipt = _receipt_after_a_write(qtbot, window)
    assert not receipt.isVisible()

    _switch(qtbot, locker, SUPERVISOR, password_of(sandbox, SUPERVISOR))
    assert window.session.employee.email == SUPERVISOR
    assert not receipt.isVisible()  # parked with the teller's windows
    assert CUSTOMER not in [t.text() for w in _shown_over(window) for t in w.findChildren(QLabel)]

    locker.lock()
    _switch(qtbot, locker, TELLER, password_of(sandbox, TELLER))
    assert window.session.employee.email == TELLER
    assert receipt.isVisible()  # back with the teller who was locked out


def test_signing_out_on_the_lock_screen_stops_parking(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    locker = window.supervision.locker
    locker.lock()
    button = window.findChild(QPushButton, "lockSignOut")
    assert button is not None and button.isVisible()
    with qtbot.waitSignal(window.signed_out, timeout=5000):
        button.click()
    # the sign-in window comes next: it must show
    next_window = QDialog()
    qtbot.addWidget(next_window)
    next_window.show()
    assert next_window.isVisible()
