"""Profile manager: a new user adds a real-platform profile (a sandbox on loopback), tests it
and signs in without a text editor; secrets only in the keyring; export/import without
secrets; an unreadable profiles file is an error with a way out, never the sandbox."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication, QMessageBox

from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog

from .conftest import TELLER, password_of


class MemoryKeyring(KeyringBackend):
    """A real keyring backend holding secrets in this process (what the OS keyring does)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture()
def memory_keyring():  # type: ignore[no-untyped-def]
    import keyring

    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def _fill(manager: ProfileManagerDialog, sandbox, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    form = manager.form
    form.name_edit.setText(name)
    form.url_edit.setText(sandbox.manifest["base_url"])
    form.counterparty_edit.setText(sandbox.manifest["counterparty_guid"])
    form.email_edit.setText(TELLER)
    form.password_edit.setText(password)


def test_new_user_adds_tests_and_signs_in_without_an_editor(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox, memory_keyring, tmp_path):
    store = ProfileStore()
    dialog = SignInDialog([sandbox_target(sandbox.manifest)], ops, profiles=store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.profile_combo.count() == 1  # only the sandbox: nothing configured yet
    qtbot.mouseClick(dialog.profiles_button, __import__("PySide6.QtCore").QtCore.Qt
                     .MouseButton.LeftButton)
    manager = dialog.findChild(ProfileManagerDialog)
    assert manager is not None and manager.isVisible()
    qtbot.waitSignal(manager.loaded, timeout=5000, raising=False).wait()
    password = password_of(sandbox, TELLER)
    _fill(manager, sandbox, "bank-test", password)

    # Test connection: the doctor's checks, each shown with its result and evidence.
    with qtbot.waitSignal(manager.checks_done, timeout=60000) as blocker:
        manager.test_button.click()
    checks = blocker.args[0]
    names = [c.name for c in checks]
    assert names[:2] == ["platform", "sign-in"] and "whoami" in names and "roles" in names
    assert all(c.status in ("ok", "adapted") for c in checks), checks
    assert manager.results.rowCount() == len(checks)
    assert manager.results.item(1, 0).text() == "sign-in"
    assert manager.results.item(1, 1).text() == "ok"
    assert "signed in" in manager.results.item(1, 2).text()

    manager.save_button.click()
    qtbot.waitUntil(lambda: manager.message.text().startswith(("Profile", "E")), timeout=5000)
    assert manager.message.text() == "Profile bank-test saved."
    # Neither the file nor the keyring keeps the password (only a session token, at sign-in).
    text = store.path.read_text(encoding="utf-8")
    assert password not in text and "bank-test" in text
    assert oct(os.stat(store.path).st_mode & 0o777) == "0o600"
    assert password not in memory_keyring.items.values()

    # The sign-in window lists the new profile (chosen) with its e-mail; the password is typed.
    qtbot.waitUntil(lambda: dialog.profile_combo.count() == 2, timeout=10000)
    assert dialog.target.profile.name == "bank-test" and not dialog.target.is_sandbox
    manager.close()
    assert dialog.secret.text() == ""  # never pre-filled
    qtbot.waitUntil(lambda: dialog.email.text() == TELLER, timeout=10000)
    dialog.secret.setText(password)
    with qtbot.waitSignal(dialog.signed_in, timeout=20000) as signed:
        dialog.sign_in_button.click()
    session, target = signed.args
    assert target.profile.name == "bank-test" and not target.is_sandbox
    assert session.employee.email == TELLER
    assert store.last_profile == "bank-test"
    qtbot.waitUntil(lambda: True)
    from .conftest import _shutdown_supervision  # noqa: F401  (same loop for closing)

    done: list[bool] = []
    ops.run(session.close, on_success=lambda _r: done.append(True), network=False)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)


def test_wrong_password_is_a_failed_check_with_evidence(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    manager.show()
    _fill(manager, sandbox, "bank-bad", "not-the-password")
    with qtbot.waitSignal(manager.checks_done, timeout=60000) as blocker:
        manager.test_connection()
    checks = blocker.args[0]
    assert [(c.name, c.status) for c in checks] == [("platform", "ok"), ("sign-in", "failed")]
    assert "401" in checks[1].detail
    assert manager.results.item(1, 1).text() == "failed"
    assert "1 of 2 checks failed" in manager.message.text()


def test_edit_duplicate_delete_export_import(qtbot, ops, sandbox, memory_keyring, tmp_path):  # type: ignore[no-untyped-def]
    store = ProfileStore()
    store.save(Profile(name="prod", base_url="https://dcm.bank.example",
                       counterparty_guid="cp-1", email="me@bank.ua", hub_url=None,
                       spki_pins=[]))
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(lambda: manager.list.count() == 1, timeout=5000)
    assert manager.form.url_edit.text() == "https://dcm.bank.example"

    # Edit: proxy, hub mode with hub URL, language; a bad URL is refused inline.
    manager.form.url_edit.setText("ftp://nope")
    manager.save_profile()
    assert manager.message.text() == (
        "Platform URL: must be an address like https://dcm.bank.ua.")
    manager.form.url_edit.setText("https://dcm.bank.example")
    manager.form.auth_combo.setCurrentIndex(1)
    manager.form.hub_edit.setText("https://hub.bank.example")
    manager.form.proxy_edit.setText("http://proxy.bank.example:3128")
    manager.form.language_combo.setCurrentIndex(1)
    manager.form.password_edit.setText("s3cret-Pa55")
    with qtbot.waitSignal(manager.profiles_changed, timeout=10000):
        manager.save_profile()
    saved = store.load("prod")
    assert saved.auth_mode == "hub" and saved.hub_url == "https://hub.bank.example"
    assert saved.proxy == "http://proxy.bank.example:3128" and saved.language == "en"

    # Duplicate -> "prod (2)", saved with its own name.
    qtbot.waitUntil(lambda: manager.editing == "prod", timeout=5000)
    manager.duplicate_profile()
    assert manager.form.name_edit.text() == "prod (2)"
    with qtbot.waitSignal(manager.profiles_changed, timeout=10000):
        manager.save_profile()
    assert {p.name for p in store.list()} == {"prod", "prod (2)"}

    # Export: no passwords, no per-desk e-mail.
    qtbot.waitUntil(lambda: manager.list.count() == 2, timeout=5000)
    out = tmp_path / "export" / "profiles.json"
    manager.export_to(out)
    qtbot.waitUntil(out.exists, timeout=5000)
    exported = out.read_text(encoding="utf-8")
    assert "s3cret-Pa55" not in exported and "me@bank.ua" not in exported
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    assert len(json.loads(exported)["profiles"]) == 2

    # Delete (confirmed) removes the profile and its keyring secret.
    qtbot.waitUntil(lambda: manager.editing is not None, timeout=5000)
    manager.list.setCurrentRow(0)
    assert manager.editing == "prod"
    manager.delete_profile()
    box = manager._box
    assert box is not None
    with qtbot.waitSignal(manager.profiles_changed, timeout=10000):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert [p.name for p in store.list()] == ["prod (2)"]
    assert ("Teller/prod", "password") not in memory_keyring.items

    # Import puts both back (on another desk: no passwords come with them).
    with qtbot.waitSignal(manager.profiles_changed, timeout=10000):
        manager.import_from(out)
    assert {p.name for p in store.list()} == {"prod", "prod (2)"}
    assert store.load("prod").hub_url == "https://hub.bank.example"
    assert ("Teller/prod", "password") not in memory_keyring.items


def test_bad_fields_and_imports_are_said_in_the_forms_words(  # type: ignore[no-untyped-def]
        qtbot, ops, tmp_path):
    """Each rule names the field by its label and is said by the dialog (translatable), not
    pydantic's English with the profile's field ids; a bad import file says why and keeps
    every profile as it was."""
    store = ProfileStore()
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    manager.show()
    form = manager.form
    form.name_edit.setText("prod")
    form.url_edit.setText("https://dcm.bank.example")
    form.counterparty_edit.setText("cp-1")
    cases = [
        (form.url_edit, "http://dcm.bank.example", "Platform URL: must start with https://"),
        (form.proxy_edit, "proxy.bank", "Proxy: must be an address like"),
        (form.pins_edit, "sha256/not-a-pin", "SPKI pins: each pin is the SHA-256"),
        (form.name_edit, "a/b", "Name: must not contain"),
    ]
    for edit, bad, said in cases:
        good = edit.text()
        edit.setText(bad)
        manager.save_profile()
        assert manager.message.text().startswith(said), manager.message.text()
        assert "_" not in manager.message.text().split(":")[0]  # a label, never a field id
        edit.setText(good)
    form.auth_combo.setCurrentIndex(1)
    form.hub_edit.setText("http://hub.bank.example")
    manager.save_profile()
    assert manager.message.text().startswith("Teller Hub URL: must start with https://")

    for content, why in [(b"\xff not json", "it is not a JSON file."),
                         (b'{"kind": "other"}', "it is not a Teller profiles export."),
                         (b'{"kind": "teller-profiles", "profiles": [{"name": "x/y", '
                          b'"base_url": "https://a.example", "counterparty_guid": "c"}]}',
                          "the profile x/y in it is not valid")]:
        bad_file = tmp_path / "bad.json"
        bad_file.write_bytes(content)
        manager.import_from(bad_file)
        expected = f"Nothing was imported: {why}"
        qtbot.waitUntil(lambda expected=expected: manager.message.text().startswith(expected),
                        timeout=5000)
    assert store.list() == []


def _args(**kw):  # type: ignore[no-untyped-def]
    base = dict(lang="en", profile=None, data_dir=None, smoke_test=False, qt_args=[],
                smoke_timeout=60)
    base.update(kw)
    return argparse.Namespace(**base)


def test_corrupt_profiles_file_is_an_error_with_a_way_out(qtbot, qloop, tmp_path):  # type: ignore[no-untyped-def]
    from teller_app.ui.startup import AppController

    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text('{"profiles": [{"name": "prod", "base_url": ', encoding="utf-8")
    app = QApplication.instance()
    controller = AppController(app, _args(), time.time())  # type: ignore[arg-type]
    task = qloop.create_task(controller.start())
    qtbot.waitUntil(lambda: getattr(controller, "recovery_box", None) is not None, timeout=5000)
    qtbot.waitUntil(task.done, timeout=5000)
    box = controller.recovery_box
    assert box.isVisible()
    assert str(store.path) in box.text() and "sandbox" in box.text()
    assert controller.sandbox is None and controller.dialog is None  # no fallback

    box.findChild(type(box.defaultButton()), "resetProfiles").click()
    qtbot.waitUntil(lambda: getattr(controller, "recovery_dialog", None) is not None,
                    timeout=5000)
    manager = controller.recovery_dialog
    assert manager.isVisible() and "broken-" in manager.message.text()
    backups = list(Path(store.path.parent).glob("profiles.json.broken-*"))
    assert len(backups) == 1 and "base_url" in backups[0].read_text(encoding="utf-8")
    assert not store.path.exists()

    # As the message says: add a profile, close the manager, and start-up resumes with it.
    # (Closed with no profile, start-up would start the embedded sandbox and hub; left to
    # run after the test ends, that start would outlive it.)
    store.save(Profile(name="prod", base_url="https://dcm.bank.example",
                       counterparty_guid="cp-1", email="me@bank.ua", hub_url=None,
                       spki_pins=[]))
    manager.close()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=5000)
    sign_in = controller.dialog
    assert [t.profile.name for t in sign_in.targets] == ["prod"]
    assert controller.sandbox is None  # nothing was started
    sign_in.rejected.disconnect()  # closing it here must not quit the test's application
    sign_in.close()
    controller.ops.cancel_all()
    controller.cleanup()


def test_main_window_menu_opens_the_profile_manager(qtbot, main_window):  # type: ignore[no-untyped-def]
    act = main_window.desk.action_profiles
    assert act in main_window.menu_tools.actions()
    act.trigger()
    manager = main_window.findChild(ProfileManagerDialog)
    assert manager is not None and manager.isVisible()
    act.trigger()  # once only
    assert len(main_window.findChildren(ProfileManagerDialog)) == 1
    manager.close()
