"""A field whose value can no longer change looks it: read-only, without its box and
see-through (its text on the window's own colour, as a label's, in either theme and across a
live switch; a box kept inside its frame was hard to tell from a typing box in the dark
theme, whose two colours are close). Not disabled: the focus stays (Enter in it still does
the dialog's next step) and its text can still be selected and copied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit


def set_read_only(field: QLineEdit, read_only: bool) -> None:
    """``field`` read-only (and looking it) or editable again."""
    field.setReadOnly(read_only)
    field.setFrame(not read_only)
    if not read_only:
        field.setPalette(QPalette())  # nothing of its own: the window's palette again
        return
    palette = QPalette()
    # transparent, not the window's colour now: a theme switch would leave that stale
    palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
    field.setPalette(palette)
