"""A write keeps running across a switch of employee on the lock screen: when it finishes,
the window its callback opens from the first employee's parked window (a receipt over their
parked cash dialog) is parked with that employee's windows, never shown to the one who signed
in, and comes back when the first employee signs in again. Real MainWindow, real sandbox."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout
from shiboken6 import isValid

from .conftest import TELLER, password_of
from .test_lock_windows import SUPERVISOR, _shown_over, _switch, _unlock

CUSTOMER = "Шевченко Тарас — 10 000,00 UAH"


def _dialog(parent, text: str) -> QDialog:  # type: ignore[no-untyped-def]
    dialog = QDialog(parent)
    QVBoxLayout(dialog).addWidget(QLabel(text, dialog))
    dialog.open()  # window-modal, as the desk's forms and receipts are
    return dialog


def _texts_shown(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text() for w in _shown_over(window) for t in w.findChildren(QLabel)]


def test_a_late_result_from_a_parked_window_waits_for_its_employee(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox):
    window = main_window
    locker = window.supervision.locker
    form = _dialog(window, "Cash in: " + CUSTOMER)  # the teller's cash dialog
    assert form.isVisible()

    # The teller confirms; the write is still running when the desk locks and they leave.
    finish = asyncio.Event()
    opened: list[QDialog] = []

    async def confirm() -> int:
        await finish.wait()
        return 1

    window.ops.run(confirm, on_success=lambda _r: opened.append(_dialog(form, CUSTOMER)),
                   label="Confirming", write=True)
    locker.lock()
    assert not form.isVisible()
    _switch(qtbot, locker, SUPERVISOR, password_of(sandbox, SUPERVISOR))
    assert window.session.employee.email == SUPERVISOR
    assert not form.isVisible()

    finish.set()  # the write lands while the supervisor works at the desk
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    receipt = opened[0]
    assert not receipt.isVisible()
    assert receipt.windowHandle() is None or not receipt.windowHandle().isVisible()
    assert QApplication.modalWindow() is None  # nothing hidden blocks the supervisor's desk
    assert not [t for t in _texts_shown(window) if CUSTOMER in t]

    # The supervisor's own windows open as usual, modal ones included.
    own = _dialog(window, "Supervisor's own")
    assert own.isVisible()
    own_child = _dialog(own, "Supervisor's own, second")
    assert own_child.isVisible()
    own_child.close()
    assert not receipt.isVisible()

    # The teller signs in again on the supervisor's lock screen: their windows come back,
    # the supervisor's open one is parked with the supervisor.
    locker.lock()
    _switch(qtbot, locker, TELLER, password_of(sandbox, TELLER))
    assert window.session.employee.email == TELLER
    assert form.isVisible() and receipt.isVisible()
    assert not own.isVisible()

    # And a late window of the supervisor's is not shown to the teller either.
    late = QDialog(own)
    late.show()
    assert not late.isVisible()
    receipt.close()
    form.close()


def test_a_parked_window_destroyed_meanwhile_is_skipped(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox):
    window = main_window
    locker = window.supervision.locker
    form = _dialog(window, CUSTOMER)
    locker.lock()
    _switch(qtbot, locker, SUPERVISOR, password_of(sandbox, SUPERVISOR))
    assert not form.isVisible()

    form.deleteLater()  # e.g. a dialog deleted on close by its own code
    qtbot.waitUntil(lambda: not isValid(form), timeout=5000)
    own = _dialog(window, "Supervisor's own")
    assert own.isVisible()
    own.close()

    # Nobody's windows are parked any more: after the next unlock nothing is held back.
    locker.lock()
    _unlock(qtbot, locker, password_of(sandbox, SUPERVISOR))
    assert not locker.guard.engaged
    after = _dialog(window, "After")
    assert after.isVisible()
    after.close()
    locker.lock()
    _switch(qtbot, locker, TELLER, password_of(sandbox, TELLER))  # their parked form is gone
    assert window.session.employee.email == TELLER
    assert _shown_over(window) == []
