"""A supervisor's in-place dialog cancelled gives the keyboard back to the widget that had it:
a customer change decided in place (back on the card's "Request a change…"), a till's first
opening co-signed here (back on "Supervisor co-signs here…", so Enter reopens it). Nothing
here activates a window when a dialog closes (offscreen, as under a window manager that does
not): the desk does it. Against the module's own sandbox + Teller Hub."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from teller_app.core.customers import CustomerService
from teller_app.core.till import Till, TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.change_request_dialog import ChangeRequestDialog
from teller_app.ui.till_dialog import TillOpenDialog

from .conftest import TELLER, make_window, new_customer, password_of
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-in-place-cancel-focus")


def _active(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _focus_comes_back(qtbot: Any, widget: QWidget) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=5000)


@pytest.fixture()
def session(arun, stack):  # type: ignore[no-untyped-def]
    opened = hub_session(arun, stack, TELLER)
    yield opened
    arun(opened.close())


def test_a_cancelled_customer_change_in_place_gives_the_card_the_keys_back(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, session) -> None:
    window = make_window(qtbot, ops, session, stack.sandbox)
    try:
        new = new_customer(stack.sandbox, session, surname="Фокус", name="Повернення")
        service = CustomerService(session.client, hub=session.hub)
        card = window.open_customer(arun(service.create(new)).customer)
        qtbot.waitUntil(lambda: card.findChild(QPushButton, "requestChangeButton") is not None,
                        timeout=20000)
        ask = card.findChild(QPushButton, "requestChangeButton")
        _active(qtbot, window)
        ask.setFocus(Qt.FocusReason.TabFocusReason)
        _focus_comes_back(qtbot, ask)
        qtbot.keyClick(ask, Qt.Key.Key_Return)  # the card's buttons take Enter
        qtbot.waitUntil(lambda: window.findChild(ChangeRequestDialog) is not None, timeout=5000)
        dialog = window.findChild(ChangeRequestDialog)
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        dialog.reason.setPlainText("Customer asks to block")
        qtbot.waitUntil(dialog.in_place_button.isEnabled, timeout=5000)
        dialog.in_place_button.click()
        qtbot.waitUntil(lambda: any(d.isVisible() for d in
                                    window.findChildren(ApproveInPlaceDialog)), timeout=15000)
        approve = next(d for d in window.findChildren(ApproveInPlaceDialog) if d.isVisible())
        _active(qtbot, approve)

        approve.reject()  # Cancel: the request stays filed for the inbox
        _focus_comes_back(qtbot, ask)
        qtbot.waitUntil(lambda: card.findChild(QPushButton, "withdrawRequestButton")
                        is not None, timeout=15000)  # the card refreshed: still there
        assert QApplication.focusWidget() is ask
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()


def test_a_cancelled_till_co_sign_here_gives_its_button_the_keys_back(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, session) -> None:
    service = TillService(LinkCalls(session.hub), "ui-in-place-cancel")
    code = f"F{uuid.uuid4().hex[:6]}"  # never closed before: a supervisor co-signs it

    async def cosign_here(email: str, password: str, till_id: str) -> Till:
        return await cosign_with_credentials(session.profile, email, password, till_id)

    dialog = TillOpenDialog(ops, service, code, cosign_here=cosign_here)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        _active(qtbot, dialog)
        dialog.grid.spins["note_100"].setValue(3)
        dialog.open_button.click()
        qtbot.waitUntil(lambda: dialog.till is not None, timeout=10000)
        button = dialog.cosign_button
        qtbot.waitUntil(button.hasFocus, timeout=3000)

        for _attempt in range(2):  # cancelled twice: the keys come back each time
            qtbot.keyClick(button, Qt.Key.Key_Return)  # opens the co-sign here
            approve = dialog.cosign_dialog
            assert approve is not None
            qtbot.waitUntil(approve.isVisible, timeout=5000)
            _active(qtbot, approve)
            approve.reject()
            _focus_comes_back(qtbot, button)
            assert QApplication.activeWindow() is dialog
    finally:
        ops.cancel_all()
        till = arun(service.current())
        if till is not None and till.needs_cosign:  # cancelled: co-signed to be closed
            till = arun(cosign_with_credentials(session.profile, SUPERVISOR, password_of(
                stack.sandbox, SUPERVISOR), till.id))
        if till is not None:  # one till per teller: never leave one open
            arun(service.close(till.open_counts, "test clean-up"))
