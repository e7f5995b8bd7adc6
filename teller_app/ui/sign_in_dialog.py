"""Sign-in: profile, e-mail, password, "remember on this workstation". A hub profile (Mode B)
signs in to the bank's Teller Hub; the desk never holds the bank's key.

Errors are shown inline and nothing typed is cleared except the password after a wrong
password. The embedded sandbox's demo employees are offered in a list that fills the form.
"Remember on this workstation" (keyring, machine policy): ``ui/sign_in_remember.py``.
Opened with show()/open(), never exec(): sign-in awaits the network on the qasync loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.machine_policy import read_policy
from teller_app.ui.a11y_form import tab_chain
from teller_app.ui.async_op import OpRunner
from teller_app.ui.sign_in_demo import SandboxBox, demo_item, fill_demo_list
from teller_app.ui.sign_in_remember import look_up_remembered, policy_read, store_opened
from teller_app.ui.untrusted import LatePlainLabel, shown_lines

if TYPE_CHECKING:  # the session stack loads at sign-in; profiles (pydantic) after the paint
    from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem

    from teller_app.core.session import Session
    from teller_app.secrets import SecretStore
    from teller_app.secrets.profiles import ProfileStore
    from teller_app.ui.sign_in import SignInTarget


class SignInDialog(QDialog):
    remember_allowed = True  # the machine policy's remember_sign_in (read off-thread)
    signed_in = Signal(object, object)  # (Session, SignInTarget)

    def __init__(
        self,
        targets: list[SignInTarget],
        ops: OpRunner,
        *,
        profiles: ProfileStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Teller — sign in"))
        self.targets = targets
        self.ops = ops
        self.profiles = profiles
        self.store: SecretStore | None = None
        self.session: Session | None = None

        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("profileCombo")
        self._add_target_items(targets)

        self.email = QLineEdit(self)
        self.email.setObjectName("email")
        self.email.setPlaceholderText(self.tr("name@bank.ua"))
        self.secret = QLineEdit(self)
        self.secret.setObjectName("password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_caption = QLabel(self.tr("Password"), self)
        self.remember = QCheckBox(self.tr("Remember on this workstation"), self)
        self.remember.setObjectName("remember")
        self.keyring_note = LatePlainLabel(self)  # it may quote the keyring's error
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setStyleSheet("color: #666;")
        self.keyring_note.hide()

        self.error = LatePlainLabel(self)  # it may quote the platform's or the hub's words
        self.error.setObjectName("signInError")
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.error.hide()

        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.quit_button = QPushButton(self.tr("Quit"), self)
        self.quit_button.setAutoDefault(False)  # never the default: Enter always signs in
        self.quit_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Platform"), self.profile_combo)
        form.addRow(self.tr("E-mail"), self.email)
        form.addRow(self.secret_caption, self.secret)
        form.addRow("", self.remember)
        form.addRow("", self.keyring_note)
        self.profiles_button = QPushButton(self.tr("&Profiles…"), self)
        self.profiles_button.setObjectName("profilesButton")
        self.profiles_button.setAutoDefault(False)
        self.profiles_button.clicked.connect(self.manage_profiles)
        buttons = QHBoxLayout()
        buttons.addWidget(self.profiles_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)
        self.main_layout = layout = QVBoxLayout(self)
        # on top, built for the first sandbox target
        self._sandbox = SandboxBox(self, layout, self._demo_chosen, self._tab_order)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        self._tab_order()

        self.remembered_for: str | None = None
        self.remembered_timer = QTimer(self)
        self.remembered_timer.setSingleShot(True)
        self.remembered_timer.setInterval(250)
        self.remembered_timer.timeout.connect(lambda: look_up_remembered(self))
        self.email.textChanged.connect(lambda _t: self.remembered_timer.start())
        self.profile_combo.currentIndexChanged.connect(self._target_changed)
        self.email.returnPressed.connect(self.secret.setFocus)
        self.secret.returnPressed.connect(self.submit)
        # Before set_targets/show_pending: what an unfilled form would show.
        self._pending_email: str | None = None
        self._submit_when_filled = False
        if targets:
            self._target_changed(0)

    # -- public ---------------------------------------------------------------------------
    @property
    def target(self) -> SignInTarget:
        return self.targets[max(0, self.profile_combo.currentIndex())]

    @property
    def sandbox_box(self) -> QGroupBox:  # once built (LookupError before)
        return self._sandbox.parts()[0]

    @property
    def demo_list(self) -> QListWidget:  # once built (LookupError before)
        return self._sandbox.parts()[1]

    def build_sandbox_box(self) -> None:
        """Built once, when a sandbox target is first chosen: a real platform's window never
        builds it, nor does any window before its first paint."""
        if not self._sandbox.exists:
            self._sandbox.build()  # the policy set here, not in __init__: demo_list.USER_ROLE
            self.demo_list.setHorizontalScrollBarPolicy(
                QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def show_pending(self, names: list[str], email: str) -> None:
        """The form as it will be filled, shown before the profiles are validated (the app
        paints this first, then calls set_targets): a Sign in meanwhile waits for it."""
        self._pending_email = email
        self.profile_combo.blockSignals(True)
        self.profile_combo.addItems(names)
        self.profile_combo.blockSignals(False)
        self.email.blockSignals(True)  # no remembered look-up before the store is open
        self.email.setText(email)
        self.email.blockSignals(False)
        (self.secret if email else self.email).setFocus()

    def set_targets(self, targets: list[SignInTarget]) -> None:
        """Offer ``targets`` (the first is chosen). After show_pending, what the employee
        typed meanwhile and where the keyboard focus is are kept."""
        pending_email, self._pending_email = self._pending_email, None
        typed_email, typed_secret = self.email.text(), self.secret.text()
        focused = self.focusWidget()
        self.targets = targets
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self._add_target_items(targets)
        self.profile_combo.blockSignals(False)
        if not targets:
            return
        self._target_changed(0)
        if pending_email is None:
            return
        if typed_email != pending_email:
            self.email.setText(typed_email)
        if typed_secret:
            self.secret.setText(typed_secret)
        if focused is not None:
            focused.setFocus()
        if self._submit_when_filled:
            self._submit_when_filled = False
            self.submit()

    def choose_demo(self, email: str) -> None:
        """Fill the form with the demo employee ``email`` (sandbox only; LookupError: none)."""
        item = demo_item(self.demo_list, email)
        self.demo_list.setCurrentItem(item)
        self._demo_chosen(item)

    def manage_profiles(self) -> QDialog:
        """The profile manager (ui/profile_manager*.py); saved profiles join the list."""
        from teller_app.ui.profile_manager_sign_in import open_for_sign_in

        return open_for_sign_in(self)

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def submit(self) -> None:
        if not self.targets:  # shown before it was filled (show_pending): set_targets submits
            self._submit_when_filled = True
            return
        email = self.email.text().strip()
        secret = self.secret.text()
        remembered = self.remembered_for == email.lower() and bool(email)
        if not email or not (secret or remembered):
            self._show_error(self.tr("Enter your e-mail and password."),
                             self.secret if email else self.email)
            return
        self.error.hide()
        if self.sign_in_button.hasFocus():  # it is disabled meanwhile: keep the focus here
            self.secret.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
        target = self.target
        remember = self.remember.isChecked()
        self.ops.run(
            lambda: _sign_in_or_offline(target, email, secret, remember=remember,
                                        store=self.store, profiles=self.profiles),
            on_success=lambda session: self._signed_in(session, target),
            on_error=self._failed,
            parent=self,
            label=self.tr("Signing in…"),
            key="sign-in",
            disable=[self.sign_in_button, self.profile_combo],
            reauth=False,  # the credentials are being typed right here
        )

    # -- internals ------------------------------------------------------------------------
    def _add_target_items(self, targets: list[SignInTarget]) -> None:
        for target in targets:
            label = target.profile.name
            if target.is_sandbox:
                label = self.tr("Sandbox (demo data, not a real bank)")
            self.profile_combo.addItem(label)

    def _target_changed(self, _index: int) -> None:
        target = self.target
        if target.is_sandbox:
            self.build_sandbox_box()
        if self._sandbox.exists:  # built for a sandbox target
            self.sandbox_box.setVisible(target.is_sandbox)
            fill_demo_list(self.demo_list, target)
            self._fit_demo_list()
        self.secret_caption.setText(
            self.tr("Teller Hub password") if target.uses_hub_login else self.tr("Password"))
        self.email.setText(target.profile.email)
        self.secret.clear()
        self.error.hide()
        self.store = None
        self.remembered_for = None
        profile_name = target.profile.name
        self.ops.run(
            lambda: self._open_store(target),
            on_success=lambda result: store_opened(self, profile_name, result),
            parent=self,
            label=self.tr("Opening the keyring…"),
            key="sign-in-store",
            network=False,
        )
        self.ops.run(lambda: asyncio.to_thread(read_policy),
                     on_success=lambda policy: policy_read(self, policy),
                     parent=self, label="", key="sign-in-policy", network=False)
        (self.secret if target.profile.email else self.email).setFocus()

    @staticmethod
    async def _open_store(target: SignInTarget) -> SecretStore:
        from teller_app.secrets import SecretStore  # the keyring's, after the first paint

        return await SecretStore.open(target.profile.name)

    def _tab_order(self) -> None:
        # Tab follows the screen: the demo list on top, the form, then the buttons left to right.
        demo = [self.demo_list] if self._sandbox.exists else []
        tab_chain(*demo, self.profile_combo, self.email, self.secret, self.remember,
                  self.profiles_button, self.quit_button, self.sign_in_button)

    def _fit_demo_list(self) -> None:
        self._sandbox.fit(self.main_layout.contentsMargins().left())

    def showEvent(self, event: QShowEvent) -> None:
        if self._sandbox.exists:
            self._fit_demo_list()  # polished now: the real font, style and screen
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.remembered_timer.stop()  # no keyring look-up for a window that was closed
        super().hideEvent(event)

    def fit_height(self) -> None:
        """Grow (never shrink) to show a note that appeared after the dialog was laid out."""
        width = self.width()
        layout = self.main_layout
        need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        need = max(need, layout.totalMinimumSize().height())
        if need > self.height():
            self.resize(width, need)

    def _demo_chosen(self, item: QListWidgetItem) -> None:
        from teller_app.ui.demo_list import USER_ROLE

        employee = item.data(USER_ROLE)
        self.email.setText(employee["email"])
        self.secret.setText(employee.get("password", ""))
        self.error.hide()
        self.sign_in_button.setFocus()

    def _signed_in(self, session: Session, target: SignInTarget) -> None:
        self.session = session
        self.signed_in.emit(session, target)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        """The error, and the focus in the field to fix: the e-mail for an employee who may
        not sign in, else the password (a wrong one is cleared, to be retyped)."""
        from teller_app.platform import AuthError, PermissionDenied
        from teller_app.ui.error_text import sign_in_message

        refused = isinstance(exc, PermissionDenied) or (
            isinstance(exc, AuthError) and exc.reason == "disabled")
        if isinstance(exc, AuthError) and not refused:
            self.secret.clear()  # a wrong password is retyped; the e-mail stays
        self._show_error(sign_in_message(exc), self.email if refused else self.secret)

    def show_reason(self, text: str) -> None:
        """Why the desk came back here by itself (an automatic sign-out), shown as an error."""
        self._show_error(text, self.secret)

    def _show_error(self, text: str, field: QLineEdit | None = None) -> None:
        self.error.setText(shown_lines(text))
        self.error.show()
        self.sign_in_button.setDefault(True)  # Enter signs in again
        if field is not None:
            field.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
            if field is self.email:
                field.selectAll()


async def _sign_in_or_offline(target: SignInTarget, email: str, secret: str, *,
                              remember: bool, store: SecretStore | None,
                              profiles: ProfileStore | None = None) -> Session:
    # Imported when the teller signs in: it loads the session and HTTP stack, which the
    # dialog does not need to be painted.
    from teller_app.ui.offline_start import sign_in_or_offline

    return await sign_in_or_offline(target, email, secret, remember=remember, store=store,
                                    profiles=profiles)
