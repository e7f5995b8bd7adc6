"""The sign-in dialog's note when the OS keyring cannot keep the password (by reason)."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

# SecretStore.unavailable_reason is English text for the log; these are the known ones.
_FILE_KEYRING = re.compile(r"^the only keyring found \((?P<name>[^)]*)\) stores secrets in a file")
_KEYRING_FAILED = re.compile(r"^the OS keyring failed \((?P<error>[^)]*)\)")


def keyring_note_text(reason: str | None) -> str:
    """The sign-in dialog's note when secrets can only be kept in memory, by reason."""
    translate = QCoreApplication.translate
    reason = (reason or "").strip()
    if not reason or reason == "no OS keyring is available":
        return translate("SignInDialog", "No OS keyring is available: the password is kept "
                         "for this session only.")
    if reason == "the OS keyring did not answer in time":
        return translate("SignInDialog", "The OS keyring did not answer in time: the password "
                         "is kept for this session only.")
    if match := _FILE_KEYRING.match(reason):
        return translate("SignInDialog", "The only keyring found ({name}) keeps secrets in a "
                         "plain file, so it is not used: the password is kept for this session "
                         "only.").format(name=match["name"])
    if match := _KEYRING_FAILED.match(reason):
        return translate("SignInDialog", "The OS keyring reported an error ({error}): the "
                         "password is kept for this session only.").format(error=match["error"])
    return translate("SignInDialog", "The OS keyring cannot be used ({reason}): the password "
                     "is kept for this session only.").format(reason=reason)
