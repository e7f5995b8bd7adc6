"""An unreadable profiles file at start-up is an error with a way out, never a silent
fallback to the sandbox (a production desk must not take cash into the simulator).

The box offers: reset (the broken file is kept as ``profiles.json.broken-<time>`` for IT)
and open the profile manager; try again (after fixing the file); quit."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from teller_app.secrets import ProfileStore
from teller_app.ui import profile_manager_io as pio
from teller_app.ui.error_text import safe_text

if TYPE_CHECKING:
    from teller_app.ui.profile_manager import ProfileManagerDialog


def unreadable_profiles(controller: Any, store: ProfileStore,
                        exc: BaseException) -> QMessageBox:
    """Show the error; the controller's start-up resumes from the user's choice."""
    text = QCoreApplication.translate(
        "ProfileRecovery", "The profiles file {path} cannot be read, so Teller does not "
        "know which platform to connect to. It will not fall back to the sandbox."
        ).format(path=str(store.path))
    title = QCoreApplication.translate(
        "ProfileRecovery", "Teller — profiles file unreadable")
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setObjectName("profilesUnreadable")
    # what went wrong in the administrator's language; the parser's own (English) words are
    # for IT, under "Show Details…"
    box.setInformativeText(
        QCoreApplication.translate(
            "ProfileRecovery", "The file could not be opened or written (its permissions, "
            "the disk).") if isinstance(exc, OSError) else
        QCoreApplication.translate(
            "ProfileRecovery", "The file is damaged or is not a Teller profiles file."))
    box.setDetailedText(safe_text(exc)[:400])
    role = QMessageBox.ButtonRole
    reset = box.addButton(QCoreApplication.translate(
        "ProfileRecovery", "&Reset and manage profiles…"), role.ActionRole)
    reset.setObjectName("resetProfiles")
    again = box.addButton(QCoreApplication.translate(
        "ProfileRecovery", "&Try again"), role.AcceptRole)
    again.setObjectName("retryProfiles")
    leave = box.addButton(QCoreApplication.translate(
        "ProfileRecovery", "&Quit"), role.RejectRole)
    leave.setObjectName("quitProfiles")
    box.setDefaultButton(leave)

    def chosen(button: QAbstractButton) -> None:
        if button is reset:
            controller.ops.run(lambda: asyncio.to_thread(pio.backup_and_reset, store),
                               on_success=lambda backup: _manage(controller, store, backup),
                               on_error=lambda e: unreadable_profiles(controller, store, e),
                               network=False)
        elif button is again:
            controller.ops.run(controller.start, network=False, reauth=False)
        else:
            controller.quit(2)

    box.buttonClicked.connect(chosen)
    controller.recovery_box = box
    box.open()
    return box


def _manage(controller: Any, store: ProfileStore, backup: Any) -> None:
    dialog = manage_then_start(controller, store)
    dialog._show(QCoreApplication.translate(
        "ProfileRecovery", "The unreadable file was kept as {path}. Add or import the "
        "profiles, then close this window to sign in.").format(path=str(backup)))
    controller.recovery_dialog = dialog


def manage_then_start(controller: Any, store: ProfileStore) -> ProfileManagerDialog:
    """The profile manager; once it closes, the controller's start-up runs again."""
    from teller_app.ui.profile_manager import open_profile_manager

    dialog = open_profile_manager(controller.ops, store)
    dialog.finished.connect(
        lambda _r: controller.ops.run(controller.start, network=False, reauth=False))
    return dialog
