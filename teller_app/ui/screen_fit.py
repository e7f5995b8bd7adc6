"""Dialogs that fit the screen whatever the font: no larger than the screen's room, grown
within it, their fields scrolling (``ui/scroll_body.py``) while their buttons stay. A
low-vision teller at 150 % and a 14 pt font on 1366x768 has 911x512 px: the till's count
dialogs were taller and wider than that, their buttons below the screen and no way to
reach them (``ui/till_dialog.py``, ``ui/till_close.py``, ``ui/till_vault_count.py``,
``ui/till_position.py``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, SignalInstance
from PySide6.QtWidgets import QDialog, QTableView, QWidget

from teller_app.ui.wrapped_text import grow_to_fit


def available_room(widget: QWidget) -> QRect:
    """The room windows have on ``widget``'s screen (its panels left out)."""
    return widget.screen().availableGeometry()


def cap_to_screen(window: QWidget) -> None:
    """``window`` no larger than its screen's room, its frame included (known once shown:
    call again on its Show and Move events)."""
    room = available_room(window)
    frame = window.frameGeometry().size() - window.size()
    most = QSize(max(room.width() - frame.width(), 1), max(room.height() - frame.height(), 1))
    if window.maximumSize() != most:
        window.setMaximumSize(most)  # a larger window shrinks to it


def grow_on_screen(window: QWidget) -> None:
    """``grow_to_fit`` within the screen's room; a window that grew past the screen's edge
    (at the bottom, say) moves back into it. A window the teller moved is left where it is
    otherwise."""
    before = window.size()
    cap_to_screen(window)
    grow_to_fit(window)
    if window.size() == before or not window.isVisible():
        return
    room, outer = available_room(window), window.frameGeometry()
    x = max(room.left(), min(outer.left(), room.right() + 1 - outer.width()))
    y = max(room.top(), min(outer.top(), room.bottom() + 1 - outer.height()))
    if QPoint(x, y) != outer.topLeft():
        window.move(x, y)


class ScreenFit:
    """Keeps a dialog on its screen: no larger than the screen's room (``cap_to_screen``),
    grown to what its texts need within it (``grow_on_screen``), and as narrow as it wants
    once its content got narrower (``narrow``: its count's coins went under its notes, and
    the width it opened at, side by side, would stand empty beside them). The dialog hands
    it each event, after its own handling."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        cap_to_screen(window)  # before it opens: Qt sizes and centres it within that

    def before_show(self) -> None:
        """Its first size, its own within the screen's room (the dialog's ``setVisible``
        calls it), not Qt's: at most 2/3 of the screen each way, which scrolled its fields
        where the screen had room for them (and kept a scroll bar's width once grown)."""
        window = self.window
        if window.testAttribute(Qt.WidgetAttribute.WA_Resized):  # sized already: kept
            return
        window.ensurePolished()
        cap_to_screen(window)
        window.resize(window.sizeHint().boundedTo(window.maximumSize()))

    def narrow_when(self, narrower: SignalInstance, changed: QWidget) -> None:
        """``narrow`` each time ``narrower`` says True (``changed`` got narrower)."""
        narrower.connect(lambda yes: self.narrow(changed) if yes else None)

    def narrow(self, changed: QWidget) -> None:
        """``changed`` got narrower: the window takes the width it now wants. The layouts
        between them are told and read again at once (else only on their next pass)."""
        widget: QWidget | None = changed
        while widget is not None and widget is not self.window:
            widget.updateGeometry()
            layout = widget.layout()
            if layout is not None:
                layout.activate()  # its nested layouts too
            widget = widget.parentWidget()
        window = self.window
        width = max(window.sizeHint().width(), window.minimumSizeHint().width())
        if width < window.width():
            window.resize(width, window.height())

    def event(self, event: QEvent) -> None:
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.Move):  # its frame known by now
            cap_to_screen(self.window)
        elif kind == QEvent.Type.LayoutRequest:
            grow_on_screen(self.window)


class ScreenFitDialog(QDialog):
    """A dialog that hands its showing and its events to its ``fit`` (a ``ScreenFit``, made
    first in its ``__init__``). Inherited first, before another dialog class it is:
    ``class TillCloseDialog(ScreenFitDialog, CosignWaitDialog)``. (A QDialog, not a QWidget
    mixin: shiboken crashed making such a window.)"""

    fit: ScreenFit

    def setVisible(self, visible: bool) -> None:
        if visible:
            self.fit.before_show()
        super().setVisible(visible)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        self.fit.event(event)  # a status wrapped to more lines: grown, on the screen
        return handled



def rows_high(table: QTableView, rows: int, *, scroll_bar: bool = False) -> int:
    """The height ``table`` shows its header and ``rows`` rows in (and, with ``scroll_bar``,
    its horizontal scroll bar): its minimum on a short window, where Qt gives a stretching
    table only that."""
    bar = table.horizontalScrollBar().sizeHint().height() if scroll_bar else 0
    return (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
            + rows * table.verticalHeader().defaultSectionSize() + bar)
