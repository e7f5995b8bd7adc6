"""Session expiry on the main window: ask for the password in place (one prompt for every op
that hit the expiry), then run the waiting ops again. A locked desk is asked once it is
unlocked (a prompt would cover the lock screen, and nobody is there); if another employee
signs in on the lock screen instead, the waiting ops give up (never run as that employee).
A mixin of ``MainWindow``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMainWindow

from teller_app.core.session import Session
from teller_app.platform import HubLogin, PasswordLogin
from teller_app.ui.async_op import OpRunner
from teller_app.ui.error_text import sign_in_message
from teller_app.ui.lock_privacy import desk_locker
from teller_app.ui.session_info import describe_employee, session_client

if TYPE_CHECKING:
    from teller_app.ui.reauth_dialog import ReauthDialog


class MainWindowReauth(QMainWindow):
    # set by MainWindow.__init__
    session: Session
    ops: OpRunner
    _reauth_dialog: ReauthDialog | None
    _reauth_waiting: list[tuple[Callable[[], None], Callable[[], None]]]
    _reauth_after: str | None = None  # locked: the employee (guid) the prompt waits for

    # -- session expiry: ask for the password in place, then run the pending ops again ------
    def _reauthenticate(self, _exc: BaseException, retry: Callable[[], None],
                        give_up: Callable[[], None]) -> bool:
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

        dialog = self._reauth_dialog = ReauthDialog(describe_employee(self.session), self)
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
        self.ops.run(login, on_success=lambda _r: self._reauth_done(),
                     on_error=lambda exc: dialog.show_error(sign_in_message(exc)),
                     parent=dialog, reauth=False,
                     label=QCoreApplication.translate("MainWindow", "Signing in again…"))

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
