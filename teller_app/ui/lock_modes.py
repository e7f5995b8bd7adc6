"""The lock screen for every sign-in mode, and "Sign out" on it.

Unlocking checks the password where this profile signs in: the platform (Mode A, a throwaway
Kratos login) or the Teller Hub (Mode B, a throwaway hub session, closed at once). Another
employee signing in on the locked desk opens a session the same way the sign-in window does.
``add_sign_out(window)`` puts a "Sign out" button on the lock screen: the desk can be handed
over without unlocking (unsaved forms are given up, as the locked employee is not there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

if TYPE_CHECKING:
    from teller_app.core.session import Session
    from teller_app.secrets import Profile
    from teller_app.ui.main_window import MainWindow


async def verify_password(profile: Profile, email: str, password: str) -> bool:
    """True when this profile's sign-in accepts ``password`` for ``email`` (one place:
    ``core.session.verify_password``, which also revokes the throwaway session)."""
    from teller_app.core.session import verify_password as verify

    return await verify(profile, email, password)


async def open_other_session(profile: Profile, email: str, password: str) -> Session:
    from teller_app.core.session import make_auth, open_session

    return await open_session(profile, make_auth(profile, email, password))


def add_sign_out(window: MainWindow) -> QPushButton | None:
    """A small "Sign out" button last on the lock screen, after the other employee's box
    (once), and last in the Tab order. The lock screen re-texts it on a language switch."""
    from teller_app.ui.lock_screen import LockScreen

    screen = window.findChild(LockScreen)
    if screen is None or screen.sign_out_button is not None:
        return None
    button = QPushButton(screen)
    button.setObjectName("lockSignOut")
    screen.set_sign_out(button)
    screen.retranslate()

    def sign_out() -> None:
        window._discard_confirmed = True  # nobody is there to confirm: the desk is locked
        window.sign_out()

    button.clicked.connect(sign_out)
    return button
