"""The sign-in window that opened the main window is released. The app controller makes a new
``SignInDialog`` (no parent) for every sign-in (a sign-out shows a new one); after a
successful sign-in it only dropped its reference, and the dialog's own connections (a lambda
on itself) kept it from the garbage collector, with the session it signed in: one dead
window per sign-in, many a day on a shared branch PC.

Against the embedded sandbox + Teller Hub, through the controller's real flow: the sign-in
window is filled and submitted, the branch cache opened, the main window shown; the teller
signs out (the controller shuts the window down and shows sign-in again), ``TIMES`` times."""

from __future__ import annotations

import argparse
import time
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog
from teller_app.ui.startup import AppController

from .conftest import TELLER, password_of
from .embedded_desk import embedded_stack
from .test_windows_released import _alive, _holders

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-sign-in-released")
TIMES = 3


def _args() -> argparse.Namespace:
    return argparse.Namespace(lang="en", profile=None, data_dir=None, smoke_test=False,
                              qt_args=[], smoke_timeout=60)


def _sign_in(qtbot: Any, controller: AppController, stack: Any) -> Any:
    dialog = controller.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not controller.ops.is_busy("sign-in-store"), timeout=10000)
    dialog.email.setText(TELLER)
    dialog.secret.setText(password_of(stack.sandbox, TELLER))
    dialog.submit()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=30000)
    window = controller.window
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=30000)
    return window


def test_a_signed_in_sign_in_window_is_released(qtbot, arun, stack, english) -> None:  # type: ignore[no-untyped-def]
    before = _alive(SignInDialog)
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    controller.targets = [sandbox_target(stack.sandbox.manifest, stack.hub_url)]
    try:
        controller.show_sign_in()
        for _ in range(TIMES):
            window = _sign_in(qtbot, controller, stack)
            assert controller.dialog is None
            with qtbot.waitSignal(window.signed_out, timeout=10000):
                window.sign_out()
            qtbot.waitUntil(lambda: not controller.ops.is_busy(), timeout=30000)
            assert controller.dialog is not None and controller.dialog.isVisible()
            del window

        def left() -> list[object]:
            return [o for o in _alive(SignInDialog)
                    if not any(o is b for b in before) and o is not controller.dialog]

        try:
            qtbot.waitUntil(lambda: not left(), timeout=3000)
        except Exception:
            dead = left()
            pytest.fail(f"{len(dead)} signed-in sign-in window(s) still alive: "
                        f"{[_holders(o) for o in dead[:2]]}")
        # the one showing still works: the next employee signs in with it
        window = _sign_in(qtbot, controller, stack)
        window._closing_for_sign_out = True  # closing here is not a quit of the test run
        controller.window = None
        window.close()
        arun(window.shutdown(), timeout=30000)
    finally:
        if controller.dialog is not None:
            controller.dialog.deleteLater()
        controller.ops.cancel_all()
        qtbot.waitUntil(lambda: not controller.ops.is_busy(), timeout=10000)
