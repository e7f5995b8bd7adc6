"""A desk dialog of a kind (settings, About) closed and opened again at once, before its
deferred delete ran (a teller pressing the shortcut again right after closing), is a new,
live dialog, not the one being deleted; one still open is shown again, not opened twice."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid


def _run_deferred_deletes() -> None:
    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def test_settings_reopened_right_after_closing_is_a_live_dialog(qtbot, main_window):  # type: ignore[no-untyped-def]
    desk = main_window.desk
    first = desk.open_settings()
    qtbot.waitUntil(lambda: not main_window.ops.is_busy("settings-read"), timeout=5000)
    assert desk.open_settings() is first  # still open: shown again, not a second one
    first.close()  # WA_DeleteOnClose: deleted later, by the event loop
    again = desk.open_settings()  # no events in between: the delete is still pending
    _run_deferred_deletes()
    assert not isValid(first)
    assert isValid(again) and again.isVisible()
    qtbot.waitUntil(lambda: not main_window.ops.is_busy("settings-read"), timeout=5000)
    assert desk.open_settings() is again
    again.close()
    _run_deferred_deletes()


def test_about_reopened_right_after_closing_is_a_live_dialog(qtbot, main_window):  # type: ignore[no-untyped-def]
    desk = main_window.desk
    first = desk.open_about()
    assert desk.open_about() is first
    first.close()
    again = desk.open_about()
    _run_deferred_deletes()
    assert isValid(again) and again.isVisible()
    assert desk.open_about() is again
    again.close()
    _run_deferred_deletes()


def test_a_dialog_hidden_by_the_lock_is_kept(qtbot, main_window):  # type: ignore[no-untyped-def]
    """The lock hides ("parks") open windows and brings them back at unlock: such a dialog,
    with what the teller typed in it, is not one closed, and is not replaced."""
    from teller_app.ui.lock_guard import PARKED, park

    desk = main_window.desk
    about = desk.open_about()
    park(about)
    assert not about.isVisible()
    assert desk.open_about() is about
    _run_deferred_deletes()
    assert isValid(about)
    about.setProperty(PARKED, False)
    about.close()
    _run_deferred_deletes()
