"""A signed-out main window is released: the app's one ``OpRunner`` outlives every main
window (a new one per sign-in), so nothing of a window may stay connected to it. Lambdas on
the window connected to the runner's ``connectivity_error`` and ``platform_reached`` kept
each signed-out window alive (its cards, forms and session with it) for the rest of the day,
and the runner's next connectivity change called into the deleted window. Nothing deleted a
signed-out window either (its own connections kept it from the garbage collector): it is
deleted once shut down, and the runner's error and re-login handlers no longer name it.

Against the embedded sandbox + Teller Hub: the teller signs in and out ``TIMES`` times with
the app's one runner, as the app controller does (ui/start_main_window)."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.core.connectivity import Connectivity
from teller_app.ui.main_window import MainWindow
from teller_app.ui.start_main_window import signed_out

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_session
from .test_windows_released import Released

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-main-window-released")
TIMES = 3


def _sign_in(qtbot: Any, ops: Any, arun: Any, stack: Any) -> MainWindow:
    session = hub_session(arun, stack, TELLER)
    window = MainWindow(session, ops, sandbox_asset=stack.sandbox.manifest["asset"])
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=20000)
    return window


class _Controller:
    """What ``start_main_window.signed_out`` uses of the app controller (no sign-in window)."""

    def __init__(self, ops: Any, window: MainWindow) -> None:
        self.ops, self.window, self.dialog = ops, window, None

    def show_sign_in(self) -> None:
        pass


def _sign_out(qtbot: Any, ops: Any, window: MainWindow) -> None:
    """As the app does: the window signs out, the controller shuts it down."""
    controller: Any = _Controller(ops, window)
    window.signed_out.connect(lambda: signed_out(controller, window))
    window.sign_out()
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=30000)


def test_signed_out_main_windows_are_released(qtbot, ops, arun, stack, english) -> None:  # type: ignore[no-untyped-def]
    released = Released(qtbot, ops, MainWindow)
    for _ in range(TIMES):
        window = _sign_in(qtbot, ops, arun, stack)
        # as a branch cache's wiring does (cache_wiring): the runner tells it of every op
        window.connectivity = ops.connectivity = Connectivity()
        _sign_out(qtbot, ops, window)
        assert ops.connectivity is None  # not the signed-out desk's (its closed client)
        del window
    # the runner still works for the next window: a connectivity change reaches no dead one
    ops.connectivity_error.emit(TimeoutError("gone"))
    ops.platform_reached.emit()
    released.check()

