"""Where the keyboard was when the desk locked, per employee, so the unlock puts it back:
after the lock screen's page is swapped out Qt hands the focus to the next control on the
page (the banner's ✕), where typing was lost and Space closed the banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from shiboken6 import isValid

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow


class FocusMemory:
    """employee guid -> the widget that had the focus when they locked (and, in a line
    edit, the cursor: a dialog shown again selects its field's text, and the next key typed
    would replace it)."""

    def __init__(self) -> None:
        self._by_employee: dict[str, tuple[QWidget, int | None]] = {}

    def remember(self, employee: str, outside: QWidget) -> None:
        """The focused widget now (not one inside ``outside``, the lock screen)."""
        focused = QApplication.focusWidget()
        if focused is not None and focused is not outside and not outside.isAncestorOf(focused):
            cursor = (focused.cursorPosition() if isinstance(focused, QLineEdit)
                      and not focused.hasSelectedText() else None)
            self._by_employee[employee] = (focused, cursor)
        else:
            self._by_employee.pop(employee, None)

    def restore(self, employee: str, home: Callable[[], None] | None) -> None:
        """Focus what ``employee`` had when they locked if it is still there and shown (its
        window brought forward), else ``home()``."""
        focused, cursor = self._by_employee.pop(employee, (None, None))
        if focused is not None and isValid(focused) and focused.isVisible() \
                and focused.isEnabled():
            top = focused.window()
            top.raise_()
            top.activateWindow()
            focused.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(focused, QLineEdit) and cursor is not None:
                focused.setCursorPosition(cursor)  # also drops the selection
        elif home is not None:
            home()


def focus_home(window: MainWindow) -> None:
    """Nothing to go back to: the search box, or the customer card or form shown, in the
    main window brought forward (the window active at the lock may be gone: a dialog closed
    meanwhile leaves no window active, or another one)."""
    window.raise_()
    window.activateWindow()
    tabs = window.tabs
    page = tabs.currentWidget()
    if tabs.currentIndex() <= 0 or page is None:
        window.search_panel.focus_search()
    else:
        page.setFocus(Qt.FocusReason.OtherFocusReason)
