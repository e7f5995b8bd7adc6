"""Where the search box looks: the branch cache (instant, offline) or the platform.

The platform's ``search_string`` matches names and logins only, so the platform source sends
phone numbers, IBANs and GUIDs to the filters that match them exactly. It matches them as
typed, so a name typed in Latin ("Kovalskiy") is also searched in its likeliest Cyrillic
spellings ("ковальськи"), at most ``EXTRA_SPELLINGS`` more searches sent with the first (and
cancelled with it); their results follow, each customer once (``MergedSearch``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from teller_app.cache.translit import cyrillic_text_spellings
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

# A name in Latin letters (not a login: no digits, "@" or "."), three letters at least.
LATIN_NAME_RE = re.compile(r"^(?=(?:[^A-Za-z]*[A-Za-z]){3})[A-Za-z'’ʼ\- ]+$")
EXTRA_SPELLINGS = 2  # more platform searches per query, sent together with the one as typed


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
        filters: dict[str, Any] = {}
        if self.branch_guid:
            filters["branch_guids"] = [self.branch_guid]
        q = query.strip()
        if not q:
            return filters
        if GUID_RE.match(q):
            filters["wallet_user_guids"] = [q]
        elif IBAN_RE.match(q) and not check_iban(q)[1]:
            page = await self.client.list_accounts(search_string=q.replace(" ", "").upper())
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
        texts = search_texts(filters)
        if len(texts) > 1:
            self._merged = MergedSearch(self.client, query, filters, texts)
            return await self._merged.first_page(limit)
        page = await self.client.list_customers(offset=0, limit=limit, **filters)
        return list(page.customers), max(0, int(page.total)), False

    async def page(self, query: str, offset: int, limit: int) -> list[Customer]:
        filters = await self._filters(query)
        if filters is None:
            return []
        texts = search_texts(filters)
        if len(texts) > 1:
            merged = self._merged
            if merged is None or merged.query != query:
                merged = self._merged = MergedSearch(self.client, query, filters, texts)
                await merged.skip(offset)
            return await merged.next_rows(limit)
        page = await self.client.list_customers(offset=offset, limit=limit, **filters)
        return list(page.customers)


def search_texts(filters: dict[str, Any]) -> list[str]:
    """The ``search_string`` values one query is sent as: as typed, then for a name typed in
    Latin its likeliest Cyrillic spellings (``translit.cyrillic_text_spellings``)."""
    typed = filters.get("search_string")
    if not isinstance(typed, str):
        return []
    if not LATIN_NAME_RE.match(typed):
        return [typed]
    return [typed, *cyrillic_text_spellings(typed, EXTRA_SPELLINGS)]


class MergedSearch:
    """One query sent as several texts: the customers of the first, then those of the next
    not listed yet, and so on. The first page asks every text at once; later pages follow on
    (the table asks them in order, each after the one before), reading on only as far as
    they need. The total is exact once every text is read to its end; before that it is the
    most any one text found, "N+". A spelling the platform fails to answer is left out (the
    text as typed answers as before); a failure of the text as typed fails the search."""

    def __init__(self, client: PlatformClient, query: str, filters: dict[str, Any],
                 texts: Sequence[str]) -> None:
        self.client = client
        self.query = query
        self._filters = [{**filters, "search_string": text} for text in texts]
        self._read = [0] * len(texts)  # rows read from the platform, per text
        self._totals: list[int | None] = [None] * len(texts)
        self._pending: list[list[Customer]] = [[] for _ in texts]  # read, not listed yet
        self._listed: set[str] = set()

    async def first_page(self, limit: int) -> tuple[list[Customer], int, bool]:
        await asyncio.gather(*(self._read_more(i, limit) for i in range(len(self._filters))))
        rows = await self.next_rows(limit)
        known = self._listed | {c.wallet_user_guid for read in self._pending for c in read}
        if all(self._at_end(i) for i in range(len(self._filters))):
            return rows, len(known), False
        return rows, max(len(known), *(t or 0 for t in self._totals)), True

    async def skip(self, count: int) -> None:
        while count > 0:
            rows = await self.next_rows(min(count, 1000))
            if not rows:
                return
            count -= len(rows)

    async def next_rows(self, limit: int) -> list[Customer]:
        out: list[Customer] = []
        for i in range(len(self._filters)):
            pending = self._pending[i]
            while len(out) < limit:
                if not pending:
                    if self._at_end(i):
                        break
                    await self._read_more(i, limit)
                    if not pending:
                        break
                row = pending.pop(0)
                if row.wallet_user_guid not in self._listed:
                    self._listed.add(row.wallet_user_guid)
                    out.append(row)
        return out

    def _at_end(self, i: int) -> bool:
        total = self._totals[i]
        return total is not None and self._read[i] >= total

    async def _read_more(self, i: int, limit: int) -> None:
        try:
            page = await self.client.list_customers(offset=self._read[i], limit=limit,
                                                    **self._filters[i])
        except PlatformError as exc:
            if i == 0:
                raise
            log.info("search spelling %d not read: %s", i, type(exc).__name__)  # no names
            self._totals[i] = self._read[i]
            return
        self._read[i] += len(page.customers)
        # an empty page ends the text whatever its total says
        self._totals[i] = max(0, int(page.total)) if page.customers else self._read[i]
        self._pending[i].extend(page.customers)


class CacheSearchSource:
    """Search in the branch cache through the CacheWorker (its DB thread)."""

    immediate = True
    label = "cache"

    def __init__(self, worker: CacheWorker, branch_guid: str | None = None) -> None:
        self.worker = worker
        self.branch_guid = branch_guid  # head office: only this branch's customers

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
