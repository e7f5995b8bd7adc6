"""Search as you type against the sandbox, open a card, see balances, open an account."""

from __future__ import annotations

from PySide6.QtCore import Qt

from teller_app.ui.customer_card import CustomerCard

from .conftest import new_customer, unique


def test_typing_a_surname_shows_the_matching_rows(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    session = main_window.session
    # QTest types Latin-1 only: type a Latin surname, and set a Cyrillic one as text.
    surname = unique("Shevchuk")
    cyrillic = "Шевчук" + unique("")
    for last in (surname, cyrillic):
        arun(session.client.create_customer(new_customer(sandbox, session, surname=last,
                                                          name="Тарас")))
    panel = main_window.search_panel
    assert panel.search_box.hasFocus()
    qtbot.keyClicks(panel.search_box, surname[:14])
    qtbot.waitUntil(lambda: panel.model.query == surname[:14]
                    and panel.model.rowCount() == 1, timeout=10000)
    row = panel.model.row_at(0)
    assert row.surname == surname
    assert panel.model.data(panel.model.index(0, 0)).strip("\u2068\u2069").startswith(surname)
    panel.search_box.setText(cyrillic)
    qtbot.waitUntil(lambda: panel.model.query == cyrillic and panel.model.rowCount() == 1,
                    timeout=10000)
    assert panel.model.row_at(0).surname == cyrillic


def test_newest_query_wins(qtbot, main_window):  # type: ignore[no-untyped-def]
    panel = main_window.search_panel
    for text in ("a", "ab", "zzzz-no-such-customer"):
        panel.search_box.setText(text)
        panel.run_search()
    qtbot.waitUntil(lambda: not main_window.ops.is_busy("search"), timeout=10000)
    assert panel.model.query == "zzzz-no-such-customer"
    assert panel.model.rowCount() == 0


def test_enter_opens_card_with_balance_and_esc_goes_back(qtbot, main_window):  # type: ignore[no-untyped-def]
    panel = main_window.search_panel
    panel.table.setFocus()
    panel.table.selectRow(0)
    with qtbot.waitSignal(main_window.customer_card_opened, timeout=5000) as opened:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    card = opened.args[0]
    assert isinstance(card, CustomerCard)
    assert card.customer is not None and card.actions_layout is not None
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
    balances = card.balance_texts()
    # Each balance names its own asset (another test may have given this customer a second).
    codes = [a.shown_code for panel in card.account_panels for a in panel.account.assets]
    assert balances and len(balances) == len(codes)
    assert all(code in text for code, text in zip(codes, balances, strict=True))
    assert "UAH" in codes
    assert card.account_panels[0].iban_label.text().startswith("UA")
    card.account_panels[0].copy_iban()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == card.account_panels[0].account.iban
    qtbot.keyClick(card, Qt.Key.Key_Escape)
    assert main_window.tabs.currentIndex() == 0


def test_additional_account_opens_then_platform_message(qtbot, main_window):  # type: ignore[no-untyped-def]
    """End to end: the additional account opens in the sandbox's second asset (EUR); asking
    again shows the platform's one-account-per-asset message."""
    card = main_window.open_customer(main_window.search_panel.model.row_at(0))
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
    before = len(card.account_panels)
    card.show_open_account()
    card.open_account_iban.setText("UA21 3223 1300 0002 6007 2335 6600 2")  # bad checksum
    card._submit_open_account()
    assert "checksum" in card.open_account_error.text()
    card.open_account_iban.clear()
    assert before == 1  # only UAH so far: the EUR account opens
    with qtbot.waitSignal(card.account_opened, timeout=10000):
        card._submit_open_account()
    assert len(card.account_panels) == 2
    assert any("EUR" in text for text in card.balance_texts())
    assert not card.open_account_frame.isVisibleTo(card)
    card.show_open_account()
    card._submit_open_account()
    qtbot.waitUntil(lambda: card.open_account_error.text() != "", timeout=10000)
    assert "already has an account" in card.open_account_error.text()
    assert card.open_account_frame.isVisibleTo(card)
