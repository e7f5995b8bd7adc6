"""Every till window a desk opens goes when it is closed. The Till menu builds a new window
each time; a closed one was only hidden and stayed for the rest of the day (a supervisor's
~200 branch positions a day: ~500 MB, 200 hidden top-level windows, each read again by every
till event, and each a window the lock screen watches). A window the lock screen hides is
not closed: it comes back at the unlock.

Each window is opened and closed ``TIMES`` times on the real embedded stack (sandbox + hub);
then, after the deferred deletes and a garbage collection, no object of its class is left
(neither a child of the main window nor a Python object), and the lock screen watches no more
live windows than before."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QDialog
from shiboken6 import isValid

from teller_app.ui.lock_guard import is_parked
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_dialog import ReportDialog, TillOpenDialog
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_transfer import TransferDialog
from teller_app.ui.till_vault_count import VaultCountDialog

from .conftest import TELLER
from .dialog_reading import open_branch_position
from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, open_cosigned_till

pytestmark = pytest.mark.slow

TIMES = 5
COUNTS = {"note_100": 10}

stack = embedded_stack("ui-till-windows-released")


def _alive(window: Any, cls: type) -> list[object]:
    """``cls``'s windows left once the deferred deletes ran and gc collected: children of
    the main window, and Python objects of the class."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    gc.collect()
    children: list[object] = list(window.findChildren(cls))
    return children + [o for o in gc.get_objects()
                       if isinstance(o, cls) and not any(o is c for c in children)]


def _watched(window: Any) -> int:
    """The live windows the lock screen watches (its idle filter is installed on each)."""
    return sum(1 for w in window.supervision.locker._watched if isValid(w))


def _shown(qtbot: Any, window: Any, cls: type[QDialog]) -> Any:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(cls)),
                    timeout=20000)
    return next(d for d in window.findChildren(cls) if d.isVisible())


def _open_and_close(qtbot: Any, window: Any, cls: type[QDialog],
                    opening: Callable[[], None]) -> None:
    """Open ``cls`` ``TIMES`` times as the menu does, close each (its ✕ or Esc: ``reject``);
    then none is left and the lock screen watches no more windows than before."""
    qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
    watched = _watched(window)
    for _ in range(TIMES):
        opening()
        dialog = _shown(qtbot, window, cls)
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
        dialog.reject()
        assert not dialog.isVisible()
        del dialog
    qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
    left = _alive(window, cls)
    assert left == [], f"{len(left)} closed {cls.__name__} still alive"
    assert window.till_desk.dialog is None
    assert _watched(window) <= watched


def test_the_tellers_till_windows_go_when_closed(qtbot: Any, ops: Any, arun: Any,
                                                 stack: Any, english: Any) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
        desk = window.till_desk
        cash = hub_cash(window.session)
        assert cash is not None
        qtbot.waitUntil(lambda: not desk.close_action.isEnabled(), timeout=15000)  # read
        _open_and_close(qtbot, window, TillOpenDialog, desk.open_till)
        till = open_cosigned_till(arun, stack, cash.till, window.session,
                                  f"W{uuid.uuid4().hex[:5]}", COUNTS)
        try:
            desk.apply()
            qtbot.waitUntil(lambda: desk.close_action.isEnabled(), timeout=15000)
            _open_and_close(qtbot, window, TransferDialog, desk.transfer)
            _open_and_close(qtbot, window, TillCloseDialog, desk.close_till)
        finally:
            closed = arun(cash.till.close(COUNTS, ""))
        assert closed.id == till.id and closed.state == "closed"
        desk._closed(closed)  # what the close dialog's ``closed`` signal calls
        _open_and_close(qtbot, window, ReportDialog, desk.report)

        # closed while its opening is on its way: the answer still moves the Till menu (the
        # window goes once it is in), and nothing breaks
        assert desk.open_action.isEnabled() and not desk.close_action.isEnabled()
        desk.open_till()
        opening = _shown(qtbot, window, TillOpenDialog)
        opening.code.setText(till.till_code)
        opening.grid.set_counts(COUNTS)  # as it was closed: no co-sign
        opening.open_button.click()
        opening.reject()
        del opening
        try:
            qtbot.waitUntil(desk.close_action.isEnabled, timeout=20000)
            qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
            assert desk.till is not None and desk.till.state == "open"
            assert _alive(window, TillOpenDialog) == []
        finally:
            current = arun(cash.till.current())
            if current is not None:
                arun(cash.till.close(current.open_counts, ""))


def test_the_supervisors_position_and_vault_count_go_when_closed(
        qtbot: Any, ops: Any, arun: Any, stack: Any, english: Any) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR) as window:
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
        view = open_branch_position(qtbot, window)
        # the vault count, opened from the position: a new one each time, none kept
        for _ in range(TIMES):
            view.count_vault()
            dialog = _shown(qtbot, window, VaultCountDialog)
            dialog.reject()
            del dialog
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
        assert _alive(window, VaultCountDialog) == [] and view.vault_dialog is None
        assert isValid(view) and view.isVisible()  # the position it came from stays
        view.reject()
        del view

        def position() -> None:
            window.till_desk.position()
        _open_and_close(qtbot, window, BranchCashView, position)
        position_moved = window.till_desk.position_moved
        position_moved()  # a till event reads no closed position again: none is left
        assert not window.ops.is_busy()


def test_a_window_the_lock_hides_is_not_closed(qtbot: Any, ops: Any, arun: Any,
                                               stack: Any, english: Any) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR) as window:
        locker = window.supervision.locker
        before = _alive(window, BranchCashView)  # an earlier test's: not this one's

        def new() -> list[object]:
            return [o for o in _alive(window, BranchCashView)
                    if not any(o is b for b in before)]

        view = open_branch_position(qtbot, window)
        locker.lock()
        assert not view.isVisible() and is_parked(view)
        assert new() == [view]  # parked, not closed: kept
        locker.unlock()
        assert isValid(view) and view.isVisible()
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=20000)
        view.close()  # its ✕
        del view
        assert new() == []
