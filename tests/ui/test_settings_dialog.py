"""Settings: live language switch (menus, title, the dialog's own labels), theme, idle lock
and sync interval applied at once, persisted 0600; the bank's settings read-only."""

from __future__ import annotations

import json
import os

from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from teller_app.ui import theme
from teller_app.ui.settings import SettingsDialog, switch_language
from teller_app.ui.settings_store import LANGUAGES, THEMES, load_settings, settings_path


def _open(qtbot, window) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = window.desk.open_settings()
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # the fields show defaults until the file is read
    qtbot.waitUntil(lambda: not window.ops.is_busy("settings-read"), timeout=5000)
    assert ok.isEnabled() and dialog.desk_box.isEnabled()
    return dialog


def test_language_switches_live_and_settings_persist(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    dialog = _open(qtbot, window)
    assert window.menu_customer.title() == "&Customer"
    assert dialog.desk_box.title() == "This desk"
    try:
        dialog.language.setCurrentIndex(LANGUAGES.index("uk"))
        dialog.idle.setValue(7)
        dialog.sync.setValue(3)
        dialog.sounds.setChecked(False)
        dialog.apply(close=False)
        # Re-translated without a restart: the window's menus and the dialog's labels.
        qtbot.waitUntil(lambda: window.menu_customer.title() == "&Клієнт", timeout=5000)
        assert dialog.desk_box.title() != "This desk" and dialog.isVisible()
        # what does not switch live is said next to the choice, in the new language
        assert dialog.language_note.text().startswith("Головне вікно")
        assert window.desk.menu_help.title() == "&Довідка"
        assert window.tabs.tabText(0) != "Search"
        tracker = window.supervision.locker.tracker
        assert tracker.idle_seconds == 7 * 60
        timer = getattr(window, "background_sync_timer", None)
        if timer is not None:
            assert timer.interval() == 3 * 60_000
        qtbot.waitUntil(lambda: not window.ops.is_busy("settings-write"), timeout=5000)
        path = settings_path()
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert saved["language"] == "uk" and saved["idle_lock_minutes"] == 7
        assert saved["sounds"] is False and load_settings().sync_interval_minutes == 3
    finally:
        dialog.language.setCurrentIndex(LANGUAGES.index("en"))
        dialog.apply(close=True)
        switch_language("en")
    qtbot.waitUntil(lambda: window.menu_customer.title() == "&Customer", timeout=5000)


def _menu_texts(window) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Every menu title and action text of the menu bar, by the object's identity."""
    texts: dict[int, str] = {}
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        texts[id(menu)] = menu.title()
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            elif action.text():
                texts[id(action)] = action.text()
    return texts


def test_language_switch_retranslates_every_menu(qtbot, main_window):  # type: ignore[no-untyped-def]
    """Each plug-in's menus and actions follow a live switch, not only the desk's own."""
    window = main_window
    english = _menu_texts(window)
    assert any(text == "T&ill" for text in english.values())  # the till plug-in's menu
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: window.menu_customer.title() == "&Клієнт", timeout=5000)
        ukrainian = _menu_texts(window)
        assert ukrainian.keys() == english.keys()
        left = sorted(text for key, text in ukrainian.items() if text == english[key])
        assert left == [], " | ".join(left)
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: window.menu_customer.title() == "&Customer", timeout=5000)
    assert _menu_texts(window) == english


def test_theme_dark_and_light(qtbot, main_window):  # type: ignore[no-untyped-def]
    dialog = _open(qtbot, main_window)
    try:
        dialog.theme.setCurrentIndex(THEMES.index("dark"))
        dialog.apply(close=False)
        assert theme.is_dark(QGuiApplication.palette())
        assert main_window.palette().color(QPalette.ColorRole.Window).lightness() < 128
        dialog.theme.setCurrentIndex(THEMES.index("light"))
        dialog.apply(close=False)
        assert not theme.is_dark(QGuiApplication.palette())
    finally:
        app = QApplication.instance()
        theme.apply_theme(app, "light")  # type: ignore[arg-type]
        dialog.close()


def test_bank_settings_are_read_only_from_the_profile_without_a_hub_policy(  # type: ignore[no-untyped-def]
        qtbot, main_window):
    dialog = _open(qtbot, main_window)
    qtbot.waitUntil(lambda: dialog.policy_source.text() != "", timeout=5000)
    assert "profile" in dialog.policy_source.text()
    assert dialog.threshold_value.text() == "10,000.00\u00a0UAH"  # money, with its currency
    assert "disabling a customer" in dialog.sensitive_value.text()
    # Labels, not inputs: nothing there can be edited.
    assert dialog.bank_box.findChildren(type(dialog.idle)) == []
    dialog.close()


def test_the_hubs_policy_lists_every_check_it_has(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The read-only view names each change the hub's policy sends to a second person,
    the phone number and branch moves (on by default) among them."""
    from teller_app.platform.hub_models import Policy
    from teller_app.ui.settings import hub_sensitive_texts

    shown = hub_sensitive_texts(Policy())
    assert {"a new phone number", "moving a customer to another branch"} <= set(shown)
    assert "raising the KYC level" not in shown and "changing the segment" not in shown
    assert {"raising the KYC level", "changing the segment"} <= set(
        hub_sensitive_texts(Policy(kyc_up=True, segment=True)))

