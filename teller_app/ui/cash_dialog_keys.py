"""Where Enter goes in the cash dialog, as the screen shows it. Enter in the amount or the
purpose creates the draft (nothing is the default yet); from then on the next step is a
button, focused and drawn as the dialog's default: Confirm (the supervisor's when one must
confirm, ``CashDialogSupervisor.offer_supervisor``), then Close once the payment is confirmed.
Enter in a read-only field reaches that default, never a step no button shows. While a step
runs its button is disabled, so a second Enter does nothing. A receipt closed gives the
keyboard back to the button that had it, else to Close; the dialog closed gives it back to
what had it as the dialog opened (the card, or its Cash deposit… button)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

from teller_app.ui.focus_return import focus_before, give_focus_back


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


class FocusBackOnClose(QObject):
    """Remembers what has the keyboard as ``dialog`` is first shown (``focus_before``) and,
    once it finishes (Close, Esc, the ×), gives it back there: no window manager, or one that
    activates nothing when a dialog closes, left it nowhere and the next keys were lost. Only
    when the keys went nowhere (or stayed in the closed dialog): keys already elsewhere stay.
    Gone meanwhile (a card closed), the window under the dialog is activated instead."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._before: QWidget | None = None
        self._shown = False
        dialog.installEventFilter(self)
        dialog.finished.connect(self._closed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._dialog and event.type() == QEvent.Type.Show and not self._shown:
            self._shown = True  # before it takes the focus (its window is activated later)
            self._before = focus_before(self._dialog.parentWidget())
        return False

    def _closed(self, _result: int) -> None:
        focused = QApplication.focusWidget()
        if focused is not None and focused.isVisible() and not self._holds(focused):
            return
        if give_focus_back(self._before):
            return
        parent = self._dialog.parentWidget()
        if parent is not None and parent.window().isVisible():
            parent.window().activateWindow()

    def _holds(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self._dialog:
                return True
            widget = widget.parentWidget()
        return False
