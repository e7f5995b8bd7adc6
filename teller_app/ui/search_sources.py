"""Where the search box looks: the branch cache (instant, offline) or the platform.

The platform's ``search_string`` matches names and logins only, so the platform source sends
phone numbers, IBANs and GUIDs to the filters that match them exactly.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

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
        page = await self.client.list_customers(offset=0, limit=limit, **filters)
        return list(page.customers), max(0, int(page.total)), False

    async def page(self, query: str, offset: int, limit: int) -> list[Customer]:
        filters = await self._filters(query)
        if filters is None:
            return []
        page = await self.client.list_customers(offset=offset, limit=limit, **filters)
        return list(page.customers)


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
