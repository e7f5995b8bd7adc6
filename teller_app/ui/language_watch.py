"""A live language switch for a window's plug-ins.

``settings.switch_language`` replaces the translators and Qt sends LanguageChange to every
widget. A plug-in that puts menus, actions or dock titles on the main window is a QObject,
not a widget, so it never gets that event itself: ``watch_language`` calls its
``retranslate`` when the window gets it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class LanguageWatch(QObject):
    def __init__(self, window: QWidget, retranslate: Callable[[], None]) -> None:
        super().__init__(window)  # lives and dies with the window
        self._retranslate = retranslate
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        return False  # the window (and the desk's own filter) still get it


def watch_language(window: QWidget, retranslate: Callable[[], None]) -> LanguageWatch:
    return LanguageWatch(window, retranslate)
