"""The main window fits a 1366 px desk screen (a common branch laptop) in both languages:
nothing in it insists on being wider."""

from __future__ import annotations

DESK_SCREEN = 1366
STRIP_AT_MOST = 480  # the sandbox strip wraps: beside the inbox it held the window ~860 px


def test_the_main_window_fits_a_1366_px_screen_in_both_languages(qtbot, main_window):  # type: ignore[no-untyped-def]
    from teller_app.ui.settings import switch_language

    window = main_window
    assert window.minimumSizeHint().width() <= DESK_SCREEN, window.minimumSizeHint()
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: window.menu_tools.title() == "&Інструменти", timeout=5000)
        assert window.minimumSizeHint().width() <= DESK_SCREEN, window.minimumSizeHint()
        strip = window.desk.strip
        assert strip.isVisibleTo(window) and "ПІСОЧНИЦЯ" in strip.text()
        assert strip.minimumSizeHint().width() <= STRIP_AT_MOST, strip.minimumSizeHint()
        assert strip.heightForWidth(STRIP_AT_MOST) > strip.heightForWidth(DESK_SCREEN)
    finally:
        switch_language("en")
