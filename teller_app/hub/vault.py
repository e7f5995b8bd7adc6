"""Customer and key-keeper secrets: issued once per external id, sealed at rest.

The plaintext secret (and the profile DCM reads through ``/user_auth``) comes out only through
``open_sealed`` — which only the Bank Auth Service routes call.
"""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .crypto import MasterKey, Sealed
from .db import customer_secrets, dialect_insert, now
from .models import KEYKEEPER_PREFIX, SecretIn


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
                counterparty_guid: str) -> bool:
    """Create the secret unless one exists for this external id. True if this call created
    it. ``ON CONFLICT DO NOTHING`` makes concurrent issuers (any process) agree on one."""
    kind, branch = owner_branch(item, counterparty_guid)
    sealed = master.seal(item.external_id, _payload(item))
    async with engine.begin() as conn:
        stmt = dialect_insert(conn, customer_secrets).values(
            external_id=item.external_id, kind=kind, branch_guid=branch, key_id=sealed.key_id,
            wrapped_key=sealed.wrapped_key, ciphertext=sealed.ciphertext,
            created_by=created_by, created_at=now(),
        ).on_conflict_do_nothing(index_elements=["external_id"])
        result = await conn.execute(stmt)
        return bool(result.rowcount == 1)


async def issue_many(engine: AsyncEngine, master: MasterKey, items: list[SecretIn], *,
                     created_by: str, counterparty_guid: str) -> int:
    """Onboarding: ``issue`` for many items in one transaction; returns how many were new."""
    created = 0
    async with engine.begin() as conn:
        for item in items:
            kind, branch = owner_branch(item, counterparty_guid)
            sealed = master.seal(item.external_id, _payload(item))
            result = await conn.execute(dialect_insert(conn, customer_secrets).values(
                external_id=item.external_id, kind=kind, branch_guid=branch,
                key_id=sealed.key_id, wrapped_key=sealed.wrapped_key,
                ciphertext=sealed.ciphertext, created_by=created_by, created_at=now(),
            ).on_conflict_do_nothing(index_elements=["external_id"]))
            created += result.rowcount == 1
    return created


def _payload(item: SecretIn) -> bytes:
    return json.dumps({
        "key": secrets.token_urlsafe(32),
        "first_name": item.first_name, "last_name": item.last_name,
        "email": item.email, "phone": item.phone,
    }).encode()


async def owner(engine: AsyncEngine, external_id: str) -> SecretOwner | None:
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(customer_secrets.c.kind, customer_secrets.c.branch_guid)
            .where(customer_secrets.c.external_id == external_id)
        )).first()
    if row is None:
        return None
    return SecretOwner(external_id, row.kind, row.branch_guid)


class SealedCache:
    """Sealed records by external id (LRU). Records are never deleted once issued and only
    ever re-wrapped (a key rotation, which keeps the retired key in every process until they
    restart), so every process may keep them: the Auth Service then answers a known object
    without a database round trip. Only ciphertext is held; misses are not cached (another
    process may issue the secret a moment later)."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self._max = max_entries
        self._items: OrderedDict[str, tuple[SecretOwner, Sealed]] = OrderedDict()

    def get(self, external_id: str) -> tuple[SecretOwner, Sealed] | None:
        item = self._items.get(external_id)
        if item is not None:
            self._items.move_to_end(external_id)
        return item

    def put(self, external_id: str, item: tuple[SecretOwner, Sealed]) -> None:
        self._items[external_id] = item
        self._items.move_to_end(external_id)
        while len(self._items) > self._max:
            self._items.popitem(last=False)


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
