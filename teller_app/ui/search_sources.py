"""Where the search box looks: the branch cache (instant, offline) or the platform.

The platform's ``search_string`` matches names and logins only, so the platform source sends
phone numbers, IBANs and GUIDs to the filters that match them exactly. It matches them as
typed, so a name typed in Latin ("Kovalskiy") is also searched in its likeliest Cyrillic
spellings ("ковальськи"), at most ``EXTRA_SPELLINGS`` more searches sent with the first (and
dropped with it); their results follow, each customer once (``MergedSearch``).

An apostrophe may be stored as ', ’ or ʼ, and a Latin spelling drops it ("Lukianenko" for
"Лук'яненко"), so a text with one, or a Cyrillic spelling with a place for one, is sent as
its longest part without ("яненко") and the rows are kept that match the whole text,
apostrophes dropped (``SearchText``): no more searches, each read in bigger pages.

Order: the platform is asked for its customers by surname (``ordering``; its default is the
order they were created in, so the start page listed whoever came first, not "А…"), where
the server honours it; its order is its database's, not Ukrainian alphabetical order, so the
table sorts what it has loaded (``CustomerTableModel``). The cache's whole list comes in that
order already (``CacheSearchSource.in_name_order``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from teller_app.cache.search import looks_like_iban
from teller_app.cache.text import IBAN_GAPS, UA_IBAN_LENGTH, digits, fold
from teller_app.cache.translit import apostrophe_free_part, cyrillic_text_spellings
from teller_app.platform import PlatformError
from teller_app.ui.validators import check_iban, check_phone

if TYPE_CHECKING:  # typing only: loaded with the main window, not before
    from teller_app.cache.rows import CustomerRow
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.platform import PlatformClient
    from teller_app.platform.models.customers import Customer

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}$")
PHONE_RE = re.compile(r"^\+?[\d\s()\-]{7,}$")
IBAN_RE = re.compile(r"^[A-Za-z]{2}\d{2}[\dA-Za-z ]{10,}$")
log = logging.getLogger(__name__)
T = TypeVar("T")

# A name in Latin letters (not a login: no digits, "@" or "."), three letters at least.
LATIN_NAME_RE = re.compile(r"^(?=(?:[^A-Za-z]*[A-Za-z]){3})[A-Za-z'’ʼ\- ]+$")
EXTRA_SPELLINGS = 2  # more platform searches per query, sent together with the one as typed
# A text sent as a part of itself (``SearchText.matches``) is read in pages of at least this
# many rows, at most FILTERED_PAGES of them: the rows the part finds beyond are not looked at
# (the warm cache finds them), so a query costs a bounded number of requests.
FILTERED_PAGE = 200
FILTERED_PAGES = 4
MIN_PART = 3  # letters a spelling's part is sent with, at least
PLATFORM_NAME_ORDER = "surname"  # the platform's nearest to alphabetical (its default: created)


def read_to_end(call: Awaitable[T]) -> Awaitable[T]:
    """A search a newer keystroke supersedes is cancelled, its request is not: httpx closes
    the connection of a request cancelled mid-flight, so on a slow link each keystroke paid a
    new connection (8 keys, 7 connections). The stale answer is read to its end and dropped
    (the connection goes back to the pool); the cancelled caller never sees it."""
    task = asyncio.ensure_future(call)
    task.add_done_callback(_retrieved)
    return asyncio.shield(task)


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # a superseded query's failure is nobody's: not logged as unretrieved


# An account number typed without its IBAN (UA: up to 19 digits) has more digits than any
# phone number (380671234567: 12), so is never taken for one.
ACCOUNT_DIGITS = 13
_DIGITS_ONLY = re.compile(r"^[\d\s\-]+$")


# C0 and C1 control characters (Unicode Cc): a paste's tabs and line breaks, a stray NUL
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


MAX_ASKED_CHARS = 100  # as the cache reads a query (``cache.search.MAX_QUERY_CHARS``)


def asked_text(query: str) -> str:
    """``query`` as the platform is asked it: in NFC (the platform compares code points: a
    pasted decomposed "и" + U+0306 would never match a stored "й"), each run of control
    characters a space, stripped. The cache reads a query in NFC too, and a control character
    is in none of its words (``cache.search.build_plan``)."""
    query = query.strip()[:MAX_ASKED_CHARS]  # a pasted page never goes into the URL
    if not query.isascii():
        query = unicodedata.normalize("NFC", query)
    return _CONTROLS.sub(" ", query).strip()


def iban_in_part(query: str) -> bool:
    """An IBAN typed in part ("UA21 3223", "ua213223") or an account number
    ("26007233566001"). The platform finds an account by its whole IBAN only, and the cache
    holds the IBANs only of accounts this desk has read (sync stores none), so when such a
    query finds nobody the teller is told to type the whole IBAN (``SearchPanel``)."""
    q = query.strip()
    if _DIGITS_ONLY.match(q):
        return len(digits(q)) >= ACCOUNT_DIGITS
    return _iban_digits_start(q) and len(IBAN_GAPS.sub("", q)) < UA_IBAN_LENGTH


def _iban_digits_start(q: str) -> bool:
    """``q`` (stripped) is what the cache searches as an IBAN's start (``looks_like_iban``)
    with only digits after the check digits (spaces and dashes between): a Ukrainian IBAN's
    form, never a login's words ("ua21abc")."""
    return looks_like_iban(q) and IBAN_GAPS.sub("", q)[4:].isdecimal()


def iban_mistake(query: str) -> str:
    """What is wrong with an IBAN typed whole (as long as a Ukrainian one, or longer) that
    is not valid (translated; ``validators.check_iban``), else ""."""
    q = query.strip()
    compact = IBAN_GAPS.sub("", q)
    if len(compact) < UA_IBAN_LENGTH or not _iban_digits_start(q):
        return ""
    return check_iban(compact)[1]


def platform_only(query: str) -> bool:
    """A GUID or a whole, valid IBAN: the cache indexes no GUIDs and holds IBANs only of
    accounts opened on this desk, so the platform answers these exactly (when online)."""
    q = query.strip()
    return bool(GUID_RE.match(q)) or bool(IBAN_RE.match(q) and not check_iban(q)[1])


class PlatformSearchSource:
    immediate = False
    label = "platform"

    def __init__(self, client: PlatformClient, branch_guid: str | None = None) -> None:
        self.client = client
        self.branch_guid = branch_guid
        self._merged: MergedSearch | None = None  # the query's texts read so far

    async def _filters(self, query: str) -> dict[str, Any] | None:
        """list_customers keywords for ``query``; None = nothing can match. (Any: the
        keywords' values differ in type.)"""
        filters: dict[str, Any] = {"ordering": PLATFORM_NAME_ORDER}
        if self.branch_guid:
            filters["branch_guids"] = [self.branch_guid]
        q = asked_text(query)
        if not q:
            return filters
        if GUID_RE.match(q):
            filters["wallet_user_guids"] = [q]
        elif IBAN_RE.match(q) and not check_iban(q)[1]:
            page = await read_to_end(
                self.client.list_accounts(search_string=q.replace(" ", "").upper()))
            owners = sorted({a.wallet_user_guid for a in page.accounts if a.wallet_user_guid})
            if not owners:
                return None
            filters["wallet_user_guids"] = owners
        elif PHONE_RE.match(q) and not check_phone(q)[1]:
            filters["phone_numbers"] = [check_phone(q)[0]]
        else:
            filters["search_string"] = q
        return filters

    async def first_page(self, query: str, limit: int) -> tuple[list[Customer], int, bool]:
        filters = await self._filters(query)
        if filters is None:
            return [], 0, False
        texts = search_plan(filters)
        if len(texts) > 1 or any(t.matches for t in texts):
            self._merged = MergedSearch(self.client, query, filters, texts)
            return await self._merged.first_page(limit)
        page = await read_to_end(self.client.list_customers(offset=0, limit=limit, **filters))
        return list(page.customers), max(0, int(page.total)), False

    async def page(self, query: str, offset: int, limit: int) -> list[Customer]:
        filters = await self._filters(query)
        if filters is None:
            return []
        texts = search_plan(filters)
        if len(texts) > 1 or any(t.matches for t in texts):
            merged = self._merged
            if merged is None or merged.query != query:
                merged = self._merged = MergedSearch(self.client, query, filters, texts)
                await merged.skip(offset)
            return await merged.next_rows(limit)
        page = await read_to_end(self.client.list_customers(offset=offset, limit=limit,
                                                            **filters))
        return list(page.customers)


@dataclass(frozen=True)
class SearchText:
    """One ``search_string`` a query is sent as, and the folded texts (``cache.text.fold``:
    apostrophes dropped) one of which a row it finds must contain in a name or its login;
    none: every row it finds."""

    sent: str
    matches: tuple[str, ...] = ()

    def keeps(self, customer: Customer) -> bool:
        if not self.matches:
            return True
        parts = (customer.surname, customer.name, customer.paternal_name)
        # each field, as the platform's search matches; and the full name, in case it does
        fields = (*parts, customer.login, " ".join(parts), " ".join(parts[1:] + parts[:1]))
        folded = "\x1f".join(fold(f) for f in fields if f)
        return any(m in folded for m in self.matches)


def search_plan(filters: dict[str, Any]) -> list[SearchText]:
    """What one query is sent as: the text as typed, then for a name typed in Latin its
    likeliest Cyrillic spellings (``translit.cyrillic_text_spellings``); each with an
    apostrophe (or, a spelling, a place for one) as its longest part without one
    (``translit.apostrophe_free_part``) that keeps the rows matching the whole text. Each
    ``search_string`` once: at most 1 + ``EXTRA_SPELLINGS`` searches."""
    typed = filters.get("search_string")
    if not isinstance(typed, str):
        return []
    spellings = cyrillic_text_spellings(typed, EXTRA_SPELLINGS) if LATIN_NAME_RE.match(
        typed) else []
    out: dict[str, tuple[str, ...] | None] = {}  # sent -> matches (None: every row)
    for text, places in ((typed, False), *((s, True) for s in spellings)):
        part = apostrophe_free_part(text, places=places)
        if places and part != text and len(part) < MIN_PART:
            continue  # a spelling's part this short would read mostly rows it drops
        sent, match = (part, fold(text)) if part.strip() and part != text else (text, None)
        known = out.get(sent, ())
        if match is None or known is None:
            out[sent] = None
        elif match not in known:
            out[sent] = (*known, match)
    return [SearchText(sent, matches or ()) for sent, matches in out.items()]


def search_texts(filters: dict[str, Any]) -> list[str]:
    """The ``search_string`` values one query is sent as (``search_plan``)."""
    return [t.sent for t in search_plan(filters)]


class MergedSearch:
    """One query sent as several texts: the customers of the first, then those of the next
    not listed yet, and so on. The first page asks every text at once; later pages follow on
    (the table asks them in order, each after the one before), reading on only as far as
    they need. The total is exact once every text is read to its end; before that it is the
    most any one text found, "N+" (a text sent as a part counts only the rows it kept). A
    spelling the platform fails to answer is left out (the text as typed answers as before);
    a failure of the text as typed fails the search."""

    def __init__(self, client: PlatformClient, query: str, filters: dict[str, Any],
                 texts: Sequence[SearchText]) -> None:
        self.client = client
        self.query = query
        self._texts = list(texts)
        self._filters = [{**filters, "search_string": text.sent} for text in texts]
        self._read = [0] * len(texts)  # rows read from the platform, per text
        self._pages = [0] * len(texts)
        self._totals: list[int | None] = [None] * len(texts)
        self._pending: list[list[Customer]] = [[] for _ in texts]  # read, not listed yet
        self._listed: set[str] = set()

    async def first_page(self, limit: int) -> tuple[list[Customer], int, bool]:
        await asyncio.gather(*(self._read_more(i, limit) for i in range(len(self._filters))))
        rows = await self.next_rows(limit, read_parts=False)  # painted first, read on later
        known = self._listed | {c.wallet_user_guid for read in self._pending for c in read}
        if all(self._at_end(i) for i in range(len(self._filters))):
            return rows, len(known), any(self._cut(i) for i in range(len(self._filters)))
        # a part's platform total counts rows it does not keep
        totals = [t or 0 for t, text in zip(self._totals, self._texts, strict=True)
                  if not text.matches]
        return rows, max([len(known), *totals]), True

    async def skip(self, count: int) -> None:
        while count > 0:
            rows = await self.next_rows(min(count, 1000))
            if not rows:
                return
            count -= len(rows)

    async def next_rows(self, limit: int, read_parts: bool = True) -> list[Customer]:
        """Up to ``limit`` customers not listed yet; fewer only at the end of every text (the
        table takes a short page for the end), or where a text sent as a part would need
        another read and ``read_parts`` is False."""
        out: list[Customer] = []
        for i in range(len(self._filters)):
            pending = self._pending[i]
            while len(out) < limit:
                if not pending:
                    if self._at_end(i):
                        break
                    if self._texts[i].matches and not read_parts:
                        return out
                    await self._read_more(i, limit)  # a part's page may keep no row
                    continue
                row = pending.pop(0)
                if row.wallet_user_guid not in self._listed:
                    self._listed.add(row.wallet_user_guid)
                    out.append(row)
        return out

    def _at_end(self, i: int) -> bool:
        return self._read_whole(i) or self._cut(i)

    def _read_whole(self, i: int) -> bool:
        total = self._totals[i]
        return total is not None and self._read[i] >= total

    def _cut(self, i: int) -> bool:
        """A text sent as a part, not read to its end: its FILTERED_PAGES are read."""
        return (bool(self._texts[i].matches) and self._pages[i] >= FILTERED_PAGES
                and not self._read_whole(i))

    async def _read_more(self, i: int, limit: int) -> None:
        text = self._texts[i]
        size = max(limit, FILTERED_PAGE) if text.matches else limit
        self._pages[i] += 1
        try:
            page = await read_to_end(self.client.list_customers(
                offset=self._read[i], limit=size, **self._filters[i]))
        except PlatformError as exc:
            if i == 0:
                raise
            log.info("search spelling %d not read: %s", i, type(exc).__name__)  # no names
            self._totals[i] = self._read[i]
            return
        self._read[i] += len(page.customers)
        # an empty page ends the text whatever its total says
        self._totals[i] = max(0, int(page.total)) if page.customers else self._read[i]
        self._pending[i].extend(c for c in page.customers if text.keeps(c))


class CacheSearchSource:
    """Search in the branch cache through the CacheWorker (its DB thread)."""

    immediate = True
    label = "cache"

    def __init__(self, worker: CacheWorker, branch_guid: str | None = None) -> None:
        self.worker = worker
        self.branch_guid = branch_guid  # head office: only this branch's customers

    def in_name_order(self, query: str) -> bool:
        """A blank query lists every customer by the sort key (``NameOrderedSource``); a
        query's matches come ranked (the surname's prefix first), for the table to sort."""
        return not query.strip()

    async def first_page(self, query: str, limit: int) -> tuple[list[CustomerRow], int, bool]:
        """The rows only: a full page is "limit+" until ``count`` (the model asks it after
        the rows are painted, so the count never delays them)."""
        rows = list(await self.worker.search(query, offset=0, limit=limit,
                                             branch_guid=self.branch_guid))
        return rows, len(rows), len(rows) >= limit

    async def count(self, query: str) -> tuple[int, bool]:
        count = await self.worker.count(query, branch_guid=self.branch_guid)
        return int(count.n), bool(count.capped)

    async def page(self, query: str, offset: int, limit: int) -> list[CustomerRow]:
        return list(await self.worker.search(query, offset=offset, limit=limit,
                                             branch_guid=self.branch_guid))
