"""A button showing no word (a glyph such as "✕", an arrow, an icon) has an accessible name
in words: a screen reader would otherwise say the glyph, or nothing (audit: the banner's close
button was named "✕" and is the form's first Tab stop). Checked on the main window with its
banner, a customer's card and the new-customer form with its banner."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QWidget

from teller_app.ui import a11y
from teller_app.ui.customer_card import CustomerCard


def _unnamed_glyph_buttons(window: QWidget) -> list[tuple[str, str, str]]:
    a11y.tie_labels(window)  # as the window's activation does
    return [(type(button).__name__, button.objectName(), button.text())
            for button in window.findChildren(QAbstractButton)
            if button.isVisibleTo(window) and button.window() is window
            and not any(ch.isalpha() for ch in button.text())
            and not button.accessibleName().strip()]


def test_every_button_without_words_is_named_in_words(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    window.banner.show_message("The platform cannot be reached.", "warning")
    assert window.banner.close_button.isVisibleTo(window)
    assert window.banner.close_button.accessibleName() == "Dismiss"
    assert _unnamed_glyph_buttons(window) == []

    card = window.open_customer(window.search_panel.model.row_at(0))
    assert isinstance(card, CustomerCard)
    qtbot.waitUntil(lambda: bool(card.account_panels), timeout=10000)
    assert window.tabs.currentWidget() is card
    assert _unnamed_glyph_buttons(window) == []

    form = window.new_customer()
    form.submit()  # nothing typed: its banner says to check the fields
    assert form.banner.isVisibleTo(window) and form.banner.close_button.isVisibleTo(window)
    assert _unnamed_glyph_buttons(window) == []
