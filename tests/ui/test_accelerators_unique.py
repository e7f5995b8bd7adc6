"""Alt+letter reaches one control: in each dialog, in English and in Ukrainian, no two of its
buttons, labels and check boxes underline the same letter (a clash makes Alt+letter cycle
between them, or pick the wrong one). The dialogs: Settings, the profile manager (its form
and buttons) and the box shown when the profiles file cannot be read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

from teller_app.secrets import ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.settings import SettingsDialog
from tests.ui.recovery_box import unreadable_profiles_box


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    from teller_app.ui.i18n import install_translators

    before, earlier = QLocale(), set(qapp.findChildren(QTranslator))
    installed = install_translators(qapp, request.param)
    if request.param == "uk":
        assert installed, "compile the translations: packaging/build_translations.py"
    yield request.param
    # also those start-up installed (the unreadable-profiles test runs it)
    for translator in set(qapp.findChildren(QTranslator)) - earlier:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


# A Latin letter and the Cyrillic one on the same key of the Ukrainian layout: with it on,
# Alt+H reaches both "&Hub" and "&Режим" (Qt also tries the key's Latin letter).
SAME_KEY = dict(zip("qwertyuiopasdfghjklzxcvbnm", "йцукенгшщзфівапролдячсмить", strict=True))


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), lower-cased."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def key_of(letter: str) -> str:
    return SAME_KEY.get(letter, letter)


def clashes(dialog: QWidget) -> dict[str, list[str]]:
    """Keys underlined more than once among the dialog's shown controls."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QAbstractButton | QLabel):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        letter = mnemonic(text)
        if letter is not None:
            by_letter[key_of(letter)].append(text)
    return {k: v for k, v in by_letter.items() if len(v) > 1}


def test_settings_letters_are_unique(qtbot: Any, ops: Any, language: str) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not ops.is_busy("settings-read"), timeout=5000)
    assert dialog.sounds.text() in ("&Sounds", "&Звуки")  # the language under test
    assert clashes(dialog) == {}


def test_profile_manager_letters_are_unique(qtbot: Any, ops: Any, language: str) -> None:
    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(manager.form.isVisible, timeout=5000)
    assert clashes(manager) == {}


def test_unreadable_profiles_box_letters_are_unique(qtbot: Any, qloop: Any,
                                                   language: str) -> None:
    box = unreadable_profiles_box(qtbot, qloop, language)
    try:
        assert box.isVisible()
        assert len([b for b in box.buttons() if mnemonic(b.text())]) == 3
        assert clashes(box) == {}
    finally:
        box.close()
