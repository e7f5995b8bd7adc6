"""Menus a keyboard user can drive: one mnemonic per entry and none twice in a menu, unique menu
titles with Help last, unique mnemonics in Settings; the F1 sheet lists the search's, cards' and
forms' own keys; Approve/Reject show only to those who decide requests."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QMenuBar

from teller_app.ui.shortcuts import ShortcutsSheet

from .conftest import make_window, open_session

SUPERVISOR = "supervisor.kyiv@demo.bank"


def mnemonic(text: str) -> str:
    """The letter after a single "&" ("" when there is none)."""
    i = 0
    while (i := text.find("&", i)) != -1 and i + 1 < len(text):
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i += 2
    return ""


def _menus(bar: QMenuBar) -> list[QMenu]:
    menus = [a.menu() for a in bar.actions() if isinstance(a.menu(), QMenu)]
    found: list[QMenu] = []
    while menus:
        menu = menus.pop(0)
        found.append(menu)
        menus += [a.menu() for a in menu.actions() if isinstance(a.menu(), QMenu)]
    return found


def assert_menu_mnemonics(bar: QMenuBar) -> None:
    titles = [a.text() for a in bar.actions()]
    keys = [mnemonic(t) for t in titles]
    assert all(keys) and len(set(keys)) == len(keys), titles
    for menu in _menus(bar):
        # Every entry, shown or not (what a role sees differs; none may clash).
        entries = [a.text() for a in menu.actions() if not a.isSeparator() and a.text()]
        missing = [t for t in entries if not mnemonic(t)]
        assert missing == [], (menu.title(), missing)
        keys = [mnemonic(t) for t in entries]
        clashes = sorted({t for t in entries if keys.count(mnemonic(t)) > 1})
        assert clashes == [], (menu.title(), clashes)


def test_every_menu_entry_has_its_own_mnemonic_and_help_is_last(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    bar = window.menuBar()
    assert_menu_mnemonics(bar)
    menus = [a.menu() for a in bar.actions() if a.menu() is not None]
    assert menus[-1] is window.desk.menu_help
    assert window.till_desk.menu in menus and window.menu_tools in menus
    tools = [a.text() for a in window.menu_tools.actions() if not a.isSeparator()]
    assert "&Lock the session" in tools  # Alt+T, L locks


def test_settings_mnemonics_are_unique(qtbot, main_window):  # type: ignore[no-untyped-def]
    dialog = main_window.desk.open_settings()
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    texts += [w.text() for w in dialog.findChildren(QAbstractButton) if w.isVisibleTo(dialog)]
    keys = [mnemonic(t) for t in texts if mnemonic(t)]
    assert len(keys) >= 6
    clashes = sorted(t for t in texts if mnemonic(t) and keys.count(mnemonic(t)) > 1)
    assert clashes == [], clashes
    dialog.close()


def _sheet(window) -> ShortcutsSheet:  # type: ignore[no-untyped-def]
    sheet = window.desk.open_shortcuts()
    assert isinstance(sheet, ShortcutsSheet)
    return sheet


def test_f1_lists_the_search_card_and_form_keys(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    sheet = _sheet(window)  # no card or form open: their keys are listed all the same
    rows = set(sheet.rows)
    for row in (("Customer card", "Refresh", "Ctrl+R"),
                ("Customer card", "Edit the customer", "Ctrl+E"),
                ("Customer card", "Back to the search", "Esc"),
                ("Customer form", "Save", "Ctrl+Return, Ctrl+Enter"),
                ("Customer form", "Cancel", "Esc"),
                ("Search", "Open the selected customer's card", "Return, Enter")):
        assert row in rows, sorted(rows)
    sheet.close()
    qtbot.waitUntil(lambda: window.findChild(ShortcutsSheet) is None, timeout=5000)

    # Every key a card or form defines itself is in the sheet, under its part of the window.
    from teller_app.ui.shortcuts import context_rows

    window.open_customer(window.search_panel.model.row_at(0))
    assert window.new_customer() is not None
    live = [s for s in window.findChildren(QShortcut) if s.isEnabled()]
    owners = {type(s.parent()).__name__ for s in live}
    assert {"CustomerCard", "CustomerForm"} <= owners
    groups = {owner: group for owner, group, _t, _k in context_rows()}
    sheet = _sheet(window)
    for shortcut in live:
        key = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        group = groups.get(type(shortcut.parent()).__name__)
        assert any(g == group and key in keys.split(", ") for g, _t, keys in sheet.rows), (
            type(shortcut.parent()).__name__, key)
    sheet.close()


@pytest.fixture()
def supervisor_window(qtbot, ops, sandbox, arun):  # type: ignore[no-untyped-def]
    session = open_session(arun, sandbox, SUPERVISOR)
    window = make_window(qtbot, ops, session, sandbox)
    yield window
    window._closing_for_sign_out = True
    ops.cancel_all()
    window.close()
    arun(window.shutdown())


def test_approve_and_reject_show_only_to_those_who_decide(qtbot, main_window,  # type: ignore[no-untyped-def]
                                                          supervisor_window):
    desk = main_window.desk
    assert not desk.action_approve.isVisible() and not desk.action_reject.isVisible()
    sheet = _sheet(main_window)
    assert sheet.keys_for("Approve the selected request") is None
    assert sheet.keys_for("Reject the selected request") is None
    assert sheet.keys_for("Cash deposit") == "Ctrl+Shift+D"
    sheet.close()

    checker = supervisor_window.desk
    assert checker.action_approve.isVisible() and checker.action_reject.isVisible()
    sheet = _sheet(supervisor_window)
    assert sheet.keys_for("Approve the selected request") == "Ctrl+Shift+A"
    assert sheet.keys_for("Reject the selected request") == "Ctrl+Shift+R"
    sheet.close()
    assert_menu_mnemonics(supervisor_window.menuBar())
    # Another employee taking over a window gets their own menu.
    teller = main_window.session
    main_window.switch_session(supervisor_window.session)
    assert desk.action_approve.isVisible() and desk.action_reject.isVisible()
    main_window.switch_session(teller)
    assert not desk.action_approve.isVisible() and not desk.action_reject.isVisible()


def test_the_ukrainian_menus_and_window_keep_their_mnemonics_apart(qtbot, main_window):  # type: ignore[no-untyped-def]
    """Ukrainian words bring their own letters: no two entries of a menu, and no menu title
    and label of the main window, share one (and none is a Latin letter)."""
    from teller_app.ui.settings import switch_language

    window = main_window
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: window.menu_tools.title() == "&Інструменти", timeout=5000)
        assert_menu_mnemonics(window.menuBar())
        titles = [a.text() for a in window.menuBar().actions()]
        labels = [w.text() for w in window.findChildren(QLabel)
                  if w.buddy() is not None and w.isVisibleTo(window)]
        buttons = [w.text() for w in window.findChildren(QAbstractButton)
                   if w.isVisibleTo(window) and mnemonic(w.text())]
        keys = [mnemonic(t) for t in titles + labels + buttons if mnemonic(t)]
        clashes = sorted(t for t in titles + labels + buttons
                         if mnemonic(t) and keys.count(mnemonic(t)) > 1)
        assert clashes == [], clashes
        assert all(not ("a" <= k <= "z") for k in keys), keys
    finally:
        switch_language("en")
