"""A phone number the desk refuses is worded one way, whatever is wrong with it: letters
("Not a phone number." once, on the edit form) or a number too short (the new-customer
form's "This phone number is not valid.")."""

from __future__ import annotations

import pytest

from teller_app.ui.validators import check_phone

NOT_VALID = "This phone number is not valid."


@pytest.mark.parametrize("typed", ["abc", "067 123", "+380 12", "12"])
def test_every_refused_phone_is_said_the_same_way(qapp, english, typed: str) -> None:  # type: ignore[no-untyped-def]
    value, problem = check_phone(typed)
    assert problem == NOT_VALID
    assert value == typed.strip()


def test_the_same_words_in_ukrainian(qapp, ukrainian) -> None:  # type: ignore[no-untyped-def]
    letters, short = check_phone("abc")[1], check_phone("067 123")[1]
    assert letters and letters == short
