"""Saying a message to a screen reader where it appears, without moving the focus: a banner,
a refusal under a field (what the web calls a live region). The teller's focus stays where
it was; a screen reader would otherwise say nothing of a message it did not land on.

Qt 6.8 has an announcement event for it; an older Qt (the desk takes 6.7) gets a NameChanged
event of the label showing the message, which a screen reader may read as the label's new
text. A field's own error is its accessible description (``describe``): what a screen reader
says after the field's name when it lands on it."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QWidget

ANNOUNCEMENT = getattr(QtGui, "QAccessibleAnnouncementEvent", None)  # Qt >= 6.8


def announce(source: QWidget, text: str, *, urgent: bool = False) -> None:
    """Have a screen reader say ``text``, shown by ``source``: after what it is saying, or at
    once when ``urgent`` (an error the teller must not miss). Nothing when ``text`` is
    empty."""
    if not text:
        return
    if ANNOUNCEMENT is not None:
        event = ANNOUNCEMENT(source, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if urgent
                            else QAccessible.AnnouncementPoliteness.Polite)
        _send(event)
    else:
        _send(QAccessibleEvent(source, QAccessible.Event.NameChanged))


def describe(field: QWidget, error: str) -> None:
    """``field``'s accessible description is the error shown for it ("" once it is fixed).
    Qt tells a screen reader of the change (DescriptionChanged)."""
    if field.accessibleDescription() != error:
        field.setAccessibleDescription(error)


def _send(event: QAccessibleEvent) -> None:
    """Hand the event to the screen reader (nothing happens while none listens)."""
    QAccessible.updateAccessibility(event)
