"""While the cache is cold the platform answers the search box: a pasted decomposed name (NFD
"и" + U+0306 for "й", as from a PDF) is sent composed, as names are stored, and a control
character (a paste's line break, a stray NUL) is sent as a space, never as itself. Real
sandbox over HTTP."""

from __future__ import annotations

import unicodedata
import uuid

from teller_app.ui.search_sources import PlatformSearchSource, asked_text

from .conftest import new_customer


def test_the_text_asked_is_composed_and_without_controls() -> None:
    assert asked_text(unicodedata.normalize("NFD", " Йосипенко ")) == "Йосипенко"
    assert asked_text("Йосипенко\x00") == "Йосипенко"
    assert asked_text("Йосипенко\r\nЇвга\t") == "Йосипенко Ївга"
    assert asked_text("\x00\x7f\x85") == ""


def test_a_pasted_name_finds_the_stored_one(qtbot, arun, sandbox, teller_session):  # type: ignore[no-untyped-def]
    surname = "Йосипенко" + "".join("абвгдежзиклмнопр"[int(h, 16)] for h in uuid.uuid4().hex[:6])
    created = arun(teller_session.client.create_customer(new_customer(
        sandbox, teller_session, surname=surname, name="Ївга")))
    source = PlatformSearchSource(teller_session.client, teller_session.branch_guid)
    for pasted in (unicodedata.normalize("NFD", surname), surname + "\x00", surname + "\n",
                   unicodedata.normalize("NFD", surname[:-1])):
        rows, total, _capped = arun(source.first_page(pasted, 50))
        assert [r.wallet_user_guid for r in rows] == [created.wallet_user_guid], repr(pasted)
        assert total == 1, repr(pasted)


def test_a_pasted_page_is_not_asked_whole() -> None:
    """A 10 000-character paste goes to the platform's URL as the cache reads it: its first
    100 characters (it went whole into the query string)."""
    from teller_app.ui.search_sources import MAX_ASKED_CHARS, asked_text

    assert asked_text("Шевченко " * 2000) == ("Шевченко " * 2000)[:MAX_ASKED_CHARS].strip()
    assert MAX_ASKED_CHARS == 100
