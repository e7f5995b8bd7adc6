"""Names for the e-mails and GUIDs the hub records: employees by e-mail from the platform's
employees list, customers by GUID (the inbox, the audit trail, the till reports and the
branch's cash name people with these)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from teller_app.core.person_name import official_name
from teller_app.platform import PlatformClient

NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]
LOOKUP_PAGE = 100  # the employees list's page size limit
LOOKUP_PAGES = 20
CUSTOMER_READS = 8  # customers read at once


async def lookup_employee_names(client: PlatformClient, emails: list[str]) -> dict[str, str]:
    """e-mail -> display name (disabled employees too) from the platform's employees list
    (the hub names makers by e-mail); unknown e-mails are absent."""
    wanted = {e.lower() for e in emails}
    names: dict[str, str] = {}
    offset = 0
    for _ in range(LOOKUP_PAGES):
        page = await client.list_employees(include_disabled=True, offset=offset,
                                           limit=LOOKUP_PAGE)
        for employee in page.employees:
            key = (employee.email or "").lower()
            if key in wanted and employee.display_name:
                names[key] = employee.display_name
        offset += len(page.employees)
        if not page.employees or wanted <= names.keys() or offset >= (page.total or 0):
            break
    return names


async def lookup_customer_names(client: PlatformClient, guids: list[str]) -> dict[str, str]:
    """customer guid -> "Surname Name Patronymic" (the login when nameless); unreadable ones
    absent. Up to ``CUSTOMER_READS`` reads at once: one after another, hundreds of customers
    took tens of seconds."""
    gate = asyncio.Semaphore(CUSTOMER_READS)

    async def one(guid: str) -> tuple[str, str] | None:
        async with gate:
            try:
                customer = await client.get_customer(guid)
            except Exception:  # a name is decoration: the GUID stays, the others go on
                return None
        return guid, official_name(customer.surname, customer.name,
                                   customer.paternal_name) or customer.login

    found = await asyncio.gather(*(one(guid) for guid in guids))
    return dict(pair for pair in found if pair is not None)
