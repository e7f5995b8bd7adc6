"""A till answer's ``set_aside`` (payments DCM confirmed unlike the hub's authorization, which
the close sets aside) read into typed entries, what DCM confirmed from the hub's fields first
(an older hub's words read only when it sends none), tolerantly: a field missing or of a kind this
desk does not read is left empty, an entry that names nothing is left out, an answer that
does not carry the list says None (not "none set aside"); nothing crashes the read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till_models import SetAside, Till, set_aside_of

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
TILL: dict[str, Any] = {"id": "t1", "till_code": "K-01", "state": "close_cosign",
                        "teller": "t@bank", "open_total": "500.00", "expected": "500.00"}


def test_the_hubs_fields_are_read_first() -> None:
    """A newer hub says what DCM confirmed field by field: read as said, the words kept as
    they came (shown only when no field reads) and never parsed, even when they disagree."""
    items = set_aside_of([
        {"payment_guid": GUID, "kind": "deposit", "authorized": "45.00",
         "confirmed": "words the desk does not read", "confirmed_amount": "40.00",
         "confirmed_asset": "UAH"},
        {"payment_guid": "b" * 36, "kind": "deposit", "authorized": "15.00",
         "confirmed": "15.00 UAH, not EUR", "confirmed_amount": "15.00",
         "confirmed_asset": "UAH", "tills_currency": "EUR"},
        {"payment_guid": "c" * 36, "kind": "withdrawal", "authorized": "7.50",
         "confirmed": "another payment (d)", "confirmed_amount": "7.5",
         "confirmed_asset": "UAH", "confirmed_payment_guid": GUID},
        # the fields win over words that say otherwise
        {"payment_guid": "e" * 36, "confirmed": "99.00 EUR, not UAH",
         "confirmed_amount": "1.00"},
    ])
    assert items == (
        SetAside(GUID, "deposit", Decimal("45.00"), "words the desk does not read",
                 Decimal("40.00"), "UAH"),
        SetAside("b" * 36, "deposit", Decimal("15.00"), "15.00 UAH, not EUR",
                 Decimal("15.00"), "UAH", "EUR"),
        SetAside("c" * 36, "withdrawal", Decimal("7.50"), "another payment (d)",
                 Decimal("7.5"), "UAH", other_payment=GUID),
        SetAside("e" * 36, confirmed="99.00 EUR, not UAH", confirmed_amount=Decimal("1.00")),
    )


@pytest.mark.parametrize(("entry", "expected"), [
    # a field of a kind or form this desk does not read is left empty, never read from words
    ({"payment_guid": GUID, "confirmed": "40.00 UAH", "confirmed_amount": 40.0,
      "confirmed_asset": "U AH", "tills_currency": ["EUR"]},
     SetAside(GUID, confirmed="40.00 UAH")),
    ({"payment_guid": GUID, "confirmed": "another payment (x)",
      "confirmed_payment_guid": "<b>x</b>", "confirmed_amount": "NaN"},
     SetAside(GUID, confirmed="another payment (x)")),
    ({"payment_guid": GUID, "confirmed_amount": "1E+1", "confirmed_asset": "A" * 17},
     SetAside(GUID, confirmed_amount=Decimal("1E+1"))),
])
def test_a_field_not_read_is_not_guessed_from_the_words(entry: dict[str, Any],
                                                        expected: SetAside) -> None:
    assert set_aside_of([entry]) == (expected,)


def test_an_older_hubs_words_are_read() -> None:
    items = set_aside_of([
        {"payment_guid": GUID, "kind": "deposit", "authorized": "45.00",
         "confirmed": "40.00 UAH"},
        {"payment_guid": "b" * 36, "kind": "deposit", "authorized": "15.00",
         "confirmed": "15.00 UAH, not EUR"},
        {"payment_guid": "c" * 36, "kind": "withdrawal", "authorized": "7.50",
         "confirmed": f"another payment ({GUID})"},
    ])
    assert items == (
        SetAside(GUID, "deposit", Decimal("45.00"), "40.00 UAH", Decimal("40.00"), "UAH"),
        SetAside("b" * 36, "deposit", Decimal("15.00"), "15.00 UAH, not EUR",
                 Decimal("15.00"), "UAH", "EUR"),
        SetAside("c" * 36, "withdrawal", Decimal("7.50"), f"another payment ({GUID})",
                 other_payment=GUID),
    )


@pytest.mark.parametrize(("entry", "expected"), [
    # the co-sign's answer names no "confirmed"
    ({"payment_guid": GUID, "kind": "deposit", "authorized": "45.00"},
     SetAside(GUID, "deposit", Decimal("45.00"))),
    # wrong types and words: each field left empty, the rest kept
    ({"payment_guid": 42, "kind": ["deposit"], "authorized": "forty", "confirmed": "40 UAH"},
     SetAside("", "", None, "40 UAH", Decimal("40"), "UAH")),
    ({"payment_guid": GUID, "authorized": 1.5, "confirmed": {"amount": "1"}},
     SetAside(GUID)),
    ({"payment_guid": GUID, "authorized": "NaN", "confirmed": "Infinity UAH"},
     SetAside(GUID, confirmed="Infinity UAH")),
    ({"payment_guid": GUID, "authorized": True, "confirmed": "about <b>40</b>"},
     SetAside(GUID, confirmed="about <b>40</b>")),
    # a newer hub's kind is kept as it came (the desk words only the ones it knows)
    ({"payment_guid": GUID, "kind": "cheque", "authorized": 4500},
     SetAside(GUID, "cheque", Decimal(4500))),
])
def test_a_field_not_read_is_left_empty(entry: dict[str, Any], expected: SetAside) -> None:
    assert set_aside_of([entry]) == (expected,)


def test_entries_naming_nothing_are_left_out_and_no_list_is_none() -> None:
    assert set_aside_of(["x", 3, None, {}, {"kind": "deposit"}, {"payment_guid": GUID}]) == (
        SetAside(GUID),)
    assert set_aside_of([]) == ()
    for value in (None, "x", {"payment_guid": GUID}, 5):
        assert set_aside_of(value) is None


def test_a_till_answer_carries_them_only_where_it_says() -> None:
    said = Till.of({**TILL, "set_aside": [{"payment_guid": GUID, "authorized": "1.00"}]})
    assert said.set_aside == (SetAside(GUID, authorized=Decimal("1.00")),)
    assert Till.of(TILL).set_aside is None  # the position's, the report's: not said
    assert Till.of({**TILL, "set_aside": []}).set_aside == ()
    assert Till.of({**TILL, "set_aside": "broken"}).set_aside is None


@pytest.mark.parametrize("amount", ["1E+200000", "1E-200000", "1" * 21, "0." + "1" * 21])
def test_an_amount_of_too_many_digits_is_not_read(amount: str) -> None:
    """A label of 200 000 digits would be made on the UI thread: no amount, the words stay."""
    item = SetAside.of({"payment_guid": "p", "confirmed": "said in words",
                        "confirmed_amount": amount, "authorized": amount})
    assert item.confirmed_amount is None and item.authorized is None
    assert item.confirmed == "said in words"
    assert SetAside.of({"payment_guid": "p", "confirmed_amount": "1" * 20 + ".5"}
                       ).confirmed_amount == Decimal("1" * 20 + ".5")
