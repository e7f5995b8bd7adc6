"""While the cache is cold the platform's search matches text as typed, apostrophe and all, so
a Ukrainian name with an apostrophe (stored as ', ’ or ʼ) is searched as its longest part
without one and the rows are kept that match the whole text: "Lukianenko" (KMU 2010 drops
the apostrophe) and "Лук'яненко" typed with any apostrophe find "Лук’яненко" stored with
another, in a bounded number of requests, on the real sandbox."""

from __future__ import annotations

import httpx
import pytest

from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.ui import search_sources
from teller_app.ui.search_sources import EXTRA_SPELLINGS, PlatformSearchSource, search_texts

from .conftest import TELLER, new_customer, password_of
from .test_search_sources_spellings import unique_stem

APOSTROPHES = ("'", "\u2019", "\u02bc")  # ASCII, right single quote, modifier letter


class CountSearches(httpx.AsyncBaseTransport):
    """The real transport, counting the customer searches sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        text = request.url.params.get("search_string")
        if text:
            self.sent.append(text)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture()
def counted(arun, sandbox):  # type: ignore[no-untyped-def]
    transport = CountSearches()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                            auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)))
    yield client, transport
    arun(client.aclose())


def make_lukianenkos(arun, sandbox, session) -> tuple[str, str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """"Лук'яненко" + a stem nobody else has, stored with each apostrophe and without one,
    and a "Дем'яненко" the apostrophe-free part also finds; the stem (Cyrillic, Latin), the
    guids by role."""
    cyr, lat = unique_stem()
    stem = cyr.lower()
    surnames = {f"apos{i}": f"Лук{a}яненко{stem}" for i, a in enumerate(APOSTROPHES)}
    surnames |= {"plain": f"Лукяненко{stem}", "decoy": f"Дем'яненко{stem}"}
    guids = {}
    for role, surname in surnames.items():
        customer = new_customer(sandbox, session, surname=surname, name="Левко")
        guids[role] = arun(session.client.create_customer(customer)).wallet_user_guid
    return stem, lat.lower(), guids


def wanted(guids: dict[str, str]) -> set[str]:
    return {guid for role, guid in guids.items() if role != "decoy"}


def test_lukianenko_typed_in_latin_finds_every_apostrophe(qtbot, arun, sandbox,  # type: ignore[no-untyped-def]
                                                           teller_session, counted):
    _stem, lat, guids = make_lukianenkos(arun, sandbox, teller_session)
    typed = "Lukianenko" + lat
    client, transport = counted
    source = PlatformSearchSource(client, teller_session.branch_guid)
    rows, total, capped = arun(source.first_page(typed, 50))
    assert {r.wallet_user_guid for r in rows} == wanted(guids)  # not the "Дем'яненко"
    assert (total, capped) == (4, False)
    # as many searches as before: the Cyrillic spelling is sent as its part "яненко..."
    assert len(transport.sent) == len(search_texts({"search_string": typed})) \
        <= 1 + EXTRA_SPELLINGS
    assert any(text.startswith("яненко") for text in transport.sent), transport.sent


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_a_cyrillic_name_with_any_apostrophe_finds_the_others(qtbot, arun, sandbox,  # type: ignore[no-untyped-def]
                                                               teller_session, counted,
                                                               apostrophe):
    stem, _lat, guids = make_lukianenkos(arun, sandbox, teller_session)
    typed = f"Лук{apostrophe}яненко{stem}"
    client, transport = counted
    source = PlatformSearchSource(client, teller_session.branch_guid)
    rows, total, capped = arun(source.first_page(typed, 50))
    assert {r.wallet_user_guid for r in rows} == wanted(guids)
    assert (total, capped) == (4, False)
    assert len(transport.sent) == 1  # one search: the part after the apostrophe
    # the table's later pages follow on without repeats, also from a new source
    again = PlatformSearchSource(client, teller_session.branch_guid)
    first = arun(again.page(typed, 0, 2))
    rest = arun(again.page(typed, 2, 50))
    assert len(first) == 2 and {r.wallet_user_guid for r in first + rest} == wanted(guids)


def test_a_part_reads_past_pages_it_drops_within_a_bound(qtbot, arun, sandbox,  # type: ignore[no-untyped-def]
                                                         teller_session, counted, monkeypatch):
    """One-row pages: the part's first rows are others' ("Дем'яненко...", first in order of
    creation and of surname), so the first page is empty and "0+"; the next pages read on to
    the matches, never taking an empty read for the end, and a part is read FILTERED_PAGES
    pages at most."""
    cyr, _lat = unique_stem()
    stem = cyr.lower()
    guids = {}
    for role, surname in (("decoy1", f"Дем'яненко{stem}"), ("decoy2", f"Бар'яненко{stem}"),
                          ("match1", f"Лук'яненко{stem}"), ("match2", f"Лук’яненко{stem}")):
        customer = new_customer(sandbox, teller_session, surname=surname, name="Левко")
        guids[role] = arun(teller_session.client.create_customer(customer)).wallet_user_guid
    monkeypatch.setattr(search_sources, "FILTERED_PAGE", 1)
    client, transport = counted
    typed = f"Лук'яненко{stem}"
    source = PlatformSearchSource(client, teller_session.branch_guid)
    assert arun(source.first_page(typed, 1)) == ([], 0, True)
    found = [r.wallet_user_guid for r in arun(source.page(typed, 0, 1))]
    found += [r.wallet_user_guid for r in arun(source.page(typed, 1, 1))]
    assert found == [guids["match1"], guids["match2"]]
    assert arun(source.page(typed, 2, 1)) == []  # the end
    assert len(transport.sent) == 4  # one row a read
    # at most FILTERED_PAGES reads: past them the part ends (the warm cache finds the rest)
    monkeypatch.setattr(search_sources, "FILTERED_PAGES", 2)
    transport.sent.clear()
    bounded = PlatformSearchSource(client, teller_session.branch_guid)
    assert arun(bounded.first_page(typed, 1)) == ([], 0, True)
    assert arun(bounded.page(typed, 0, 1)) == []
    assert len(transport.sent) == 2
