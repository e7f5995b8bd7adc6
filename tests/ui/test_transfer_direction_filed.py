"""A filed vault transfer's direction reads as its amount does: read-only text on the window's
colour, not a greyed choice; no key press or click changes it, and a screen reader gets its
words as the field's value. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QAccessible, QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_transfer import TransferDialog

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-transfer-direction")

# what could change a choice: arrows, paging, its list (F4, Alt+Down), a letter, Space, typing
KEYS = [(Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Up, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_PageDown, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)]


@pytest.fixture()
def teller(arun: Any, stack: Any) -> Any:
    """The teller's session with a till open (a transfer is asked for an open till)."""
    session = hub_session(arun, stack, TELLER)
    cash = hub_cash(session)
    assert cash is not None
    if arun(cash.till.current()) is None:
        open_cosigned_till(arun, stack, cash.till, session, f"T{uuid.uuid4().hex[:5]}",
                           {"note_100": 30})
    return session


def _direction_field(dialog: TransferDialog) -> QWidget:
    """What the "Direction" label names (its buddy): the field a reader and Alt+letter reach."""
    caption = QCoreApplication.translate("TransferDialog", "Direction")
    labels = [label for label in dialog.findChildren(QLabel) if label.text() == caption]
    assert len(labels) == 1
    buddy = labels[0].buddy()
    assert buddy is not None
    return buddy


def _fill(dialog: TransferDialog, field: QWidget) -> QColor:
    """The colour inside ``field`` where no text is (its right end), as drawn in the dialog."""
    image = dialog.grab().toImage()
    ratio = image.devicePixelRatio()
    spot = field.mapTo(dialog, QPoint(field.width() - 6, field.height() // 2))
    return image.pixelColor(int(spot.x() * ratio), int(spot.y() * ratio))


def _shown_value(field: QWidget) -> str:
    if isinstance(field, QLineEdit):
        return field.text()
    return str(getattr(field, "currentText", lambda: "")())


def test_a_filed_direction_reads_as_the_amount_and_cannot_change(
        teller: Any, qtbot: Any, ops: Any) -> None:
    cash = hub_cash(teller)
    assert cash is not None
    dialog = TransferDialog(ops, cash.till)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    dialog.direction.setCurrentIndex(dialog.direction.findData("to_vault"))
    words = dialog.direction.currentText()
    dialog.amount.setText("150")
    with qtbot.waitSignal(dialog.requested, timeout=15000, raising=False) as filed:
        dialog.send.click()
    assert filed.signal_triggered, dialog.status.text()
    assert filed.args[0].direction == "to_vault"

    field = _direction_field(dialog)
    assert field.isVisible() and _shown_value(field) == words
    # not greyed: on, read-only and with the amount's look (no frame, the window's colour)
    assert field.isEnabled()
    assert isinstance(field, QLineEdit) and field.isReadOnly() and not field.hasFrame()
    assert dialog.amount.isReadOnly() and not dialog.amount.hasFrame()
    window = dialog.palette().color(QPalette.ColorRole.Window)
    assert window != dialog.palette().color(QPalette.ColorRole.Base)  # the looks differ
    qtbot.waitUntil(lambda: _fill(dialog, field) == window == _fill(dialog, dialog.amount),
                    timeout=3000)
    assert field.palette().color(QPalette.ColorRole.Text) == \
        dialog.amount.palette().color(QPalette.ColorRole.Text)
    # a screen reader: named "Direction", the direction's words as its value
    reader = QAccessible.queryAccessibleInterface(field)
    assert reader is not None
    assert reader.text(QAccessible.Text.Name) == QCoreApplication.translate("TransferDialog",
                                                                            "Direction")
    assert reader.text(QAccessible.Text.Value) == words
    assert not reader.state().disabled
    # no key or click changes it; the choice it replaced is nowhere to be reached
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    for key, modifier in KEYS:
        qtbot.keyClick(field, key, modifier)
        assert _shown_value(field) == words, key
        assert QApplication.activePopupWidget() is None
    qtbot.keyClicks(field, "x")
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(field, Qt.MouseButton.LeftButton)
    assert QApplication.activePopupWidget() is None
    assert _shown_value(field) == words
    assert not dialog.direction.isVisible() and dialog.direction.currentData() == "to_vault"
    dialog.reject()
