"""Input on the desk's windows counted as activity for the idle lock (``ui/lock_screen``'s
``SessionLocker`` installs it on each top-level window)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from teller_app.core.idle import IdleTracker

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleEventFilter(QObject):
    """Counts keyboard/mouse input on the windows it is installed on as activity.

    It is installed on top-level ``QWindow`` objects (the main window and every dialog that
    takes focus), never on the application: every input event passes through its window
    first, so nothing is missed, while the filter only ever sees live windows (never widgets
    in the middle of their destruction) and no other object's events. Its C++ parent is the
    ``SessionLocker`` (so Qt, not a garbage collection on some worker thread, destroys it, on
    the GUI thread), which also keeps the Python reference and removes it from every window
    deterministically in ``stop()``.
    """

    def __init__(self, tracker: IdleTracker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tracker = tracker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        try:
            if event.type() in INPUT_EVENTS:
                self.tracker.touch()
        except Exception:  # an event filter must never raise into Qt's dispatch
            pass
        return False
