"""The "Sign in again" prompt's password field is named for screen readers, as every field
of the desk is (it has no label of its own beside it)."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication

from teller_app.ui.a11y import tie_labels
from teller_app.ui.reauth_dialog import ReauthDialog


def test_the_password_field_has_an_accessible_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ReauthDialog("Мельник Оксана")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    tie_labels(dialog)  # what the desk does for every window it activates
    assert dialog.password.accessibleName() == "Password"
    interface = QAccessible.queryAccessibleInterface(dialog.password)
    assert interface is not None
    assert interface.text(QAccessible.Text.Name) == "Password"
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.password, timeout=3000)
