"""A till window goes when it is closed. The Till menu opens a new window each time (a count
starts empty, the position is read afresh), so one kept after its close stayed for the rest
of the day: a supervisor's ~200 branch positions were ~500 MB and 200 hidden top-level
windows, each read again by every till event.

Closed means ended (``finished``: Done, Cancel, Esc, ✕, or the dialog's own accept). A window
the lock screen hides is not closed (``lock_guard.park`` hides it: no ``finished``) and stays
for the unlock. The window is deleted once the writes running when it closed have settled:
their answers still reach it, and through its signals the desk (a till opened or closed
while its window was being closed still moves the Till menu). Reads it started are dropped
with it (``OpRunner.run``: nobody is left to tell)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog
from shiboken6 import isValid

from teller_app.ui.async_op import OpRunner


def delete_when_settled(dialog: QDialog, ops: OpRunner) -> None:
    """``deleteLater`` once the writes running now have run their callbacks (at once when
    none runs)."""
    tasks = {op.task for op in ops.running_writes() if op.task is not None and not op.task.done()}
    if not tasks:
        dialog.deleteLater()
        return

    def settled(task: object) -> None:
        tasks.discard(task)
        # after the op runner's own done callback (added first): the answer was shown
        if not tasks and isValid(dialog) and not dialog.isVisible():
            dialog.deleteLater()

    for task in list(tasks):
        task.add_done_callback(settled)


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
