"""A till window goes when it is closed. The Till menu opens a new window each time (a count
starts empty, the position is read afresh), so one kept after its close stayed for the rest
of the day: a supervisor's ~200 branch positions were ~500 MB and 200 hidden top-level
windows, each read again by every till event.

Closed means ended (``finished``: Done, Cancel, Esc, ✕, or the dialog's own accept). A window
the lock screen hides is not closed (``lock_guard.park`` hides it: no ``finished``) and stays
for the unlock. The window is deleted once the writes running when it closed have settled
(one waiting for a password re-entry: once its retry has): their answers still reach it,
and through its signals the desk (a till opened or closed while its window was being closed
still moves the Till menu). Reads it started are dropped with it (``OpRunner.run``: nobody
is left to tell)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QDialog
from shiboken6 import isValid

from teller_app.ui.async_op import Op, OpRunner


def delete_when_settled(dialog: QDialog, ops: OpRunner) -> None:
    """``deleteLater`` once the writes running now have run their callbacks (at once when
    none runs). A write that ended with a session expiry and waits for the password prompt
    is not settled until its retry has (``Op.when_settled``): deleted before, the window
    dropped the retry (it runs only for a living asker) and the write was never sent."""
    pending = [op for op in ops.unsettled_writes() if not op.settled]
    if not pending:
        dialog.deleteLater()
        return
    waiting = set(map(id, pending))

    def settled(op: Op) -> None:
        waiting.discard(id(op))
        # after the op runner's own callbacks (the answer shown, its audit entry recorded)
        if not waiting and isValid(dialog) and not dialog.isVisible():
            dialog.deleteLater()

    for op in pending:
        op.when_settled(partial(settled, op))


def release_on_close(dialog: QDialog, ops: OpRunner,
                     forget: Callable[[], None] | None = None) -> None:
    """Delete ``dialog`` when it is closed (``delete_when_settled``); ``forget`` drops its
    opener's references to it first."""
    def closed(_result: int) -> None:
        if forget is not None:
            forget()
        if isValid(dialog):
            delete_when_settled(dialog, ops)

    dialog.finished.connect(closed)
