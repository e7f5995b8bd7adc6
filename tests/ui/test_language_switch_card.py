"""A live language switch re-texts an open customer card and the search results in place:
the customer, accounts and balances, the open-account frame's input, the focus and the
results' selection all stay (nothing is rebuilt, the table model is not reset)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.customer_table_model import row_guid
from teller_app.ui.money import format_money
from teller_app.ui.settings import switch_language

from .conftest import make_window, open_session
from .untranslated import left_in_english

SUPERVISOR = "supervisor.kyiv@demo.bank"


def _loaded_card(qtbot, window, row: int) -> CustomerCard:  # type: ignore[no-untyped-def]
    card = window.open_customer(window.search_panel.model.row_at(row))
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date" and bool(card.account_panels)
                    and card.findChild(QWidget, "supervisionActions") is not None,
                    timeout=10000)
    return card


def _amounts(card: CustomerCard) -> list[tuple[str, str]]:
    return [(a.shown_code, str(a.balance)) for p in card.account_panels for a in p.account.assets]


def _formatted(card: CustomerCard) -> list[str]:
    """The balances as the current language formats them (hryvnia sign in Ukrainian)."""
    return [format_money(a.balance, a.minor_unit, a.shown_code)
            for p in card.account_panels for a in p.account.assets]


def test_open_card_and_results_follow_a_live_switch(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    panel = window.search_panel
    model = panel.model
    row = min(2, model.rowCount() - 1)
    panel.table.selectionModel().setCurrentIndex(
        model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    selected_guid = row_guid(model.row_at(row))
    card = _loaded_card(qtbot, window, row)
    guid, title, panels = card.guid, card.title.text(), list(card.account_panels)
    amounts = _amounts(card)
    card.show_open_account()
    qtbot.keyClicks(card.open_account_iban, "UA21")
    card._submit_open_account()  # refused here: "This is not a valid IBAN."
    error = card.open_account_error.text()
    assert error and card.open_account_iban.hasFocus()
    assert left_in_english(card)  # an English card to begin with
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: card.refresh_button.text() == "Оновити (Ctrl+R)", timeout=5000)
        qtbot.waitUntil(lambda: card.freshness.text() == "Дані актуальні", timeout=5000)
        assert left_in_english(card) == []
        assert "Рівень KYC" in card.flags.text()
        assert card.open_account_error.text() not in ("", error)
        # the same customer, accounts and balances (now in Ukrainian format), input and focus
        assert card.guid == guid and card.title.text() == title
        assert card.account_panels == panels and _amounts(card) == amounts
        assert card.balance_texts() == _formatted(card)
        assert any("₴" in text for text in card.balance_texts())
        assert card.open_account_frame.isVisibleTo(card)
        assert card.open_account_iban.text() == "UA21"
        assert QApplication.focusWidget() is card.open_account_iban
        # the results: re-texted, the selection kept (no model reset)
        window.tabs.setCurrentIndex(0)
        assert left_in_english(panel) == []
        assert [i.row() for i in panel.table.selectionModel().selectedRows()] == [row]
        assert row_guid(model.row_at(row)) == selected_guid
        # the status bar's employee line names the role in Ukrainian too
        assert "Операціоніст" in window.employee_label.text()
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: card.refresh_button.text() == "Refresh (Ctrl+R)", timeout=5000)
    assert card.freshness.text() == "Up to date" and card.open_account_error.text() == error
    assert "Teller" in window.employee_label.text()
    assert card.balance_texts() == _formatted(card)
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Name"
    assert card.open_account_iban.text() == "UA21"


@pytest.fixture()
def supervisor_window(qtbot, ops, arun, sandbox):  # type: ignore[no-untyped-def]
    """As ``main_window``, signed in as a supervisor (the card shows "Disable customer")."""
    session = open_session(arun, sandbox, SUPERVISOR)
    window = make_window(qtbot, ops, session, sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    yield window
    window._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())


def test_supervision_buttons_on_a_card_follow_a_live_switch(qtbot, supervisor_window):  # type: ignore[no-untyped-def]
    card = _loaded_card(qtbot, supervisor_window, 0)
    box = card.findChild(QWidget, "supervisionActions")
    buttons = box.buttons()
    toggle = card.findChild(QPushButton, "toggleDisabledButton")
    assert toggle is not None
    assert toggle.text().replace("&", "") in ("Disable customer", "Enable customer")
    assert toggle in buttons
    toggle.setFocus()
    amounts = _amounts(card)
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: toggle.text().replace("&", "") in ("Вимкнути клієнта",
                                                                 "Увімкнути клієнта"),
                        timeout=5000)
        assert left_in_english(card) == []
        assert box.buttons() == buttons  # re-texted, not rebuilt
        assert toggle.hasFocus() and _amounts(card) == amounts
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: toggle.text().replace("&", "") in ("Disable customer",
                                                                "Enable customer"),
                    timeout=5000)
    assert card.findChild(QPushButton, "accountHistoryButton").text() == "Account history…"


def test_a_pending_request_note_follows_a_live_switch(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The note the hub's answer puts on a card ("Awaiting approval: …"; no hub here: the
    note is added as that answer adds it) is re-made from its request in the new language."""
    from teller_app.ui.supervision_cards import CardActions, awaiting_approval

    card = QWidget()
    qtbot.addWidget(card)
    box = CardActions(card)
    request = ChangeRequest(id="r1", kind="customer.update", customer_guid="g1",
                            change={"is_disabled": True})
    note = QLabel()
    box.add(note, lambda: awaiting_approval(request), 0)
    english = note.text()
    assert english.startswith("Awaiting approval: ")
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: note.text().startswith("Очікує погодження: "), timeout=5000)
        assert note.text() == awaiting_approval(request) != english  # the change, too
        assert left_in_english(card) == []
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: note.text() == english, timeout=5000)


def test_a_background_refresh_keeps_the_card_buttons_and_focus(qtbot, supervisor_window):  # type: ignore[no-untyped-def]
    """A card refreshed while the teller is on one of its buttons (a live event, Refresh) keeps
    the buttons: only a change to what they say (enabled/disabled) makes them again."""
    card = _loaded_card(qtbot, supervisor_window, 0)
    box = card.findChild(QWidget, "supervisionActions")
    deposit = card.findChild(QPushButton, "cash_deposit_button")
    assert deposit is not None
    buttons = box.buttons()
    assert deposit in buttons
    deposit.setFocus()
    changed: list[object] = []
    card.customer_changed.connect(changed.append)
    card.refresh()
    qtbot.waitUntil(lambda: bool(changed) and card.freshness.text() == "Up to date",
                    timeout=10000)
    QApplication.processEvents()  # a deleteLater would run here
    assert box.buttons() == buttons
    assert deposit.hasFocus()
