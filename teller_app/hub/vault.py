"""Customer and key-keeper secrets: issued once per external id, sealed at rest.

The plaintext secret (and the profile DCM reads through ``/user_auth``) comes out only through
``open_sealed`` — which only the Bank Auth Service routes call.

A customer's secret belongs to the customer's branch (the Auth Service lets that branch's
staff act on it), so it follows the customer when they move: ``set_branch`` /
``follow_branch_change`` after DCM accepted the move (the proxy, the four-eyes executor).
External ids that differ only in letter case are refused (``CaseClash``): DCM may or may not
tell such logins apart, and two secrets for "one" customer must never exist. A new customer's
phone number held by another login's fresh secret is refused too (``phone_holders``).

A create that DCM refused leaves its secret behind (nothing tells the hub). The next create
with the same login reuses it (``issue`` keeps the key: idempotent), and ``replace_profile``
puts what the teller typed this time (name, phone) in place of the earlier attempt's, as long
as no customer on DCM has that login yet — so DCM and the phone check read the new details.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit
from .crypto import MasterKey, Sealed
from .db import customer_secrets, dialect_insert, now
from .events import pg_lock
from .models import KEYKEEPER_PREFIX, SecretIn
from .phone_holders import PENDING_S, PhoneHeld, pending_holder
from .vault_records import customer_records

log = logging.getLogger("teller_hub.vault")
# How long a process answers from a cached owner: another process may have moved the secret
# to another branch (``set_branch``); this one forgets its own entry at once.
OWNER_TTL_S = 2.0
CASE_CHUNK = 500  # external ids per ``lower(...) IN`` query
SECRETS_LOCK = 0x7E11C5  # pg_advisory_xact_lock key: issuers one at a time (the case check)


class LoginInProgress(Exception):
    """A login's fresh secret (issued in the last ``PENDING_S``) is another employee's: their
    create is on its way with their customer's details, never replaced by another person's."""


class CaseClash(ValueError):
    """External ids that differ only in letter case from one already registered (or from
    another in the same batch): refused, never issued as a second secret."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} external id(s) differ only in letter case from one already registered "
            "(or from another in this batch): a customer has one secret; use the existing "
            "external id exactly as it was registered")
        self.count = count


@dataclass(frozen=True)
class SecretOwner:
    """Who may act on a secret's owner: its branch (None = head office)."""

    external_id: str
    kind: str
    branch_guid: str | None


@dataclass(frozen=True)
class Opened:
    external_id: str
    key: str
    first_name: str
    last_name: str
    email: str
    phone: str


def owner_branch(item: SecretIn, counterparty_guid: str) -> tuple[str, str | None]:
    """(kind, branch) of a new record: key keepers' branch comes from their id, and the
    counterparty's own key keeper belongs to the head office."""
    if item.external_id.startswith(KEYKEEPER_PREFIX):
        guid = item.external_id[len(KEYKEEPER_PREFIX):]
        return "keykeeper", (None if guid == counterparty_guid else guid)
    return "customer", item.branch_guid


async def issue(engine: AsyncEngine, master: MasterKey, item: SecretIn, *, created_by: str,
                counterparty_guid: str, unique_phone: bool = False) -> bool:
    """Create the secret unless one exists for this external id. True if this call created
    it. ``ON CONFLICT DO NOTHING`` makes concurrent issuers (any process) agree on one.
    Raises ``CaseClash`` for an id that differs only in case from a registered one and, with
    ``unique_phone``, ``PhoneHeld`` when another employee's fresh secret holds the number
    (checked after the insert, issuers one at a time: two desks never both pass)."""
    async with engine.begin() as conn:
        created = await issue_many_in(conn, master, [item], created_by=created_by,
                                      counterparty_guid=counterparty_guid) == 1
        if unique_phone and item.phone:
            holder = await pending_holder(conn, master, item, created_by=created_by)
            if holder is not None:
                raise PhoneHeld(holder)  # the transaction rolls the insert back
        return created


async def issue_many(engine: AsyncEngine, master: MasterKey, items: list[SecretIn], *,
                     created_by: str, counterparty_guid: str) -> int:
    """Onboarding: ``issue`` for many items in one transaction; returns how many were new."""
    async with engine.begin() as conn:
        return await issue_many_in(conn, master, items, created_by=created_by,
                                   counterparty_guid=counterparty_guid)


async def import_audited(engine: AsyncEngine, master: MasterKey, items: list[SecretIn], *,
                         actor: str, counterparty_guid: str) -> int:
    """Onboarding (the admin API, ``teller-hub secrets import``): ``issue_many`` and its
    audit entry (counts only: up to 10 000 external ids) in one transaction."""
    async with engine.begin() as conn:
        created = await issue_many_in(conn, master, items, created_by=actor,
                                      counterparty_guid=counterparty_guid)
        await audit.append(conn, audit.Entry(
            actor=actor, action="secrets_imported", entity="secret",
            detail={"created": created, "existing": len(items) - created,
                    "items": len(items)}))
    return created


async def issue_many_in(conn: AsyncConnection, master: MasterKey, items: list[SecretIn], *,
                        created_by: str, counterparty_guid: str) -> int:
    """``issue_many`` inside the caller's transaction (its audit entry may share it). Nothing
    is issued when a new item has a case twin (``CaseClash``). The check follows the inserts,
    with issuers one at a time (PostgreSQL: an advisory lock; SQLite: the first insert holds
    the write lock), so two issuers of "A@x" and "a@x" never both succeed."""
    await pg_lock(conn, SECRETS_LOCK)
    created: list[str] = []
    for item in items:
        kind, branch = owner_branch(item, counterparty_guid)
        sealed = master.seal(item.external_id, _payload(item))
        result = await conn.execute(dialect_insert(conn, customer_secrets).values(
            external_id=item.external_id, kind=kind, branch_guid=branch,
            key_id=sealed.key_id, wrapped_key=sealed.wrapped_key,
            ciphertext=sealed.ciphertext, created_by=created_by, created_at=now(),
        ).on_conflict_do_nothing(index_elements=["external_id"]))
        if result.rowcount == 1:
            created.append(item.external_id)
    # only what this call created: a record issued before this check keeps working
    twins = await _case_twins(conn, created)
    if twins:
        raise CaseClash(len(twins))  # the caller's transaction rolls the inserts back
    return len(created)


async def _case_twins(conn: AsyncConnection, ids: list[str]) -> set[str]:
    """The given ids with a twin that differs only in case (Unicode: ``str.casefold``, so
    "Іван" and "іван"): registered, or in ``ids``. SQL's lower() folds ASCII only on SQLite
    and follows the locale on PostgreSQL, so it only narrows and Python decides: an
    all-ASCII registered id is lower()'d to a folded key (a full scan per CASE_CHUNK ids, no
    index on lower(external_id) yet), and every registered id with a non-ASCII character
    (few: logins are e-mails, phone numbers, GUIDs) is read and folded here."""
    groups: dict[str, set[str]] = {}
    for external_id in ids:
        groups.setdefault(external_id.casefold(), set()).add(external_id)
    twins = {i for group in groups.values() if len(group) > 1 for i in group}
    keys = list(groups)
    column = customer_secrets.c.external_id
    found: list[str] = []
    for start in range(0, len(keys), CASE_CHUNK):
        found += (await conn.execute(sa.select(column).where(
            sa.func.lower(column).in_(keys[start:start + CASE_CHUNK])))).scalars()
    if keys:
        found += (await conn.execute(sa.select(column).where(
            _non_ascii(conn, column)))).scalars()
    for registered in found:
        twins |= {i for i in groups.get(str(registered).casefold(), ()) if i != registered}
    return twins


def _non_ascii(conn: AsyncConnection, column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """``column`` holds a character outside ASCII: more UTF-8 bytes than characters."""
    if conn.dialect.name == "postgresql":
        return sa.func.octet_length(column) != sa.func.length(column)
    return sa.func.length(sa.cast(column, sa.LargeBinary)) != sa.func.length(column)


def _payload(item: SecretIn, key: str | None = None) -> bytes:
    return json.dumps({
        "key": key or secrets.token_urlsafe(32),
        "first_name": item.first_name, "last_name": item.last_name,
        "email": item.email, "phone": item.phone,
    }).encode()


async def replace_profile(engine: AsyncEngine, master: MasterKey, item: SecretIn,
                          cache: SealedCache | None = None, *, created_by: str = "",
                          unique_phone: bool = False) -> bool:
    """The customer secret of ``item.external_id`` with ``item``'s details (those it gives),
    the same key. Only for a login no DCM customer has yet (the caller checks): an existing
    customer's profile is theirs (a new phone number is a four-eyes change). True if it
    changed (the same details: only issued again). It counts as issued now, by
    ``created_by``: the create it starts is on its way, so the phone check
    (``pending_holder``) sees it; with ``unique_phone`` it is refused (``PhoneHeld``) like a
    new issue, the same details too, under the same lock, so two desks never both pass:
    PostgreSQL's advisory lock, and on SQLite the transaction's first statement is the
    issue-time UPDATE (pysqlite begins a transaction at its first write only: a check read
    before it would not hold the write lock). Another employee's issue within ``PENDING_S``
    is their create on its way: other details are ``LoginInProgress``, nothing changed
    (checked in that UPDATE); the same details are theirs to send (False)."""
    table = customer_secrets
    t = now()
    cond = [table.c.external_id == item.external_id, table.c.kind == "customer"]
    if created_by:  # the issuer's own, or no longer fresh
        cond.append(sa.or_(table.c.created_by == created_by,
                           table.c.created_at <= t - PENDING_S))
    async with engine.begin() as conn:
        await pg_lock(conn, SECRETS_LOCK)
        stamp: dict[str, Any] = {"created_at": t}
        if created_by:
            stamp["created_by"] = created_by
        issued = await conn.execute(table.update().where(*cond).values(**stamp))
        if issued.rowcount != 1:
            theirs = next(await customer_records(conn, master, external_id=item.external_id,
                                                 skip_unreadable=False), None) \
                if created_by else None
            # the same person's details: their create carries them already, nothing to refuse
            if theirs is not None and _merged(theirs.profile, item) != _profile(theirs.profile):
                raise LoginInProgress(item.external_id)
            return False
        found = next(await customer_records(conn, master, external_id=item.external_id,
                                            skip_unreadable=False), None)
        if found is None:
            return False
        old, data = found.sealed, found.profile
        same = _merged(data, item) == _profile(data)
        wanted = item.model_copy(update=dict(zip(PROFILE, _merged(data, item), strict=True)))
        if unique_phone and wanted.phone:
            holder = await pending_holder(conn, master, wanted, created_by=created_by)
            if holder is not None:
                raise PhoneHeld(holder)  # rolls the issue time back too
        if same:  # the same details: issued again, now (above)
            return False
        sealed = master.seal(item.external_id, _payload(wanted, str(data["key"])))
        result = await conn.execute(table.update().where(
            table.c.external_id == item.external_id, table.c.ciphertext == old.ciphertext,
        ).values(key_id=sealed.key_id, wrapped_key=sealed.wrapped_key,
                 ciphertext=sealed.ciphertext))
    if cache is not None:
        cache.forget(item.external_id)
    return result.rowcount == 1


PROFILE = ("first_name", "last_name", "email", "phone")


def _merged(data: Mapping[str, Any], item: SecretIn) -> tuple[str, ...]:
    """The stored profile with the details ``item`` gives (a blank one keeps the stored)."""
    return tuple(str(getattr(item, k) or data.get(k, "")) for k in PROFILE)


def _profile(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(data.get(k, "")) for k in PROFILE)


async def owner(engine: AsyncEngine, external_id: str) -> SecretOwner | None:
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(customer_secrets.c.kind, customer_secrets.c.branch_guid)
            .where(customer_secrets.c.external_id == external_id)
        )).first()
    if row is None:
        return None
    return SecretOwner(external_id, row.kind, row.branch_guid)


async def set_branch(engine: AsyncEngine, external_id: str, branch_guid: str | None,
                     cache: SealedCache | None = None) -> bool:
    """A customer's secret now belongs to ``branch_guid`` (None or "": head office). Key
    keepers never move (their branch is their id). True if a record changed."""
    return await follow_customers(engine, [(external_id, branch_guid)], cache) == 1


async def follow_customers(engine: AsyncEngine,
                           customers: Iterable[tuple[str, str | None]],
                           cache: SealedCache | None = None) -> int:
    """``set_branch`` for many (login, branch) pairs in one transaction — what a reconcile
    with DCM's customer list (e.g. the Mode A watcher's pages) calls. Returns how many moved."""
    pairs = [(login, branch or None) for login, branch in customers if login]
    moved = 0
    table = customer_secrets
    async with engine.begin() as conn:
        for login, branch in pairs:
            result = await conn.execute(table.update().where(
                table.c.external_id == login, table.c.kind == "customer",
                table.c.branch_guid.is_distinct_from(branch)).values(branch_guid=branch))
            moved += result.rowcount == 1
    if cache is not None:  # after the commit: a miss now reads the new branch
        for login, _ in pairs:
            cache.forget(login)
    if moved:
        log.info("secrets follow their customers to another branch", extra={"n_moved": moved})
    return moved


async def follow_branch_change(engine: AsyncEngine, external_id: str | None,
                               change: Mapping[str, Any],
                               cache: SealedCache | None = None) -> bool:
    """After DCM accepted a customer update ``change`` (its body): if it set ``branch_guid``,
    the customer's secret (``external_id`` = the customer's login) moves with them, so the
    new branch's staff pass the Auth Service's check and the old branch's no longer do.
    Idempotent (call it again after a crash); False when nothing moved."""
    if not external_id or "branch_guid" not in change:
        return False
    branch = change.get("branch_guid")
    if isinstance(branch, dict) and "valid" in branch:  # DCM's {"valid", "value"} (§3.4)
        branch = branch.get("value") if branch.get("valid") else None
    if branch is not None and not isinstance(branch, str):
        return False
    return await set_branch(engine, external_id, branch, cache)


class SealedCache:
    """Sealed records by external id (LRU). Records are never deleted once issued and only
    ever re-wrapped (a key rotation, which keeps the retired key in every process until they
    restart) or re-sealed with the same key and a newer profile before their customer exists
    (``replace_profile``), so every process may keep them: the Auth Service then answers a
    known object (DCM's calls for one operation come in a burst) without a database round
    trip. Only ciphertext is held; misses are not cached (another process may issue the
    secret a moment later). The owner's branch may change (``set_branch``, in any process):
    an entry is trusted for OWNER_TTL_S only, and this process's own moves forget it at
    once. Each read or insert drops expired entries from the least recently used end
    (amortised O(1)), so the cache holds about what was used within OWNER_TTL_S."""

    def __init__(self, max_entries: int = 50_000, ttl_s: float = OWNER_TTL_S) -> None:
        self._max = max_entries
        self._ttl = ttl_s
        self._items: OrderedDict[str, tuple[float, SecretOwner, Sealed]] = OrderedDict()

    def _drop_expired(self, t: float) -> None:
        items = self._items
        while items and t - next(iter(items.values()))[0] > self._ttl:
            items.popitem(last=False)

    def get(self, external_id: str) -> tuple[SecretOwner, Sealed] | None:
        t = time.monotonic()
        self._drop_expired(t)
        item = self._items.get(external_id)
        if item is None:
            return None
        if t - item[0] > self._ttl:
            del self._items[external_id]
            return None
        self._items.move_to_end(external_id)
        return item[1], item[2]

    def put(self, external_id: str, item: tuple[SecretOwner, Sealed]) -> None:
        t = time.monotonic()
        self._drop_expired(t)
        self._items[external_id] = (t, *item)
        self._items.move_to_end(external_id)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def forget(self, external_id: str) -> None:
        self._items.pop(external_id, None)


async def sealed(engine: AsyncEngine, external_id: str,
                 cache: SealedCache | None = None) -> tuple[SecretOwner, Sealed] | None:
    """The owner and the still-sealed record (one query, or none when cached)."""
    item = cache.get(external_id) if cache is not None else None
    if item is not None:
        return item
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(customer_secrets).where(customer_secrets.c.external_id == external_id)
        )).first()
    if row is None:
        return None
    item = (SecretOwner(external_id, row.kind, row.branch_guid),
            Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext)))
    if cache is not None:
        cache.put(external_id, item)
    return item


def open_sealed(master: MasterKey, external_id: str, record: Sealed) -> Opened:
    """The plaintext secret and profile. Auth Service only."""
    data = json.loads(master.open(external_id, record))
    return Opened(external_id, str(data["key"]), str(data.get("first_name", "")),
                  str(data.get("last_name", "")), str(data.get("email", "")),
                  str(data.get("phone", "")))
