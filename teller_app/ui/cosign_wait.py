"""What a count dialog shares when its count may wait for a supervisor's co-sign (the till's
close past the tolerance, a vault count that differs from the book): the reason the count
differs, what it waits for, a status line, and two buttons shown only while it waits:
"Check the co-sign" and the in-place co-sign.

Every text comes in already translated by the dialog itself (``self.tr`` there), so each
keeps its own translation context; nothing here is translated."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.untrusted import plain_label, shown_lines


class CosignWaitDialog(QDialog):
    """A subclass builds its form in this order, which is also the Tab order: its count,
    ``add_reason_and_status``, its own buttons, ``cosign_button_box``; then the reason, what
    the count waits for, the status and the buttons last (under its scrolling body:
    ``ui/scroll_body``). It answers ``refresh`` and ``open_cosign_here``."""

    reason: QLineEdit
    status: QLabel
    cosign_status: QLabel  # what the count waits for (kept while typing)
    refresh_button: QPushButton
    cosign_button: QPushButton

    def __init__(self, parent: QWidget | None, *, can_cosign_here: bool) -> None:
        super().__init__(parent)
        self.can_cosign_here = can_cosign_here
        self.cosign_dialog: ApproveInPlaceDialog | None = None

    def add_reason_and_status(self, reason_name: str, cosign_status_name: str) -> None:
        self.reason = QLineEdit(self)
        self.reason.setObjectName(reason_name)
        self.reason.setMaxLength(300)
        self.status = plain_label(QLabel(self))  # a server's words may be quoted: never markup
        self.cosign_status = plain_label(QLabel(self))
        self.cosign_status.setObjectName(cosign_status_name)

    def cosign_button_box(self, own: tuple[QPushButton, ...], check_text: str,
                          here_text: str, *,
                          hidden: tuple[QPushButton, ...] = ()) -> QDialogButtonBox:
        """Close, the dialog's ``own`` buttons, then "Check the co-sign" and the in-place
        co-sign, hidden until the count waits (with those of ``own`` it keeps ``hidden``)."""
        self.refresh_button = QPushButton(check_text, self)
        self.cosign_button = QPushButton(here_text, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        for button in (*own, self.refresh_button, self.cosign_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        # Hidden after adding (addButton shows them), in this order: the box re-lays its
        # buttons out (and their Tab order) on each.
        for button in (*hidden, self.refresh_button, self.cosign_button):
            button.hide()
        buttons.rejected.connect(self.reject)
        self.refresh_button.clicked.connect(self.refresh)
        self.cosign_button.clicked.connect(self.open_cosign_here)
        return buttons

    def ask_reason(self, difference: Decimal, send: QPushButton, text: str) -> None:
        """A count that differs is sent only with its reason; ``text`` asks for it."""
        needs_reason = difference != 0 and not self.reason.text().strip()
        send.setEnabled(not needs_reason)
        self.status.setText(text if needs_reason else "")

    def show_waiting(self, text: str) -> QPushButton:
        """The count waits: ``text`` says for what. Returns the button to press next."""
        self.cosign_status.setText(text)
        self.refresh_button.show()
        self.cosign_button.setVisible(self.can_cosign_here)
        return self.cosign_button if self.can_cosign_here else self.refresh_button

    def refresh(self) -> None:
        """Has the supervisor co-signed (at their own desk)?"""
        raise NotImplementedError

    def open_cosign_here(self) -> None:
        """The supervisor types their credentials here and co-signs the count shown."""
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self.status.setText(shown_lines(friendly_message(exc)))
