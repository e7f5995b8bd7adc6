"""While the cache is cold the platform answers the search box, matching names and logins as
typed: a Cyrillic name typed in Latin ("Kovalskiy" for "Ковальський") is also searched in its
likeliest Cyrillic spellings, and the results are merged, each customer once, on the real
sandbox."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.ui.search_sources import EXTRA_SPELLINGS, PlatformSearchSource, search_texts

from .conftest import TELLER, new_customer, password_of

# Syllables that read the same both ways (Cyrillic, Latin): a surname nobody else has.
SYLLABLES = [("ба", "ba"), ("бо", "bo"), ("ву", "vu"), ("ве", "ve"), ("да", "da"),
             ("до", "do"), ("зу", "zu"), ("ке", "ke"), ("ма", "ma"), ("мо", "mo"),
             ("ну", "nu"), ("пе", "pe"), ("ра", "ra"), ("ро", "ro"), ("ту", "tu"),
             ("фе", "fe")]


def unique_stem() -> tuple[str, str]:
    picks = [SYLLABLES[int(h, 16)] for h in uuid.uuid4().hex[:6]]
    cyr, lat = "".join(c for c, _ in picks), "".join(la for _, la in picks)
    return cyr[0].upper() + cyr[1:], lat[0].upper() + lat[1:]


def make_people(arun, sandbox, session) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Customers of a "-мельський" surname nobody else has: the Latin query a teller types
    for it ("...melskiy", Russian-style, as on an old passport), and the guids by role."""
    cyr, lat = unique_stem()
    masculine, typed = cyr + "мельський", lat + "melskiy"
    people = {
        # found by the login as typed and by the Cyrillic name: listed once
        "both": dict(surname=masculine, name="Петро",
                     login=f"{typed.lower()}.{uuid.uuid4().hex[:8]}@example.ua"),
        "cyr1": dict(surname=masculine, name="Олег"),
        "cyr2": dict(surname=masculine, name="Ілля"),
        "latin": dict(surname=typed, name="Ivan"),  # stored as typed
        "feminine": dict(surname=cyr + "мельська", name="Анна"),  # another ending: not found
    }
    guids = {}
    for role, fields in people.items():
        created = arun(session.client.create_customer(new_customer(sandbox, session, **fields)))
        guids[role] = created.wallet_user_guid
    return typed, guids


def test_a_latin_name_finds_the_cyrillic_one_once(qtbot, arun, sandbox, teller_session):  # type: ignore[no-untyped-def]
    typed, guids = make_people(arun, sandbox, teller_session)
    source = PlatformSearchSource(teller_session.client, teller_session.branch_guid)
    rows, total, capped = arun(source.first_page(typed, 50))
    found = [r.wallet_user_guid for r in rows]
    assert sorted(found) == sorted(guids[r] for r in ("both", "cyr1", "cyr2", "latin"))
    assert (total, capped) == (4, False)
    # as typed first (login, Latin surname), then the Cyrillic spelling's new ones
    assert set(found[:2]) == {guids["both"], guids["latin"]}
    # at most EXTRA_SPELLINGS more searches, none for a login, digits or a short word
    assert 1 < len(search_texts({"search_string": typed})) <= 1 + EXTRA_SPELLINGS
    for text in ("petro.k@ukr.net", "Kov1", "Ko", "Шевченко"):
        assert search_texts({"search_string": text}) == [text]


def test_a_vowel_then_i_is_also_searched_as_yi(qtbot, arun, sandbox, teller_session):  # type: ignore[no-untyped-def]
    """"Zaika" is "Заїка" as often as "Зайка": after a vowel an "i" is "ї" or "й"."""
    cyr, lat = unique_stem()
    guids = {}
    for role, surname in (("yi", cyr + "заїка"), ("short", cyr + "зайка")):
        customer = new_customer(sandbox, teller_session, surname=surname, name="Марта")
        guids[role] = arun(teller_session.client.create_customer(customer)).wallet_user_guid
    source = PlatformSearchSource(teller_session.client, teller_session.branch_guid)
    rows, total, capped = arun(source.first_page(lat + "zaika", 50))
    assert {r.wallet_user_guid for r in rows} == set(guids.values())
    assert (total, capped) == (2, False)


def test_merged_pages_follow_on_without_gaps_or_repeats(qtbot, arun, sandbox, teller_session):  # type: ignore[no-untyped-def]
    typed, guids = make_people(arun, sandbox, teller_session)
    source = PlatformSearchSource(teller_session.client, teller_session.branch_guid)
    rows, total, capped = arun(source.first_page(typed, 1))
    assert len(rows) == 1 and capped and total >= 2  # "2+": more to read
    pages = [rows]
    while pages[-1]:
        loaded = sum(len(p) for p in pages)
        pages.append(arun(source.page(typed, loaded, 1)))
    found = [r.wallet_user_guid for page in pages for r in page]
    assert len(found) == len(set(found)) == 4
    assert set(found) == {guids[r] for r in ("both", "cyr1", "cyr2", "latin")}
    # a page asked of a new source (no first page read) starts where it is told to
    again = PlatformSearchSource(teller_session.client, teller_session.branch_guid)
    assert [r.wallet_user_guid for r in arun(again.page(typed, 2, 10))] == found[2:]


def test_the_search_box_finds_the_cyrillic_name_typed_in_latin(qtbot, main_window, arun,  # type: ignore[no-untyped-def]
                                                                 sandbox):
    typed, guids = make_people(arun, sandbox, main_window.session)
    panel = main_window.search_panel
    assert isinstance(panel.source_for(None), PlatformSearchSource)  # no cache: cold
    qtbot.keyClicks(panel.search_box, typed)
    qtbot.waitUntil(lambda: panel.model.query == typed and panel.model.rowCount() == 4,
                    timeout=10000)
    shown = {panel.model.row_at(i).wallet_user_guid for i in range(4)}
    assert guids["feminine"] not in shown and guids["cyr2"] in shown
    assert (panel.model.total, panel.model.capped) == (4, False)


class RefuseCyrillicSearch(httpx.AsyncBaseTransport):
    """The real transport, but a search for Cyrillic text is refused (as by a gateway that
    takes ASCII only)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        text = request.url.params.get("search_string", "")
        if any("\u0400" <= ch <= "\u04ff" for ch in text):
            self.refused += 1
            return httpx.Response(400, json={"message": "bad search_string"}, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_refused_spelling_leaves_the_search_as_typed(qtbot, arun, sandbox, teller_session):  # type: ignore[no-untyped-def]
    typed, guids = make_people(arun, sandbox, teller_session)
    transport = RefuseCyrillicSearch()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                            auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)))
    try:
        source = PlatformSearchSource(client, teller_session.branch_guid)
        rows, total, capped = arun(source.first_page(typed, 50))
        assert transport.refused >= 1
        assert {r.wallet_user_guid for r in rows} == {guids["both"], guids["latin"]}
        assert (total, capped) == (2, False)
    finally:
        arun(client.aclose())


class StallSearches(httpx.AsyncBaseTransport):
    """The real transport, but customer searches wait (a slow network) until released."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.waiting: list[str] = []
        self.cancelled = self.answered = 0
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        text = request.url.params.get("search_string")
        if text:
            self.waiting.append(text)
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        response = await self.inner.handle_async_request(request)
        self.answered += bool(text)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_newer_search_supersedes_every_spelling_of_the_older(qtbot, ops, arun, sandbox,  # type: ignore[no-untyped-def]
                                                               teller_session):
    """The older search's op is cancelled and shows nothing; its requests are read to their
    end (a request cut off mid-flight costs its connection: a new one per keystroke)."""
    typed = "Kovalskiy"
    texts = search_texts({"search_string": typed})
    assert len(texts) == 1 + EXTRA_SPELLINGS
    transport = StallSearches()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                            auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)))
    try:
        source = PlatformSearchSource(client, teller_session.branch_guid)
        results: list[object] = []
        first = ops.run(lambda: source.first_page(typed, 50), on_success=results.append,
                        key="search")
        qtbot.waitUntil(lambda: len(transport.waiting) == len(texts), timeout=10000)
        assert sorted(transport.waiting) == sorted(texts)  # all at once
        ops.run(lambda: asyncio.sleep(0), key="search")  # the next keystroke's search
        qtbot.waitUntil(first.done, timeout=10000)
        transport.release.set()  # the stale answers arrive after all
        qtbot.waitUntil(lambda: transport.answered == len(texts), timeout=10000)
        assert transport.cancelled == 0
        assert results == []  # and are never shown
    finally:
        arun(client.aclose())
