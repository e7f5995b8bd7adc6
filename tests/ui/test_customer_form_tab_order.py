"""Tab through the customer form follows the screen: after the last field comes Cancel, then
Create customer to its right (Create was made first, so Tab reached it before Cancel); Shift+Tab
goes back the same way. The new form and the edit form alike."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from teller_app.ui.customer_form import CustomerForm

from .conftest import new_customer


def _active(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _walk(qtbot: Any, start: QWidget, presses: int, *, back: bool = False) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=5000)
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    seen = [start]
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), key)
        seen.append(QApplication.focusWidget())
    return seen


def _left(widget: QWidget, form: CustomerForm) -> int:
    return widget.mapTo(form, widget.rect().topLeft()).x()


def _check(qtbot: Any, form: CustomerForm) -> None:
    cancel, submit = form.cancel_button, form.submit_button
    assert _left(cancel, form) < _left(submit, form)  # Cancel is drawn to the left
    assert _walk(qtbot, form.is_disabled, 2) == [form.is_disabled, cancel, submit]
    assert _walk(qtbot, submit, 2, back=True) == [submit, cancel, form.is_disabled]


def test_tab_reaches_cancel_before_create(qtbot: Any, main_window: Any) -> None:
    window = main_window
    form = window.new_customer()
    assert form is not None
    qtbot.waitUntil(form.isVisible, timeout=5000)
    _active(qtbot, window)
    _check(qtbot, form)


def test_tab_reaches_cancel_before_save(qtbot: Any, main_window: Any, sandbox: Any,
                                        arun: Any) -> None:
    window = main_window
    client = window.session.client
    created = arun(client.create_customer(new_customer(sandbox, window.session,
                                                       surname="Табуляція", name="Форма")))
    form = window.edit_customer(arun(client.get_customer(created.customer_guid)))
    qtbot.waitUntil(form.isVisible, timeout=5000)
    _active(qtbot, window)
    _check(qtbot, form)
