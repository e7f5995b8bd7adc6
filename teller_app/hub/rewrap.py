"""Master-key rotation: every sealed secret's data key re-wrapped under the current key.

Envelope encryption makes this cheap and safe: a record's ciphertext never changes, only the
48-byte wrap of its data key. The steps a bank's IT takes (README): every hub process learns
the new key as ``master_key_previous``, then seals with it (``master_key``, the old one now
previous), each a rolling restart; ``teller-hub secrets rewrap`` then moves every record;
once it says none is left on the old key, the old key goes from the settings and the
processes restart (their record caches may still hold old wraps until then).

The hub's own keys (``hub_keys``: the sign-in throttle's) are re-wrapped too. Each row is
written only if it is still as read (same ``key_id`` and wrap), so two runs at
once, or a run beside serving processes, never lose an update; a run can stop anywhere and
be started again. A record no key of this process opens is counted and left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from . import audit
from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets
from .signin_throttle import HUB_KEY_AAD, hub_keys

BATCH = 500  # rows per transaction


@dataclass
class RewrapReport:
    rewrapped: int = 0
    unopened: int = 0  # wrapped by a key this process does not hold (or damaged)
    by_key: dict[str, int] = field(default_factory=dict)  # after the run: rows per key id

    def as_dict(self) -> dict[str, object]:
        return {"rewrapped": self.rewrapped, "unopened": self.unopened, "by_key": self.by_key}


@dataclass(frozen=True)
class _Sealed:
    """A table of sealed rows: its key column and the AAD each row was sealed with."""

    table: sa.Table
    key: sa.Column[Any]
    aad: Callable[[str], str]


# customer and key-keeper secrets; the hub's own keys (the sign-in throttle's HMAC key)
_TABLES = (_Sealed(customer_secrets, customer_secrets.c.external_id, lambda k: k),
           _Sealed(hub_keys, hub_keys.c.name, lambda k: HUB_KEY_AAD + k))


async def rows_by_key(engine: AsyncEngine) -> dict[str, int]:
    """How many sealed rows each master key (by ``key_id``) wraps."""
    counts: dict[str, int] = {}
    async with engine.connect() as conn:
        for spec in _TABLES:
            t = spec.table
            for key_id, n in await conn.execute(
                    sa.select(t.c.key_id, sa.func.count()).group_by(t.c.key_id)):
                counts[str(key_id)] = counts.get(str(key_id), 0) + int(n)
    return counts


async def rewrap_all(engine: AsyncEngine, master: MasterKey, *, actor: str = "it") -> RewrapReport:
    """Re-wrap every sealed row not on ``master``'s current key, a batch per transaction;
    one audit entry says what was done (never a key or a secret)."""
    report = RewrapReport()
    for spec in _TABLES:
        await _rewrap_table(engine, master, spec, report)
    report.by_key = await rows_by_key(engine)
    async with engine.begin() as conn:
        await audit.append(conn, audit.Entry(
            actor=actor, action="policy", entity="master_key",
            detail={"key_id": master.key_id, **report.as_dict()}))
    return report


async def _rewrap_table(engine: AsyncEngine, master: MasterKey, spec: _Sealed,
                        report: RewrapReport) -> None:
    t, key = spec.table, spec.key
    after = ""
    while True:
        async with engine.begin() as conn:
            rows = (await conn.execute(
                sa.select(key.label("k"), t.c.key_id, t.c.wrapped_key, t.c.ciphertext)
                .where(t.c.key_id != master.key_id, key > after)
                .order_by(key).limit(BATCH))).all()
            for row in rows:
                old = Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext))
                try:
                    new = master.rewrap(spec.aad(row.k), old)
                except DecryptError:
                    report.unopened += 1
                    continue
                done = await conn.execute(
                    t.update().where(key == row.k, t.c.key_id == old.key_id,
                                     t.c.wrapped_key == old.wrapped_key)
                    .values(key_id=new.key_id, wrapped_key=new.wrapped_key))
                report.rewrapped += done.rowcount
        if len(rows) < BATCH:
            return
        after = rows[-1].k
