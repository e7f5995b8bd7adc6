"""Customer use cases: every write goes to the platform first, then into the branch cache at
once, so the teller sees their own change without waiting for the next sync.

No Qt here: the UI calls these through its async helper (ui/async_op.py).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

from teller_app.core.approvals import CUSTOMER_UPDATE, ApprovalGate
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.concurrent_reads import read_both
from teller_app.core.customer_checks import (
    PHONE_TAKEN,
    PhoneTaken,
    StaleFields,
    holders_quietly,
    login_taken,
    original_values,
    phone_holders,
    stale_fields,
)
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
    Conflict,
    CreatedCustomer,
    Customer,
    CustomerUpdate,
    NewCustomer,
    NotFound,
    PlatformClient,
    PlatformError,
    Unavailable,
)

log = logging.getLogger(__name__)


@dataclass
class CreateAttempts:
    """A create form's earlier attempts: ``uncertain`` is the body of the last create whose
    answer was lost and could not be settled (it may have created the customer); None when
    nothing is unknown. ``CustomerService.create`` reads and updates it."""

    uncertain: NewCustomer | None = None


@dataclass
class OpenAccountAttempts:
    """A card's earlier "open account" presses: ``known`` is the customer's accounts
    (``wallet_account_guid``) before the last one whose answer was lost (it may have opened
    an account); None when nothing is unknown. ``CustomerService.open_account`` reads and
    updates it."""

    known: frozenset[str] | None = None


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
        """Customer and accounts from the platform, written through to the cache. A customer
        this employee can no longer see (moved to another branch, removed) leaves the cache
        too, or search would offer them until the next reconcile."""

        async def read_customer() -> Customer:
            try:
                return await self.client.get_customer(guid)
            except NotFound:  # the customer's, not the accounts' (never deleted for those)
                if self.cache is not None:
                    await self._safe(self.cache.delete_customers([guid]))
                raise

        # one round trip for both; the customer's failure is still the one raised first
        customer, accounts = await read_both(read_customer(),
                                             self.client.get_customer_accounts(guid))
        await self._remember(customer, accounts)
        return CustomerSnapshot(customer_from_platform(customer),
                                [account_from_platform(a) for a in accounts], time.time())

    async def login_taken(self, login: str) -> bool:
        """Whether a customer already has this login in any letter case (as far as this
        employee can see; the platform still refuses a duplicate in another branch)."""
        return await login_taken(self.client, login)

    async def phone_holders(self, phone: str,
                            exclude_guid: str | None = None) -> list[CustomerView]:
        """Customers this employee can see who hold ``phone``'s number (cache first)."""
        return await phone_holders(self.client, self.cache, phone, exclude_guid)

    # -- writes ---------------------------------------------------------------------------
    async def create(self, new: NewCustomer,
                     attempts: CreateAttempts | None = None) -> CustomerSnapshot:
        """The hub issues the customer's secret first (external id = login; DCM asks the
        bank's Auth Service for it while creating), then DCM creates the customer.

        Raises ``HubUnavailable`` when the hub cannot be reached (nothing was created),
        ``PhoneTaken`` when the hub refuses the phone number (held by another customer) and
        ``BankAuthDeclined`` when DCM says the Auth Service refused. A retry is safe: the
        secret issue is idempotent (the same secret is kept) and the create reconciles a lost
        answer by login, so there is never a second customer.

        ``attempts``: the form's earlier creates. When one's outcome is unknown
        (``attempts.uncertain``), it is settled by reading first: the same login is looked
        up before the secret and the POST (found = created; a 409 is settled the same way);
        a login changed since is about the earlier one: if that customer exists, it is the
        one created (with the earlier values) and nothing new is sent."""
        earlier = attempts.uncertain if attempts is not None else None
        if attempts is not None and earlier is not None and earlier.login:
            found = await self.client.find_created_customer(earlier)
            if found is not None:
                attempts.uncertain = None
                log.info("create: the earlier attempt had created the customer")
                return await self._created(found, earlier)
            if earlier.login != new.login:
                attempts.uncertain = earlier = None  # read: the earlier one made nobody
        if self.hub is not None and new.login:
            try:
                issued = await self.hub.issue_secret(
                    new.login, new.branch_guid or self.hub.branch_guid, first_name=new.name,
                    last_name=new.surname, phone=new.phone_number)
            except Conflict as exc:
                if exc.reason != PHONE_TAKEN:
                    raise
                raise PhoneTaken(await self._holders_quietly(new.phone_number)) from None
            log.info("customer secret %s", "issued" if issued.created else "already held")
        try:
            created = await self.client.create_customer(new, retry=earlier is not None)
        except Unavailable as exc:  # Timeout too: sent, answer lost, outcome unknown
            if attempts is not None and not exc.not_sent:
                attempts.uncertain = new
            raise
        if attempts is not None:
            attempts.uncertain = None
        return await self._created(created, new)

    async def _created(self, created: CreatedCustomer, sent: NewCustomer) -> CustomerSnapshot:
        """The snapshot of a customer just created (``created``: its first account): read
        back; if that read fails, what the form sent (the customer is created either way)."""
        guid = created.customer_guid
        customer: Customer | None
        try:
            customer = await self.client.get_customer(guid)
        except PlatformError as exc:  # NotFound: not visible to this employee (yet)
            log.info("created customer not read back: %s", type(exc).__name__)
            customer = None
        if customer is not None:
            await self._remember(customer, [created])
            view = customer_from_platform(customer)
        else:
            view = CustomerView(
                wallet_user_guid=guid, login=sent.login or "", name=sent.name or "",
                surname=sent.surname or "", paternal_name=sent.paternal_name or "",
                phone_number=sent.phone_number or "", branch_guid=sent.branch_guid or "")
        return CustomerSnapshot(view, [account_from_platform(created)], time.time())

    async def update(self, guid: str, update: CustomerUpdate,
                     current: CustomerLike | None = None, *,
                     status_was: str | None = None) -> CustomerView:
        """PUT the set fields — after the four-eyes gate (``gate``, the one command
        pipeline): a change the hub's policy sends to a second person raises
        ``NeedsApproval`` and nothing is written; the UI then files a request.

        ``current``: the customer as the form started from it. The customer is read again
        right before the PUT: a field being changed whose value there is no longer the form's
        starting one (someone changed it meanwhile) raises ``StaleFields`` and nothing is
        sent — a newer value is never overwritten from an older copy. DCM has no version or
        compare-and-swap, so this narrows the window (read, then PUT) but cannot close it.
        ``status_was``: the status the form started from, when ``current`` is not given.
        ``PhoneTaken`` when the hub refuses a new phone number held by another customer (its
        policy's answer before the write, or its proxy at the PUT): nothing was written."""
        if self.gate is not None:
            fields = dict(update)  # the raw values, as set (no dumping)
            change = {k: fields[k] for k in update.model_fields_set}
            try:
                await self.gate.check(CUSTOMER_UPDATE, guid, change,
                                      None if current is None else customer_view(current))
            except Conflict as exc:  # the hub's policy answer: refused by the bank's rule
                if exc.reason != PHONE_TAKEN:
                    raise
                raise PhoneTaken(await self._holders_quietly(update.phone_number,
                                                             guid)) from None
        original = original_values(current, status_was)
        if original and update.model_fields_set & set(original):
            fresh = await self.client.get_customer(guid)  # re-read right before writing
            changed = stale_fields(update, original, fresh)
            if changed:
                raise StaleFields(changed)
        try:
            await self.client.update_customer(guid, update)
        except Conflict as exc:  # the hub's proxy (Mode B): the number is another's
            if exc.reason != PHONE_TAKEN:
                raise
            raise PhoneTaken(await self._holders_quietly(update.phone_number,
                                                         guid)) from None
        try:
            customer = await self.client.get_customer(guid)
        except PlatformError as exc:  # written (the PUT said so): never "not saved" now
            log.info("updated customer not read back: %s", type(exc).__name__)
            return _with_update(guid, current, update)
        if self.cache is not None:
            await self._safe(self.cache.upsert_customers([customer]))
        return customer_from_platform(customer)

    async def open_account(self, guid: str, iban: str | None = None,
                           attempts: OpenAccountAttempts | None = None) -> CustomerSnapshot:
        """Open an additional account. The POST is sent once; a lost answer is settled by
        reading the customer's accounts (a new one = opened), at once and, if that read
        fails or is too early, on the next press before anything is sent again."""
        attempts = attempts if attempts is not None else OpenAccountAttempts()
        accounts = await self.client.get_customer_accounts(guid)
        if attempts.known is not None:
            opened = _new_accounts(accounts, attempts.known)
            attempts.known = None
            if opened:
                log.info("open account: the earlier attempt had opened it")
                return await self.refresh(guid)
        before = frozenset(a.wallet_account_guid for a in accounts)
        try:
            await self.client.create_customer_account(guid, iban=iban or None)
        except Unavailable as exc:  # Timeout too: sent, answer lost, outcome unknown
            if exc.not_sent:
                raise
            attempts.known = before
            try:
                opened = _new_accounts(await self.client.get_customer_accounts(guid), before)
            except PlatformError:
                raise exc from None
            if not opened:
                raise  # still unknown (DCM may yet apply it): the next press reads first
            attempts.known = None
        return await self.refresh(guid)

    # -- internals --------------------------------------------------------------------------
    async def _holders_quietly(self, phone: str | None,
                               exclude_guid: str | None = None) -> list[CustomerView]:
        """Whom a refused phone number belongs to, for the teller (best effort)."""
        return await holders_quietly(self.client, self.cache, phone, exclude_guid)

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


def _new_accounts(accounts: list[AccountWithAssets], known: frozenset[str]) -> bool:
    return any(a.wallet_account_guid not in known for a in accounts)


def _with_update(guid: str, current: CustomerLike | None, update: CustomerUpdate) -> CustomerView:
    """The customer as written: ``current`` with ``update``'s fields (the next read or sync
    brings the platform's own copy)."""
    base = customer_view(current) if current is not None else CustomerView(wallet_user_guid=guid)
    fields = {k: getattr(update, k) for k in update.model_fields_set if k != "wallet_user_guid"}
    if "branch_guid" in fields:
        fields["branch_guid"] = fields["branch_guid"] or ""
        fields["branch_name"] = ""  # not known for the new branch
    return dataclasses.replace(base, **{k: v for k, v in fields.items() if v is not None})
