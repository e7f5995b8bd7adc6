"""A live language switch reaches the lock screen (its error and who is signed in remade from
what caused them) and the status bar's sync line, which is remade from when it synced."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from teller_app.ui.settings import switch_language
from tests.ui.untranslated import left_in_english

from .conftest import make_window


@pytest.mark.slow
def test_lock_screen_and_sync_line_follow_a_live_language_switch(  # type: ignore[no-untyped-def]
        qtbot, ops, teller_session, sandbox, arun):
    bundle = arun(open_branch_cache(teller_session))
    window = make_window(qtbot, ops, teller_session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        synced = window.sync_label.text()
        assert synced.startswith("Synced ")
        locker = window.supervision.locker
        locker.lock()
        screen = locker.screen
        sign_out = window.findChild(QPushButton, "lockSignOut")
        assert sign_out is not None and sign_out.text() == "Sign &out"
        screen.password.setText("wrong")
        screen.unlock_button.click()
        qtbot.waitUntil(lambda: screen.error.text() == "Wrong password.", timeout=15000)
        who = screen.who.text()
        assert who.startswith("Signed in: ")
        try:
            switch_language("uk")
            qtbot.waitUntil(lambda: screen.title.text() == "Сеанс заблоковано", timeout=5000)
            assert left_in_english(screen) == []
            assert screen.error.text() == "Неправильний пароль."
            assert screen.who.text() == who.replace("Signed in: ", "У системі: ")
            assert sign_out.text() == "&Вийти" and sign_out.accessibleName() == "Вийти"
            assert screen.password.accessibleName() == "Ваш пароль"  # what a reader says
            assert window.sync_label.text() == synced.replace("Synced ", "Синхронізовано о ")
        finally:
            switch_language("en")
        qtbot.waitUntil(lambda: screen.title.text() == "The session is locked", timeout=5000)
        assert screen.error.text() == "Wrong password." and screen.who.text() == who
        assert window.sync_label.text() == synced and sign_out.text() == "Sign &out"
        locker.unlock()
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
