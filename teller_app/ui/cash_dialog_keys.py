"""Where Enter goes in the cash dialog, as the screen shows it. Enter in the amount or the
purpose creates the draft (nothing is the default yet); from then on the next step is a
button, focused and drawn as the dialog's default: Confirm (the supervisor's when one must
confirm, ``CashDialogSupervisor.offer_supervisor``), then Close once the payment is confirmed.
Enter in a read-only field reaches that default, never a step no button shows. While a step
runs its button is disabled, so a second Enter does nothing. A receipt closed gives the
keyboard back to the button that had it, else to Close; the dialog closed gives it back to
what had it as the dialog opened (the card, or its Cash deposit… button)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from teller_app.ui.focus_return import FocusBackOnClose, give_focus_back

__all__ = ["FocusBackOnClose", "focus_after_receipt", "make_next_step"]


def make_next_step(button: QPushButton) -> None:
    """``button`` is what Enter does now: the dialog's default (drawn as such), focused. A
    hidden button is left alone (a step this desk does not offer)."""
    if button.isHidden():
        return
    button.setDefault(True)
    button.setFocus()


def focus_after_receipt(receipt: QDialog, back: QWidget | None, close: QPushButton) -> None:
    """When ``receipt`` closes, the keyboard goes back to ``back`` if it is a button that can
    still take it (Receipt… pressed to see it again), else to ``close``, the default once the
    payment is confirmed (no window manager, or one that activates nothing, leaves it nowhere;
    with one, the read-only purpose kept it)."""

    def closed(_result: int) -> None:
        if not close.window().isVisible():
            return
        if not (isinstance(back, QPushButton) and give_focus_back(back)):
            give_focus_back(close)

    receipt.finished.connect(closed)
