"""A closed customer card leaves supervision's list of decorated cards when it is destroyed,
not at the next decision's refresh: a quiet desk (no request event) keeps no closed card, nor
its customer's data. Cards still open stay listed. Against the sandbox, offscreen."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from shiboken6 import isValid

from teller_app.ui.customer_card import CustomerCard

from .conftest import new_customer


def _card(qtbot: Any, arun: Any, window: Any, sandbox: Any, surname: str) -> CustomerCard:
    created = arun(window.session.client.create_customer(
        new_customer(sandbox, window.session, surname=surname, name="Тиха")))
    card = window.open_customer(arun(window.session.client.get_customer(
        created.customer_guid)))
    qtbot.waitUntil(lambda: len(card.account_panels) == 1, timeout=15000)
    return card


def test_a_closed_card_is_not_kept_on_a_quiet_desk(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    supervision = window.supervision
    assert supervision is not None
    kept = _card(qtbot, arun, window, sandbox, "Лишаєнко")
    closed = _card(qtbot, arun, window, sandbox, "Закриваєнко")
    assert kept in supervision._cards and closed in supervision._cards
    gone = weakref.ref(closed)
    window._remove_tab(window.tabs.indexOf(closed))  # as Ctrl+W / the tab's ×
    del closed
    qtbot.waitUntil(lambda: (card := gone()) is None or not isValid(card), timeout=5000)
    assert not supervision._cards_due  # no request event came: nothing refreshed the list
    assert supervision._cards == [kept]
    gc.collect()
    assert gone() is None, "the closed card's object (its customer) is still held"
