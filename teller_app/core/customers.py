"""Customer use cases: every write goes to the platform first, then into the branch cache at
once, so the teller sees their own change without waiting for the next sync.

No Qt here: the UI calls these through its async helper (ui/async_op.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

from teller_app.core.approvals import CUSTOMER_UPDATE, ApprovalGate
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.session import HubLink
from teller_app.core.views import (
    AccountView,
    CustomerLike,
    CustomerView,
    account_from_platform,
    account_from_row,
    customer_from_platform,
    customer_from_row,
    customer_view,
)
from teller_app.platform import (
    AccountWithAssets,
    Customer,
    CustomerUpdate,
    NewCustomer,
    NotFound,
    PlatformClient,
)

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

    customer: CustomerView
    accounts: list[AccountView] = field(default_factory=list)
    fetched_at: float | None = None
    from_cache: bool = False


class CustomerService:
    """``client``: PlatformClient; ``cache``: CacheWorker or None (no cache yet / disabled);
    ``hub``: the session's ``HubLink`` (None: no hub configured, secrets are not issued)."""

    def __init__(self, client: PlatformClient, cache: CacheWorker | None = None,
                 hub: HubLink | None = None,
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
        row = await self.cache.get_customer(guid)
        if row is None:
            return None
        customer = customer_from_row(row)
        accounts = [account_from_row(a) for a in await self.cache.get_accounts(guid)]
        fetched = [a.fetched_at for a in accounts if a.fetched_at]
        stamp = min(fetched) if fetched else customer.fetched_at or None
        return CustomerSnapshot(customer, accounts, stamp, from_cache=True)

    async def refresh(self, guid: str) -> CustomerSnapshot:
        """Customer and accounts from the platform, written through to the cache."""
        customer = await self.client.get_customer(guid)
        accounts = await self.client.get_customer_accounts(guid)
        await self._remember(customer, accounts)
        return CustomerSnapshot(customer_from_platform(customer),
                                [account_from_platform(a) for a in accounts], time.time())

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
        customer: Customer | None
        try:
            customer = await self.client.get_customer(guid)
        except NotFound:
            customer = None
        accounts: list[AccountWithAssets] = [created]
        if customer is not None:
            await self._remember(customer, accounts)
            view = customer_from_platform(customer)
        else:  # not visible to this employee (yet): what the form sent
            view = CustomerView(
                wallet_user_guid=guid, login=new.login or "", name=new.name or "",
                surname=new.surname or "", paternal_name=new.paternal_name or "",
                phone_number=new.phone_number or "", branch_guid=new.branch_guid or "")
        return CustomerSnapshot(view, [account_from_platform(created)], time.time())

    async def update(self, guid: str, update: CustomerUpdate,
                     current: CustomerLike | None = None, *,
                     status_was: str | None = None) -> CustomerView:
        """PUT the set fields — after the four-eyes gate (``gate``, the one command
        pipeline): a change the hub's policy sends to a second person raises
        ``NeedsApproval`` and nothing is written; the UI then files a request.
        ``status_was``: the status the form started from; if the platform's differs now,
        ``StaleStatus`` (a newer status is never overwritten from a stale copy)."""
        if self.gate is not None:
            fields = dict(update)  # the raw values, as set (no dumping)
            change = {k: fields[k] for k in update.model_fields_set}
            await self.gate.check(CUSTOMER_UPDATE, guid, change,
                                  None if current is None else customer_view(current))
        if update.status is not None and status_was is not None:
            fresh = await self.client.get_customer(guid)  # re-read right before writing
            if (fresh.status or "") != status_was:
                raise StaleStatus(fresh.status or "", fresh.status or "")
        await self.client.update_customer(guid, update)
        customer = await self.client.get_customer(guid)
        if self.cache is not None:
            await self._safe(self.cache.upsert_customers([customer]))
        return customer_from_platform(customer)

    async def open_account(self, guid: str, iban: str | None = None) -> CustomerSnapshot:
        await self.client.create_customer_account(guid, iban=iban or None)
        return await self.refresh(guid)

    # -- internals --------------------------------------------------------------------------
    async def _remember(self, customer: Customer, accounts: list[AccountWithAssets]) -> None:
        if self.cache is None:
            return
        await self._safe(self.cache.upsert_customers([customer]))
        await self._safe(self.cache.upsert_accounts(customer.wallet_user_guid, accounts))

    @staticmethod
    async def _safe(awaitable: Awaitable[object]) -> None:
        # The platform write already happened: a cache hiccup must not turn it into an
        # error for the teller (the next sync repairs the cache).
        try:
            await awaitable
        except Exception:
            log.exception("cache write-through failed")
