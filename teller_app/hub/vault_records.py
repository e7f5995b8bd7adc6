"""Customers' sealed records opened: the one way the hub reads a customer's profile (its
phone number, names, key) out of the vault for its own checks, not the Auth Service's
(``vault.open_sealed``): the phone checks (``phone_holders``, ``secret_reissue``) and a
retried create's new details (``vault.replace_profile``). The profile is a secret: it is
never logged, nor shown in a record's repr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets, now


@dataclass(frozen=True, eq=False)  # no hash or equality over a secret profile
class CustomerRecord:
    """A customer's record, opened: ``profile`` holds "key", "first_name", "last_name",
    "email", "phone"; ``sealed`` is the row as stored (a compare-and-swap's old value)."""

    external_id: str
    branch_guid: str | None
    sealed: Sealed = field(repr=False)
    profile: Mapping[str, Any] = field(repr=False)


async def customer_records(conn: AsyncConnection, master: MasterKey, *,
                           external_id: str | None = None,
                           not_external_id: str | None = None,
                           issued_by: str | None = None,
                           not_issued_by: str | None = None,
                           max_age_s: int | None = None,
                           limit: int | None = None,
                           skip_unreadable: bool = True) -> Iterator[CustomerRecord]:
    """The customer records (key keepers' never) of ``external_id`` (all when None) but
    ``not_external_id``'s, issued by ``issued_by`` but not by ``not_issued_by``, issued (or
    issued again) at most ``max_age_s`` seconds ago; newest first, at most ``limit``. The
    rows are read now; each is opened as the caller iterates (a caller that stops early
    opens no more). A record that does not open with ``master`` (another key, tampered, not
    a JSON object) is left out, or with ``skip_unreadable`` False raises ``DecryptError`` /
    ``ValueError``."""
    if external_id is None and limit is None:
        raise ValueError("name a customer or a limit: never the whole vault opened at once")
    t = customer_secrets.c
    query = sa.select(t.external_id, t.branch_guid, t.key_id, t.wrapped_key,
                      t.ciphertext).where(t.kind == "customer")
    if external_id is not None:
        query = query.where(t.external_id == external_id)
    if not_external_id is not None:
        query = query.where(t.external_id != not_external_id)
    if issued_by is not None:
        query = query.where(t.created_by == issued_by)
    if not_issued_by is not None:
        query = query.where(t.created_by != not_issued_by)
    if max_age_s is not None:
        query = query.where(t.created_at >= now() - max_age_s)
    # the id breaks ties of the same second alike on SQLite and PostgreSQL
    query = query.order_by(t.created_at.desc(), t.external_id)
    if limit is not None:
        query = query.limit(limit)
    rows = (await conn.execute(query)).all()
    return _opened(master, rows, skip_unreadable)


def _opened(master: MasterKey, rows: Iterable[Any],
            skip_unreadable: bool) -> Iterator[CustomerRecord]:
    for row in rows:
        sealed = Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext))
        try:
            profile = json.loads(master.open(row.external_id, sealed))
            if not isinstance(profile, dict):
                raise ValueError("a sealed profile is not a JSON object")
        except (DecryptError, ValueError):
            if skip_unreadable:
                continue
            raise
        yield CustomerRecord(row.external_id, row.branch_guid, sealed, profile)
