"""A customer's full name reads the same on every screen and on paper: the Ukrainian official
order, прізвище, ім'я, по батькові ("Surname Name Patronymic"), made by one function
(``core.person_name.official_name``). Pinned through it and through the real screens: the
search table, the card's header, the receipt (and history, which prints the same), and the
approvals inbox / cash drafts / audit trail's customer names — against the sandbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.person_name import official_name
from teller_app.core.receipt import build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.cash_desk import desk_context
from teller_app.ui.people_lookup import lookup_customer_names
from teller_app.ui.receipt import receipt_rows

from .conftest import new_customer, unique

NAME, PATERNAL = "Тарас", "Григорович"


def _plain(text: object) -> str:
    return str(text).strip("\u2068\u2069")


def test_the_one_function_puts_surname_name_patronymic() -> None:
    assert official_name("Шевченко", "Тарас", "Григорович") == "Шевченко Тарас Григорович"
    assert official_name(surname="Шевченко", paternal_name="Григорович",
                         name="Тарас") == "Шевченко Тарас Григорович"
    assert official_name("Шевченко", "Тарас") == "Шевченко Тарас"
    assert official_name(None, " Тарас ", "") == "Тарас"  # no gaps for missing parts
    assert official_name("", None, None) == ""


def test_screens_and_print_use_the_official_order(qtbot: Any, main_window: Any, sandbox: Any,
                                                  arun: Any) -> None:
    session = main_window.session
    surname = "Шевченко" + unique("")
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, surname=surname, name=NAME, paternal_name=PATERNAL)))
    guid = created.customer_guid
    official = f"{surname} {NAME} {PATERNAL}"
    assert official_name(surname, NAME, PATERNAL) == official

    # the search table
    panel = main_window.search_panel
    panel.search_box.setText(surname)
    panel.run_search()
    qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 1,
                    timeout=10000)
    assert _plain(panel.model.data(panel.model.index(0, 0))) == official

    # the card's header
    card = main_window.open_customer(panel.model.row_at(0))
    assert _plain(card.title.text()) == official

    # the receipt (history reprints with the same desk context)
    desk = desk_context(session, card.customer, "UA213223130000026007233566001")
    assert desk.customer == official
    payment = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("150.50"),
                      asset_code="UAH", category="04", status="CONFIRMED")
    printed = dict(receipt_rows(build_receipt(payment, desk, "uk")))
    assert _plain(printed["Customer"]) == official  # isolated, as on every screen

    # approvals inbox, cash drafts and audit trail: the customer's name from the platform
    assert arun(lookup_customer_names(session.client, [guid])) == {guid: official}
