"""Session expiry on the main window: ask for the password in place (one prompt for every op
that hit the expiry), then run the waiting ops again. A locked desk is asked once it is
unlocked (a prompt would cover the lock screen, and nobody is there); if another employee
signs in on the lock screen instead, the waiting ops give up (never run as that employee).
A desk that started offline is different: when the platform answers again and refuses the
stored password (reset) or the employee (disabled), the offline verifier is deleted and the
desk signs out, never asking for a password in place. A refused re-login deletes the
verifier too. A mixin of ``MainWindow``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMainWindow

from teller_app.core.session import Session
from teller_app.platform import AuthError, HubLogin, PasswordLogin
from teller_app.ui.async_op import OpRunner
from teller_app.ui.error_text import is_wrong_credentials, sign_in_message
from teller_app.ui.lock_privacy import desk_locker
from teller_app.ui.session_info import NAME_SHOWN_MAX, employee_name, session_client
from teller_app.ui.untrusted import shown

if TYPE_CHECKING:
    from teller_app.ui.reauth_dialog import ReauthDialog


class MainWindowReauth(QMainWindow):
    # set by MainWindow.__init__
    session: Session
    ops: OpRunner
    _reauth_dialog: ReauthDialog | None
    _reauth_waiting: list[tuple[Callable[[], None], Callable[[], None]]]
    _reauth_after: str | None = None  # locked: the employee (guid) the prompt waits for
    _offline_refusal_seen = False  # an offline start's password was refused: signing out
    sign_out_reason = ""  # why the desk signed itself out (translated), for the sign-in window
    _discard_confirmed: bool

    # -- session expiry: ask for the password in place, then run the pending ops again ------
    def _reauthenticate(self, exc: BaseException, retry: Callable[[], None],
                        give_up: Callable[[], None]) -> bool:
        from teller_app.ui.offline_start import is_refusal

        if self.session.started_offline and is_refusal(exc):
            self._offline_refused()
            return False  # the op gives up; the desk signs out
        client = session_client(self.session)
        if not isinstance(client.auth, PasswordLogin | HubLogin):
            return False  # bank JWT logins have no password to ask for
        self._reauth_waiting.append((retry, give_up))
        if self._reauth_dialog is not None or self._reauth_after is not None:
            return True  # one prompt for every op that hit the expiry
        locker = desk_locker(self)
        if locker is not None and locker.is_locked:
            self._reauth_after = locker.employee_guid()
            locker.unlocked.connect(self._reauth_unlocked,
                                    Qt.ConnectionType.SingleShotConnection)
            return True
        self._open_reauth_prompt()
        return True

    def _reauth_unlocked(self, guid: str) -> None:
        waited_for, self._reauth_after = self._reauth_after, None
        if guid == waited_for:
            self._open_reauth_prompt()
        else:
            self._reauth_cancelled()  # the ops of the employee who left give up

    def _open_reauth_prompt(self) -> None:
        from teller_app.ui.reauth_dialog import ReauthDialog

        name = shown(employee_name(self.session), NAME_SHOWN_MAX)  # not the role or branch
        dialog = self._reauth_dialog = ReauthDialog(name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.password_entered.connect(self._reauth_with)
        dialog.rejected.connect(self._reauth_cancelled)
        dialog.open()

    def _reauth_with(self, password: str) -> None:
        client = session_client(self.session)
        auth = client.auth
        if not isinstance(auth, PasswordLogin | HubLogin):
            return  # _reauthenticate asked only for these
        email = auth.email

        async def login() -> None:
            stale = client.auth
            client.auth = (HubLogin(stale.hub, email, password) if isinstance(stale, HubLogin)
                           else PasswordLogin(email, password))
            try:
                await client.login()
            except BaseException:
                client.auth = stale
                raise

        dialog = self._reauth_dialog
        if dialog is None:
            return
        def refused(exc: BaseException) -> None:
            dialog.show_error(reauth_refusal_text(exc))
            self._forget_verifier_if_refused(exc, email)

        self.ops.run(login, on_success=lambda _r: self._reauth_done(),
                     on_error=refused,
                     parent=dialog, reauth=False,
                     label=QCoreApplication.translate("MainWindow", "Signing in again…"))

    def _forget_verifier_if_refused(self, exc: BaseException, email: str,
                                    then: Callable[[str], None] | None = None) -> None:
        """The platform refused this employee: this desk no longer vouches for them
        offline (the keyring is off the UI thread); ``then`` runs once that is done, with
        what to tell the user when the keyring failed ("" when it did not)."""
        from teller_app.ui.offline_start import (
            VerifierNotForgotten,
            forget_offline_verifier,
            is_refusal,
        )

        if not is_refusal(exc):
            return
        from teller_app.secrets import SecretStore

        profile_name = self.session.profile.name

        async def forget() -> None:
            await forget_offline_verifier(await SecretStore.open(profile_name), email)

        def done(_result: object) -> None:
            if then is not None:
                then("")

        def failed(error: BaseException) -> None:
            note = (verifier_not_forgotten_text(error)
                    if isinstance(error, VerifierNotForgotten) else "")
            if then is not None:
                then(note)
            elif note:
                banner = getattr(self, "banner", None)
                if banner is not None:
                    banner.show_message(note, "warning")

        self.ops.run(forget, on_success=done, on_error=failed, network=False, reauth=False,
                     label="", key="forget-offline-verifier")

    def _offline_refused(self) -> None:
        """The desk started offline and the platform, reachable again, refused the stored
        password or the employee: forget the verifier, then sign out (an explicit sign-out:
        unsaved input cannot be sent by a refused employee anyway)."""
        if getattr(self, "_closing_for_sign_out", False) or self._offline_refusal_seen:
            return
        self._offline_refusal_seen = True

        def sign_out(note: str) -> None:
            self._discard_confirmed = True  # nothing of theirs can be saved any more
            self.sign_out_reason = QCoreApplication.translate(
                "MainWindow", "You were signed out: the platform no longer accepts the "
                "password this desk started offline with. Sign in with your current password.")
            if note:
                self.sign_out_reason += "\n" + note
            leave = getattr(self, "sign_out", None)
            if callable(leave):
                leave()

        self._forget_verifier_if_refused(AuthError("refused", reason="invalid_credentials"),
                                         self.session.employee.email, then=sign_out)

    def _reauth_done(self) -> None:
        dialog, self._reauth_dialog = self._reauth_dialog, None
        waiting, self._reauth_waiting = self._reauth_waiting, []
        if dialog is not None:
            dialog.rejected.disconnect(self._reauth_cancelled)
            dialog.accept()
        for retry, _give_up in waiting:
            retry()

    def _reauth_cancelled(self) -> None:
        self._reauth_dialog = None
        waiting, self._reauth_waiting = self._reauth_waiting, []
        for _retry, give_up in waiting:
            give_up()


def reauth_refusal_text(exc: BaseException) -> str:
    """The prompt asks only for a password: a refused one is "Wrong password." (the lock
    screen's words and translation, not sign-in's "wrong e-mail or password"); a disabled
    employee or an unreachable platform is said as at sign-in."""
    if is_wrong_credentials(exc):
        return QCoreApplication.translate("SessionLocker", "Wrong password.")
    return sign_in_message(exc)


def verifier_not_forgotten_text(exc: BaseException) -> str:
    """What the user (and IT) are told when the keyring failed to delete a refused
    employee's offline verifier (no secret, no keyring detail: those are in the log)."""
    if getattr(exc, "recorded", True):
        return QCoreApplication.translate(
            "MainWindow", "The system keyring could not delete this desk's offline sign-in "
            "for you. Offline sign-in stays refused for you on this desk; tell IT if this "
            "message comes back.")
    return QCoreApplication.translate(
        "MainWindow", "The system keyring could not delete this desk's offline sign-in for "
        "you, and the refusal could not be saved on disk. Offline sign-in stays refused for "
        "you until this desk quits: tell IT now.")
