"""The profile editor with a proxy password: typed into the proxy URL, it is split off into the
keyring on save and never shown again; "Test connection", a duplicate and a rename still
send it to the proxy; the export never has it; deleting the profile deletes it; without a
keyring a new one is refused and nothing is saved."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QLineEdit, QMessageBox

from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog

from .test_profile_manager import MemoryKeyring

sys.path.insert(0, str(Path(__file__).parent.parent / "platform"))

from tls_server import Listener

SECRET = "Pr0xy-S3cret-typed"
ENTRY = "proxy_password"


@pytest.fixture()
def ring():  # type: ignore[no-untyped-def]
    memory = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture()
def proxy():  # type: ignore[no-untyped-def]
    listener = Listener()
    yield listener
    listener.close()


def _shown_texts(manager: ProfileManagerDialog) -> list[str]:
    return [edit.text() for edit in manager.findChildren(QLineEdit)] + [manager.message.text()]


def _save(qtbot, manager: ProfileManagerDialog) -> None:  # type: ignore[no-untyped-def]
    """Save, and wait for the list read back after it (the form then shows what is stored)."""
    with qtbot.waitSignals([manager.profiles_changed, manager.loaded], order="strict",
                           timeout=10000):
        manager.save_profile()


def test_a_typed_proxy_password_goes_to_the_keyring_and_is_never_shown(  # type: ignore[no-untyped-def]
        qtbot, ops, ring, proxy, tmp_path):
    store = ProfileStore(tmp_path / "cfg" / "profiles.json")
    store.save(Profile(name="prod", base_url="http://127.0.0.1:9", counterparty_guid="cp-1",
                       email="me@bank.ua"))
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(lambda: manager.editing == "prod", timeout=5000)
    host = proxy.url.removeprefix("http://")
    manager.form.proxy_edit.setText(f"http://alice:{SECRET}@{host}")
    _save(qtbot, manager)

    assert SECRET not in store.path.read_text(encoding="utf-8")
    assert ring.items[("Teller/prod", ENTRY)] == SECRET
    assert manager.form.proxy_edit.text() == f"http://alice@{host}"  # the user, no password
    assert not any(SECRET in text for text in _shown_texts(manager))

    # Test connection with the profile as shown (the password not typed again): the proxy
    # receives it.
    manager.form.password_edit.setText("pw-123456")
    with qtbot.waitSignal(manager.checks_done, timeout=60000):
        manager.test_connection()
    assert ("alice", SECRET) in proxy.proxy_credentials()
    assert set(proxy.proxy_credentials()) == {("alice", SECRET)}

    # Another field edited and saved: the password stays in the keyring, not in the file.
    manager.form.language_combo.setCurrentIndex(1)
    _save(qtbot, manager)
    assert ring.items[("Teller/prod", ENTRY)] == SECRET
    assert store.load("prod").transport().proxy == f"http://alice:{SECRET}@{host}"

    # Duplicated, then renamed: the copy has its own keyring entry, the old name's goes.
    manager.duplicate_profile()
    _save(qtbot, manager)
    assert ring.items[("Teller/prod (2)", ENTRY)] == SECRET
    manager.form.name_edit.setText("lviv")
    _save(qtbot, manager)
    assert ring.items[("Teller/lviv", ENTRY)] == SECRET
    assert ("Teller/prod (2)", ENTRY) not in ring.items
    assert store.load("lviv").transport().proxy == f"http://alice:{SECRET}@{host}"
    assert SECRET not in store.path.read_text(encoding="utf-8")

    # Export: the proxy URL without its password.
    qtbot.waitUntil(lambda: manager.list.count() == 2, timeout=5000)
    out = tmp_path / "export" / "profiles.json"
    manager.export_to(out)
    qtbot.waitUntil(out.exists, timeout=5000)
    exported = out.read_text(encoding="utf-8")
    assert SECRET not in exported
    assert {p["proxy"] for p in json.loads(exported)["profiles"]} == {f"http://alice@{host}"}

    # Delete: the profile's proxy password goes with it.
    manager.list.setCurrentRow([p.name for p in manager.profiles].index("prod"))
    manager.delete_profile()
    assert manager._box is not None
    with qtbot.waitSignal(manager.profiles_changed, timeout=10000):
        manager._box.button(QMessageBox.StandardButton.Yes).click()
    assert ("Teller/prod", ENTRY) not in ring.items
    assert ring.items[("Teller/lviv", ENTRY)] == SECRET


def test_without_a_keyring_a_typed_proxy_password_is_refused(  # type: ignore[no-untyped-def]
        qtbot, ops, tmp_path):
    keyring.set_keyring(fail.Keyring())  # (the UI tests' default; restored by their fixture)
    store = ProfileStore(tmp_path / "profiles.json")
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitSignal(manager.loaded, timeout=5000, raising=False).wait()
    form = manager.form
    form.name_edit.setText("prod")
    form.url_edit.setText("https://dcm.bank.example")
    form.counterparty_edit.setText("cp-1")
    form.proxy_edit.setText(f"http://alice:{SECRET}@proxy.bank.example:3128")
    manager.save_profile()
    qtbot.waitUntil(lambda: manager.message.text().startswith("The proxy password"),
                    timeout=5000)
    assert manager.message.text().startswith(
        "The proxy password cannot be kept: the OS keyring cannot be used")
    assert SECRET not in manager.message.text()
    assert not store.path.exists()  # nothing saved
