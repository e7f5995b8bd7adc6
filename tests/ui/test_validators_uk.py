"""Field checks on Ukrainian input (audit: a Latin letter hidden in a Cyrillic surname, the
old "8 0XX" phone prefix, an IBAN printed with hyphens, logins typed in capitals or as a
phone number) and the one stored form of a name."""

from __future__ import annotations

import pytest

from teller_app.core.person_name import mixed_script_letter, normalise_person_name
from teller_app.platform.phones import same_phone, written_forms
from teller_app.ui.validators import check_iban, check_login, check_phone, check_text

IBAN = "UA213223130000026007233566001"


@pytest.mark.parametrize("typed", ["80671234567", "8 067 123 45 67", "8 (067) 123-45-67",
                                   "067 123 45 67", "+380 67 123 45 67"])
def test_the_old_trunk_prefix_8_is_read_as_380(qapp, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert check_phone(typed) == ("+380671234567", "")


def test_an_iban_printed_with_hyphens_is_read(qapp) -> None:  # type: ignore[no-untyped-def]
    assert check_iban("UA21-3223-1300-0002-6007-2335-6600-1") == (IBAN, "")
    assert check_iban("ua21 3223-1300 0002 6007 2335 6600 1") == (IBAN, "")


@pytest.mark.parametrize("typed,stored", [
    ("Olena.Koval@UKR.net", "olena.koval@ukr.net"),
    ("+380 67 123 45 67", "+380671234567"),
    ("067 123 45 67", "+380671234567"),
    ("80671234567", "+380671234567"),
    ("671234567", "671234567"),  # a bare number may be a customer number: kept
    ("800123456", "800123456"),  # so is a 9-digit one led by 80 (not the 80 + 9 trunk form)
    ("3012345678", "3012345678"),  # a tax id, not a phone
    ("CustomerNo7", "CustomerNo7"),  # not an e-mail: kept as typed
])
def test_logins_are_stored_in_one_form(qapp, typed: str, stored: str) -> None:  # type: ignore[no-untyped-def]
    assert check_login(typed) == (stored, "")


def test_a_word_mixing_scripts_names_the_odd_letter(qapp) -> None:  # type: ignore[no-untyped-def]
    assert check_text("Шевчeнко", "Surname", name=True)[1] == \
        "Latin letter \u201ce\u201d in a Cyrillic word: type it in Cyrillic."
    assert check_text("Олексiй", "Name", name=True)[1] == \
        "Latin letter \u201ci\u201d in a Cyrillic word: type it in Cyrillic."
    assert check_text("Ivanко", "Name", name=True)[1] == \
        "Cyrillic letter \u201cк\u201d in a Latin word: type it in Latin."
    for fine in ("Шевченко", "Taras Shevchenko", "O'Connor", "Косач-Квітка", "Мар'яна",
                 "Ivan Іванович"):  # each word in one script
        assert check_text(fine, "Name", name=True)[1] == "", fine
    assert check_text("Шевчeнко", "Comment")[1] == ""  # free text is not a name


@pytest.mark.parametrize("typed,stored", [
    ("  Іван  ", "Іван"),
    ("Іван  Петро", "Іван Петро"),
    ("Мар'яна", "Марʼяна"),
    ("Мар’яна", "Марʼяна"),
    ("Мар`яна", "Марʼяна"),
    ("Марʼяна", "Марʼяна"),
    ("І\u0308жак", "Їжак"),  # a decomposed Ї, as pasted from a PDF
    ("Андрі\u0438\u0306", "Андрій"),  # й as и and its breve
    ("O'Brien", "OʼBrien"),  # one apostrophe form whatever the script
])
def test_a_name_is_stored_in_one_form(typed: str, stored: str) -> None:
    assert normalise_person_name(typed) == stored
    assert mixed_script_letter(stored) is None


def test_phone_forms_a_server_may_hold() -> None:
    forms = written_forms("067 123 45 67")
    assert forms[:3] == ["+380671234567", "380671234567", "0671234567"]
    assert "+380 67 123 45 67" in forms and "(067) 123-45-67" in forms  # as people write it
    assert written_forms("+48 601 234 567")[:2] == ["+48601234567", "48601234567"]
    assert written_forms("12345") == []
    assert same_phone("0671234567", "+380 67 123 45 67") and same_phone("80671234567",
                                                                        "+380671234567")
    assert not same_phone("", "") and not same_phone("0671234567", "0671234568")
