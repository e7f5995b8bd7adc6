"""A user with no profile on a machine whose policy turns the embedded demo off
(``core/machine_policy.py``): a message to ask IT, with a way on (the profile manager, try
again once IT has deployed the profiles, quit), and never the sandbox."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from teller_app.secrets import ProfileStore


def no_profile(controller: Any, store: ProfileStore | None) -> QMessageBox | None:
    """Say so; the controller's start-up resumes from the user's choice. The smoke test
    (which needs the demo) ends with the message instead."""
    text = QCoreApplication.translate(
        "NoProfile", "No platform profile is set up for you on this computer, and your IT "
        "department has turned the demo off here. Ask IT (or whoever manages Teller profiles "
        "in your bank) for a profile.")
    if controller.args.smoke_test:
        print(text, file=sys.stderr, flush=True)
        controller.quit(2)
        return None
    box = QMessageBox(QMessageBox.Icon.Information, QCoreApplication.translate(
        "NoProfile", "Teller — no profile"), text)
    box.setObjectName("noProfile")
    box.setInformativeText(QCoreApplication.translate(
        "NoProfile", "With the profile's details you can add it yourself under Profiles…; "
        "once IT has set the profiles up for this computer, choose Try again."))
    role = QMessageBox.ButtonRole
    manage = box.addButton(QCoreApplication.translate(
        "NoProfile", "&Profiles…"), role.ActionRole)
    manage.setObjectName("manageProfiles")
    again = box.addButton(QCoreApplication.translate("NoProfile", "&Try again"),
                          role.AcceptRole)
    again.setObjectName("retryProfiles")
    leave = box.addButton(QCoreApplication.translate("NoProfile", "&Quit"), role.RejectRole)
    leave.setObjectName("quitProfiles")
    box.setDefaultButton(again)

    def chosen(button: QAbstractButton) -> None:
        if button is manage:
            _manage(controller, store or ProfileStore())
        elif button is again:
            controller.ops.run(controller.start, network=False, reauth=False)
        else:
            controller.quit(2)

    box.buttonClicked.connect(chosen)
    controller.no_profile_box = box
    box.open()
    return box


def _manage(controller: Any, store: ProfileStore) -> None:
    from teller_app.ui.profile_manager_recovery import manage_then_start

    controller.no_profile_dialog = manage_then_start(controller, store)
