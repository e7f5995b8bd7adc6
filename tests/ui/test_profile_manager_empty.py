"""The profile manager with no saved profile (a desk signed in to the sandbox, a fresh
install): a hint says what a profile is and that the sandbox is not listed; Enter in the empty
form saves nothing (Save takes Enter once there is a name); a new profile starts in the
desk's language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from teller_app.secrets import ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog

from .test_profile_manager import _fill


def _manager(qtbot, ops, store: ProfileStore) -> ProfileManagerDialog:  # type: ignore[no-untyped-def]
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    with qtbot.waitSignal(manager.loaded, timeout=5000):
        manager.show()
    return manager


def test_empty_list_says_why_and_goes_once_a_profile_is_saved(  # type: ignore[no-untyped-def]
        qtbot, ops, english, sandbox) -> None:
    store = ProfileStore()
    manager = _manager(qtbot, ops, store)
    assert manager.list.count() == 0
    assert manager.empty_hint.isVisible()
    assert "sandbox" in manager.empty_hint.text()

    _fill(manager, sandbox, "bank-test", "")
    with qtbot.waitSignal(manager.loaded, timeout=5000):
        manager.save_button.click()
    assert manager.list.count() == 1
    assert not manager.empty_hint.isVisible()


def test_enter_saves_only_a_named_profile(qtbot, ops, english, sandbox) -> None:  # type: ignore[no-untyped-def]
    store = ProfileStore()
    manager = _manager(qtbot, ops, store)
    name_edit = manager.form.name_edit
    assert name_edit.text() == "" and not manager.save_button.isDefault()
    qtbot.keyClick(name_edit, Qt.Key.Key_Return)
    assert manager.message.isHidden()  # no "Give the profile a name." for a stray Enter
    assert manager.findChild(QFileDialog) is None  # nor the CA bundle's Browse… instead
    assert not any(b.isDefault() for b in manager.findChildren(QPushButton))
    assert not manager.ops.is_busy("profiles-write")

    _fill(manager, sandbox, "bank-enter", "")
    assert manager.save_button.isDefault()
    with qtbot.waitSignal(manager.loaded, timeout=5000):
        qtbot.keyClick(name_edit, Qt.Key.Key_Return)
    assert [p.name for p in store.list() if not p.is_sandbox] == ["bank-enter"]
    name_edit.clear()
    assert not manager.save_button.isDefault()


@pytest.mark.parametrize(("language", "code"), [("english", "en"), ("ukrainian", "uk")])
def test_a_new_profile_starts_in_the_desks_language(  # type: ignore[no-untyped-def]
        qtbot, ops, request, language, code) -> None:
    request.getfixturevalue(language)
    manager = _manager(qtbot, ops, ProfileStore())
    assert manager.form.language_combo.currentData() == code
    manager.form.language_combo.setCurrentIndex(1 - manager.form.language_combo.currentIndex())
    manager.add_profile()
    assert manager.form.language_combo.currentData() == code
