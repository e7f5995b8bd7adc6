"""Customer use cases: every write goes to the platform first, then into the branch cache at
once, so the teller sees their own change without waiting for the next sync.

No Qt here: the UI calls these through its async helper (ui/async_op.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from teller_app.core.approvals import CUSTOMER_UPDATE, ApprovalGate
from teller_app.core.session import HubLink
from teller_app.platform import CustomerUpdate, NewCustomer, NotFound

log = logging.getLogger(__name__)


class StaleStatus(Exception):
    """The customer's status changed on the platform since the form was opened: writing the
    form's status would overwrite (or resurrect) a newer one. Nothing was sent."""

    def __init__(self, current: str, full: str) -> None:
        super().__init__("the status changed since the form was opened")
        self.current = current  # the real status now
        self.full = full  # the whole status text now


@dataclass
class CustomerSnapshot:
    """What the card shows: the customer and their accounts, with when they were fetched
    (``fetched_at`` epoch seconds; None = straight from the platform just now)."""

    customer: Any
    accounts: list[Any] = field(default_factory=list)
    fetched_at: float | None = None
    from_cache: bool = False


def _accounts_list(result: Any) -> list[Any]:
    accounts = getattr(result, "accounts", result)
    return list(accounts or [])


class CustomerService:
    """``client``: PlatformClient; ``cache``: CacheWorker or None (no cache yet / disabled);
    ``hub``: the session's ``HubLink`` (None: no hub configured, secrets are not issued)."""

    def __init__(self, client: Any, cache: Any = None, hub: HubLink | None = None,
                 gate: ApprovalGate | None = None) -> None:
        self.client = client
        self.cache = cache
        self.hub = hub
        self.gate = gate  # None: no four-eyes check (tests, tools)

    # -- reads ----------------------------------------------------------------------------
    async def cached(self, guid: str) -> CustomerSnapshot | None:
        """The cached customer and accounts (instant); None when the cache has no such row."""
        if self.cache is None:
            return None
        customer = await self.cache.get_customer(guid)
        if customer is None:
            return None
        accounts = list(await self.cache.get_accounts(guid))
        fetched = [a.fetched_at for a in accounts if getattr(a, "fetched_at", 0)]
        stamp = min(fetched) if fetched else getattr(customer, "fetched_at", None) or None
        return CustomerSnapshot(customer, accounts, stamp, from_cache=True)

    async def refresh(self, guid: str) -> CustomerSnapshot:
        """Customer and accounts from the platform, written through to the cache."""
        customer = await self.client.get_customer(guid)
        accounts = _accounts_list(await self.client.get_customer_accounts(guid))
        await self._remember(customer, accounts)
        return CustomerSnapshot(customer, accounts, time.time())

    async def login_taken(self, login: str) -> bool:
        """Whether a customer already has this login (as far as this employee can see;
        the platform still refuses a duplicate in another branch on create)."""
        return await self.client.find_customer_by_login(login) is not None

    # -- writes ---------------------------------------------------------------------------
    async def create(self, new: NewCustomer) -> CustomerSnapshot:
        """The hub issues the customer's secret first (external id = login; DCM asks the
        bank's Auth Service for it while creating), then DCM creates the customer.

        Raises ``HubUnavailable`` when the hub cannot be reached (nothing was created) and
        ``BankAuthDeclined`` when DCM says the Auth Service refused. A retry is safe: the
        secret issue is idempotent (the same secret is kept) and the create reconciles a lost
        answer by login, so there is never a second customer."""
        if self.hub is not None and new.login:
            issued = await self.hub.issue_secret(
                new.login, new.branch_guid or self.hub.branch_guid, first_name=new.name,
                last_name=new.surname, phone=new.phone_number)
            log.info("customer secret %s", "issued" if issued.created else "already held")
        created = await self.client.create_customer(new)
        guid = created.customer_guid
        try:
            customer = await self.client.get_customer(guid)
        except NotFound:
            customer = None
        accounts = [created]
        if customer is not None:
            await self._remember(customer, accounts)
        return CustomerSnapshot(customer or created, accounts, time.time())

    async def update(self, guid: str, update: CustomerUpdate, current: Any = None, *,
                     status_was: str | None = None) -> Any:
        """PUT the set fields — after the four-eyes gate (``gate``, the one command
        pipeline): a change the hub's policy sends to a second person raises
        ``NeedsApproval`` and nothing is written; the UI then files a request.
        ``status_was``: the status the form started from; if the platform's differs now,
        ``StaleStatus`` (a newer status is never overwritten from a stale copy)."""
        if self.gate is not None:
            change = {k: getattr(update, k) for k in update.model_fields_set}
            await self.gate.check(CUSTOMER_UPDATE, guid, change, current)
        if update.status is not None and status_was is not None:
            fresh = await self.client.get_customer(guid)  # re-read right before writing
            if (fresh.status or "") != status_was:
                raise StaleStatus(fresh.status or "", fresh.status or "")
        await self.client.update_customer(guid, update)
        customer = await self.client.get_customer(guid)
        if self.cache is not None:
            await self._safe(self.cache.upsert_customers([customer]))
        return customer

    async def open_account(self, guid: str, iban: str | None = None) -> CustomerSnapshot:
        await self.client.create_customer_account(guid, iban=iban or None)
        return await self.refresh(guid)

    # -- internals --------------------------------------------------------------------------
    async def _remember(self, customer: Any, accounts: list[Any]) -> None:
        if self.cache is None:
            return
        await self._safe(self.cache.upsert_customers([customer]))
        guid = getattr(customer, "wallet_user_guid", "")
        await self._safe(self.cache.upsert_accounts(guid, accounts))

    @staticmethod
    async def _safe(awaitable: Any) -> None:
        # The platform write already happened: a cache hiccup must not turn it into an
        # error for the teller (the next sync repairs the cache).
        try:
            await awaitable
        except Exception:
            log.exception("cache write-through failed")
