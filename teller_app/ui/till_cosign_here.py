"""A supervisor co-signs at this desk with their own credentials (an opening count, a close
past the tolerance, another supervisor's vault count): the in-place dialog asks for them and
``run`` co-signs with the supervisor's own short session (``core/till_cosign``); the hub
judges who they are. The password never outlives the call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.async_op import OpRunner

T = TypeVar("T")


def cosign_here(parent: QWidget, ops: OpRunner, summary: str, label: str,
                run: Callable[[str, str], Awaitable[T]],
                done: Callable[[T], None]) -> ApproveInPlaceDialog:
    """Open the dialog; ``run(email, password)`` co-signs, then ``done`` gets its answer (the
    dialog closes) or the dialog shows the error and stays for another try."""
    dialog = ApproveInPlaceDialog(summary, parent, allow_reject=False)

    def decided(_outcome: str, email: str, password: str, _comment: str) -> None:
        from teller_app.ui.error_text import friendly_message

        def finished(result: T) -> None:
            dialog.accept()
            done(result)

        ops.run(lambda: run(email, password), on_success=finished,
                on_error=lambda exc: dialog.show_error(friendly_message(exc)), parent=dialog,
                label=label, reauth=False, write=True)

    dialog.decided.connect(decided)
    dialog.open()
    return dialog
