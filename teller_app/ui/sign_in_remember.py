"""The sign-in dialog's "Remember on this workstation": IT's machine policy (it may forbid
remembering), the keyring store opened for the chosen profile (a note when it keeps secrets
for this session only), and the look-up of whether the employee typed has a remembered session
here. Strings keep the ``SignInDialog`` translation context (they were ``SignInDialog.tr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from teller_app.ui.untrusted import shown_lines

if TYPE_CHECKING:
    from teller_app.core.machine_policy import MachinePolicy
    from teller_app.secrets import SecretStore
    from teller_app.ui.sign_in_dialog import SignInDialog


def policy_read(dialog: SignInDialog, policy: MachinePolicy) -> None:
    """IT's machine policy may forbid "Remember" (a shared PC): the box goes."""
    dialog.remember_allowed = policy.remember_sign_in
    if not policy.remember_sign_in:
        dialog.remember.setChecked(False)
        dialog.remember.setEnabled(False)
        dialog.remember.hide()


def look_up_remembered(dialog: SignInDialog) -> None:
    """Whether the employee typed has a remembered session here (nothing is pre-filled:
    the secret field stays empty, and another employee's entry is never read)."""
    store, target, email = dialog.store, dialog.target, dialog.email.text().strip()
    if store is None:
        return
    from teller_app.ui.sign_in import read_remembered

    dialog.ops.run(
        lambda: read_remembered(store, target, email),
        on_success=lambda token: remembered_known(dialog, email, bool(token)),
        parent=dialog,
        label="",
        key="sign-in-remembered",
        network=False,
    )


def remembered_known(dialog: SignInDialog, email: str, remembered: bool) -> None:
    if email != dialog.email.text().strip():
        return  # typed on meanwhile: a newer look-up follows
    dialog.remembered_for = email.lower() if remembered else None
    dialog.remember.setChecked(remembered)  # off unless this employee chose it before
    dialog.secret.setPlaceholderText(
        QCoreApplication.translate(
            "SignInDialog", "Remembered on this workstation: leave empty to sign in")
        if remembered else "")


def store_opened(dialog: SignInDialog, profile_name: str, store: SecretStore) -> None:
    if profile_name != dialog.target.profile.name:
        return
    dialog.store = store
    if store.persistent:
        dialog.keyring_note.hide()
        dialog.remember.setEnabled(dialog.remember_allowed)
    else:
        dialog.remember.setChecked(False)
        dialog.remember.setEnabled(False)
        from teller_app.ui.keyring_note import keyring_note_text

        dialog.keyring_note.setText(shown_lines(keyring_note_text(store.unavailable_reason)))
        dialog.keyring_note.show()
        dialog.fit_height()
    look_up_remembered(dialog)
