"""The profile manager's Delete: confirm (saying when audit entries not yet on the hub would
be lost), then remove the profile's keyring entries, caches and outbox (``profile_wipe``)
and its record, all off the UI thread. Boxes are opened with open(), never exec().

The count of waiting entries comes while the box is shown; a Yes given before it came is
checked again by the delete itself, which stops and asks once more when entries would be
lost that the box did not mention."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from teller_app.core.instance_lock import AnotherInstanceRunning
from teller_app.ui import profile_wipe
from teller_app.ui.plural import ProfileManagerDialog

if TYPE_CHECKING:
    from teller_app.ui.profile_manager import ProfileManagerDialog as Manager


def lost_text(waiting: int) -> str:
    # a plural message: lupdate reads it only from a class's tr (ui/plural.py)
    return ProfileManagerDialog.tr(
        "%n audit entries of this profile have not reached the hub yet: deleting the "  # type: ignore[arg-type]
        "profile deletes them, and the hub will never have them.", "", waiting)  # type: ignore[arg-type]


def confirm_delete(manager: Manager, profile_name: str,
                   told: int = 0) -> QMessageBox | None:
    """Ask before deleting ``profile_name``; ``told``: waiting entries already mentioned."""
    if profile_name == _signed_in_profile(manager):
        # its cache is open in this window: wiping it would pull it from under the desk
        manager._show(QCoreApplication.translate(
            "ProfileManagerDialog", "You are signed in with the profile {name}: sign out, "
            "then delete it from the sign-in window.").format(name=profile_name), error=True)
        return None
    title = QCoreApplication.translate("ProfileManagerDialog", "Delete profile")
    question = QCoreApplication.translate("ProfileManagerDialog",
                                          "Delete the profile {name}?").format(name=profile_name)
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, manager)
    box.setObjectName("deleteProfileBox")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setInformativeText(QCoreApplication.translate(
        "ProfileManagerDialog", "Its remembered sign-ins, keys, branch cache and audit outbox "
        "are removed from this computer too."))
    shown = [told]  # waiting entries the box has said

    def counted(waiting: int) -> None:
        if waiting > shown[0]:
            shown[0] = waiting
            box.setIcon(QMessageBox.Icon.Warning)
            box.setInformativeText(lost_text(waiting))

    if told:
        counted(told)
    box.accepted.connect(lambda: delete_named(manager, profile_name, told=shown[0]))
    manager._box = box
    box.open()
    manager.ops.run(lambda: profile_wipe.audit_waiting(profile_name), on_success=counted,
                    on_error=lambda _exc: None,  # the delete counts again before it removes
                    parent=manager, key="profile-delete-count", network=False)
    return box


def delete_named(manager: Manager, profile_name: str, *, told: int = 0) -> None:
    """Delete ``profile_name`` and everything of it on this computer, unless its outbox holds
    more waiting entries than the user was told of (then ask again)."""
    emails = [p.email for p in manager.profiles if p.name == profile_name and p.email]

    async def delete() -> int:
        waiting = await profile_wipe.audit_waiting(profile_name)
        if waiting > told:
            return waiting
        await profile_wipe.wipe_profile_data(profile_name, emails)
        await asyncio.to_thread(manager.store.delete, profile_name)
        return 0

    def done(waiting: int) -> None:
        if waiting:
            confirm_delete(manager, profile_name, told=waiting)
            return
        manager._changed(None, QCoreApplication.translate(
            "ProfileManagerDialog", "Profile {name} deleted.").format(name=profile_name))

    def failed(exc: BaseException) -> None:
        if isinstance(exc, AnotherInstanceRunning):
            manager._show(QCoreApplication.translate(
                "ProfileManagerDialog", "The profile {name} is in use by another Teller: "
                "close it, then delete the profile.").format(name=profile_name), error=True)
            return
        manager._error(exc)

    manager.ops.run(delete, on_success=done, on_error=failed, parent=manager,
                    key="profiles-write", network=False)


def _signed_in_profile(manager: Manager) -> str | None:
    """The profile of the main window this manager was opened from (its session), if any."""
    widget = manager.parentWidget()
    while widget is not None:
        session = getattr(widget, "session", None)
        profile = getattr(session, "profile", None)
        if profile is not None:
            return str(profile.name)
        widget = widget.parentWidget()
    return None
