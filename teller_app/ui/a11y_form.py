"""Form rows the accessible way: every input gets a buddy label (Alt+letter focuses it) and
an accessible name, so screen readers and keyboard users reach it. Used by the desk's own
dialogs (profile manager, settings)."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget


def plain(text: str) -> str:
    """A label's text without its mnemonic ampersands (for accessible names)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":")


def add_row(form: QFormLayout, text: str, field: QWidget | QLayout,
            focus: QWidget | None = None) -> QLabel:
    """``form.addRow(label, field)`` with the label as the buddy of ``focus`` (default
    ``field``) and the label's text as ``focus``'s accessible name."""
    target = focus if focus is not None else field
    label = QLabel(text)
    if isinstance(target, QWidget):
        label.setBuddy(target)
        target.setAccessibleName(plain(text))
    form.addRow(label, field)
    return label


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    widget.setAccessibleName(plain(text))
    if description:
        widget.setAccessibleDescription(description)
    return widget


def tab_chain(*widgets: QWidget) -> None:
    """Tab goes through ``widgets`` in this order (as they sit on screen)."""
    for before, after in pairwise(widgets):
        QWidget.setTabOrder(before, after)
