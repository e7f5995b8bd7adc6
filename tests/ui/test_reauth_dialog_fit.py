"""The "Sign in again" prompt: wide enough to read, grown (never cut) when an error line
comes, and an empty password is answered, not silently ignored."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel

from teller_app.ui.reauth_dialog import ReauthDialog

NAME = "Костянтинопольська-Вишневецька Олександра Володимирівна"


def _fits(dialog: ReauthDialog, label: QLabel) -> bool:
    """``label`` is as tall as its wrapped text needs and lies inside the dialog."""
    inside = dialog.rect().contains(label.geometry())
    return inside and label.height() >= label.heightForWidth(label.width())


def _open(qtbot) -> ReauthDialog:  # type: ignore[no-untyped-def]
    dialog = ReauthDialog(NAME)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_prompt_is_wide_and_grows_to_show_the_error_in_full(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(qtbot)
    assert dialog.width() >= 420
    assert _fits(dialog, dialog.message)
    before = dialog.height()

    dialog.show_error("The platform cannot be reached. Check the network and try again. "
                      "It said: the sign-in service is restarting, try again in a minute.")
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.height() > before,
                    timeout=3000)
    qtbot.waitUntil(lambda: _fits(dialog, dialog.message) and _fits(dialog, dialog.error),
                    timeout=3000)
    assert dialog.error.geometry().bottom() < dialog.buttons.geometry().top()


def test_an_empty_password_is_answered_next_to_the_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(qtbot)
    sent: list[str] = []
    dialog.password_entered.connect(sent.append)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.isVisible() and dialog.error.text() == "Enter your password."
    assert sent == [] and dialog.isVisible() and dialog.focusWidget() is dialog.password
    qtbot.waitUntil(lambda: _fits(dialog, dialog.error), timeout=3000)

    dialog.password.setText("typed")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert sent == ["typed"]
