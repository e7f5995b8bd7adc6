"""Profile manager: add, edit, duplicate and delete platform profiles, export/import them
without secrets, and "Test connection" with the integration doctor's checks.

Reachable from the sign-in window ("Profiles…") and the main window (Tools menu). The profiles
file is read and written off the UI thread, the checks run through ``ops`` (never blocking),
the password typed here only tests the connection and is never kept; a proxy password typed
into the proxy URL goes to the OS keyring (``ProfileStore``). Opened with show()/open().
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.audit import OUTBOX_KEY
from teller_app.core.doctor_checks import Check
from teller_app.secrets import Profile, ProfileStore, ProxyPasswordNotKept, SecretStore
from teller_app.ui import profile_delete, theme
from teller_app.ui import profile_manager_io as pio
from teller_app.ui.a11y_form import name
from teller_app.ui.async_op import OpRunner
from teller_app.ui.error_text import safe_text
from teller_app.ui.profile_check_results import CheckResultsTable
from teller_app.ui.profile_manager_check import test_profile
from teller_app.ui.profile_manager_form import ProfileForm
from teller_app.ui.untrusted import plain_label, shown_lines


class ProfileManagerDialog(QDialog):
    profiles_changed = Signal()
    checks_done = Signal(list)  # list[Check]
    loaded = Signal()  # the list shows the profiles file

    def __init__(self, ops: OpRunner, store: ProfileStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileManager")
        self.setWindowTitle(self.tr("Teller — profiles"))
        self.ops = ops
        self.store = store or ProfileStore()
        self.profiles: list[Profile] = []
        self.editing: str | None = None  # the saved name the form was loaded from
        self.checks: list[Check] = []
        self._box: QMessageBox | None = None

        self.list = QListWidget(self)
        self.list.setObjectName("profileList")
        name(self.list, self.tr("Profiles"))
        self.list.currentRowChanged.connect(self._row_changed)
        # a desk signed in to the sandbox has no profile of its own: an empty list says why
        self.empty_hint = QLabel(self.tr(
            "No saved profiles. A profile holds one bank platform's connection settings. The "
            "built-in sandbox needs none and is not listed. Fill in the form and save to add "
            "a profile."), self)
        self.empty_hint.setObjectName("profileListHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        self.add_button = self._button("addProfile", self.tr("&Add"), self.add_profile)
        self.duplicate_button = self._button("duplicateProfile", self.tr("Du&plicate"),
                                             self.duplicate_profile)
        self.delete_button = self._button("deleteProfile", self.tr("&Delete"),
                                          self.delete_profile)
        self.form = ProfileForm(self)
        self.save_button = self._button("saveProfile", self.tr("&Save"), self.save_profile)
        self.form.name_edit.textChanged.connect(self._save_takes_enter)
        self._save_takes_enter()
        self.test_button = self._button("testConnection", self.tr("&Test connection"),
                                        self.test_connection)
        self.import_button = self._button("importProfiles", self.tr("&Import…"),
                                          self._choose_import)
        self.export_button = self._button("exportProfiles", self.tr("E&xport…"),
                                          self._choose_export)
        self.close_button = self._button("closeProfiles", self.tr("Close"), self.accept)
        self.message = plain_label(QLabel(self))  # it may quote a server's or a file's words
        self.message.setObjectName("profileMessage")
        self.message.hide()
        self.results = CheckResultsTable(self)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty_hint)
        row = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            row.addWidget(button)
        left_layout.addLayout(row)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        right_layout.addLayout(row)
        right_layout.addWidget(self.message)
        right_layout.addWidget(self.results, 1)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.resize(900, 620)
        self.reload()

    # -- public ---------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.ops.run(lambda: asyncio.to_thread(self.store.list),
                     on_success=lambda profiles: self._loaded(profiles, select),
                     on_error=lambda exc: self._show(self.tr(
                         "The profiles file cannot be read: {error}").format(
                             error=safe_text(exc)), error=True),
                     parent=self, key="profiles-read", network=False)

    def add_profile(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.editing = None
        self.form.load(None)
        self._clear_results()
        self.form.name_edit.setFocus()

    def duplicate_profile(self) -> None:
        current = self._current()
        if current is None:
            return
        taken = {p.name for p in self.profiles}
        copy = current.model_copy(update={"name": pio.unique_name(current.name, taken)})
        self.list.setCurrentRow(-1)
        self.editing = None
        self.form.load(copy)
        self._show(self.tr("A copy of {name}: change what differs and save.").format(
            name=current.name))
        self.form.name_edit.setFocus()
        self.form.name_edit.selectAll()

    def delete_profile(self) -> None:
        """Confirm (saying when unsent audit entries would be lost), then delete the profile
        with its keyring entries, caches and audit outbox (``ui/profile_delete``)."""
        current = self._current()
        if current is not None:
            profile_delete.confirm_delete(self, current.name)

    def delete_named(self, profile_name: str) -> None:
        profile_delete.delete_named(self, profile_name)

    def save_profile(self) -> None:
        try:
            profile = self.form.profile()
        except ValueError as exc:
            self._show(str(exc), error=True)
            return
        old = self.editing
        if profile.name != old and any(p.name == profile.name for p in self.profiles):
            self._show(self.tr("A profile named {name} exists already.").format(
                name=profile.name), error=True)
            return
        async def save() -> None:
            # The password typed here only tests the connection: a password is never kept
            # (sign-in remembers a revocable session token per employee instead).
            await asyncio.to_thread(self._write, profile, old)
            if old and old != profile.name:
                # the old name's outbox stays (its entries would be lost with the key)
                await (await SecretStore.open(old)).delete_all(keep=[OUTBOX_KEY])

        self.ops.run(save, on_success=lambda _r: self._changed(profile.name, self.tr(
                         "Profile {name} saved.").format(name=profile.name)),
                     on_error=self._error, parent=self, key="profiles-write", network=False,
                     disable=[self.save_button])

    def test_connection(self) -> None:
        try:
            profile = self.form.profile()
        except ValueError as exc:
            self._show(str(exc), error=True)
            return
        email = profile.email
        typed = self.form.password()
        if not email:
            self._show(self.tr("Enter the e-mail to test the sign-in with."), error=True)
            return

        async def run() -> list[Check]:
            password = typed
            if not password:
                raise ValueError(self.tr("Enter the password to test the sign-in with."))
            return await test_profile(profile, email, password)

        self._clear_results()
        self._show(self.tr("Testing {url}…").format(url=profile.base_url))
        self.ops.run(run, on_success=self._checked, on_error=self._error, parent=self,
                     label=self.tr("Testing the connection…"), key="profile-test",
                     disable=[self.test_button], network=False, reauth=False)

    def export_to(self, path: Path) -> None:
        profiles = list(self.profiles)
        self.ops.run(lambda: asyncio.to_thread(pio.export_profiles, profiles, path),
                     on_success=lambda n: self._show(self.tr(
                         "%n profiles exported to {path} (no passwords).", "", n).format(
                             path=str(path))),
                     on_error=self._error, parent=self, network=False)

    def import_from(self, path: Path) -> None:
        def work() -> list[str]:
            return pio.import_profiles(self.store, pio.read_export(path))

        self.ops.run(lambda: asyncio.to_thread(work),
                     on_success=lambda names: self._changed(
                         names[0] if names else None,
                         self.tr("Imported: {names}. Passwords are typed at sign-in.").format(
                             names=", ".join(names) or "—")),
                     on_error=self._import_failed, parent=self, key="profiles-write",
                     network=False)

    def _import_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, pio.ExportUnreadable):
            self._error(exc)
            return
        if exc.kind == "not_json":
            why = self.tr("it is not a JSON file.")
        elif exc.kind == "not_export":
            why = self.tr("it is not a Teller profiles export.")
        elif exc.profile:
            why = self.tr("the profile {name} in it is not valid ({detail}).").format(
                name=exc.profile, detail=safe_text(exc.detail))
        else:
            why = self.tr("a profile in it is not valid ({detail}).").format(
                detail=safe_text(exc.detail))
        self._show(self.tr("Nothing was imported: {why}").format(why=why), error=True)

    # -- internals ------------------------------------------------------------------------
    def _button(self, object_name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(object_name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _write(self, profile: Profile, old: str | None) -> None:
        self.store.save(profile)
        if old and old != profile.name:
            self.store.delete(old)

    def _loaded(self, profiles: list[Profile], select: str | None) -> None:
        self.profiles = [p for p in profiles if not p.is_sandbox]
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.profiles:
            self.list.addItem(profile.name)
        self.list.blockSignals(False)
        names = [p.name for p in self.profiles]
        target = select if select in names else (names[0] if names else None)
        if target is None:
            if self.editing is not None or not self.form.name_edit.text():
                self.add_profile()  # (never wipes what was typed before the list came)
        else:
            # The form shows the profile as stored, also when its row stays current (after a
            # save): a proxy password typed into the URL is then no longer on screen.
            row = names.index(target)
            self.list.blockSignals(True)
            self.list.setCurrentRow(row)
            self.list.blockSignals(False)
            if target != self.editing:
                self._clear_results()
            self.editing = target
            self.form.load(self.profiles[row])
        has = bool(self.profiles)
        self.duplicate_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.export_button.setEnabled(has)
        self.empty_hint.setVisible(not has)
        self.loaded.emit()

    def _save_takes_enter(self) -> None:
        """Enter saves once the profile has a name (in an empty form it only met an error)."""
        self.save_button.setDefault(bool(self.form.name_edit.text().strip()))

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.profiles):
            profile = self.profiles[row]
            self.editing = profile.name
            self.form.load(profile)
            self._clear_results()
            self.message.hide()

    def _current(self) -> Profile | None:
        row = self.list.currentRow()
        return self.profiles[row] if 0 <= row < len(self.profiles) else None

    def _changed(self, select: str | None, text: str) -> None:
        self.reload(select)
        self._show(text)
        self.profiles_changed.emit()

    def _checked(self, checks: list[Check]) -> None:
        self.checks = checks
        self.results.show_checks(checks)
        failed = sum(c.status == "failed" for c in checks)
        if failed:
            self._show(self.tr("{failed} of {total} checks failed.").format(
                failed=failed, total=len(checks)), error=True)
        else:
            self._show(self.tr("All {total} checks passed: this profile works.").format(
                total=len(checks)))
        self.checks_done.emit(checks)

    def _clear_results(self) -> None:
        self.checks = []
        self.results.setRowCount(0)

    def _error(self, exc: BaseException) -> None:
        if isinstance(exc, ProxyPasswordNotKept):
            self._show(self.tr("The proxy password cannot be kept: the OS keyring cannot be "
                               "used ({reason}). Nothing was saved; enter the proxy without "
                               "its password, or save once the keyring works.").format(
                                   reason=safe_text(exc.reason)), error=True)
            return
        self._show(safe_text(exc), error=True)

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setText(shown_lines(text))
        self.message.setProperty("error", error)
        self.message.setStyleSheet(theme.error_style(self.palette()) if error else "")
        self.message.setAccessibleName(text)
        self.message.show()

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, self.tr("Export profiles"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Teller profiles (*.json)"))
        dialog.setDefaultSuffix("json")
        dialog.selectFile("teller-profiles.json")
        dialog.fileSelected.connect(lambda f: self.export_to(Path(f)))
        dialog.open()

    def _choose_import(self) -> None:
        dialog = QFileDialog(self, self.tr("Import profiles"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Teller profiles (*.json)"))
        dialog.fileSelected.connect(lambda f: self.import_from(Path(f)))
        dialog.open()


# -- entry points -------------------------------------------------------------------------
def open_profile_manager(ops: OpRunner, store: ProfileStore | None = None,
                         parent: QWidget | None = None) -> ProfileManagerDialog:
    dialog = ProfileManagerDialog(ops, store, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    return dialog
