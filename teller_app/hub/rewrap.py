"""Master-key rotation: every sealed secret's data key re-wrapped under the current key.

Envelope encryption makes this cheap and safe: a record's ciphertext never changes, only the
48-byte wrap of its data key. The steps a bank's IT takes (README, "Rotating the master key"):
every hub process gets the new key as ``master_key`` and the old one as
``master_key_previous``; ``teller-hub secrets rewrap`` then moves every record; once it says
none is left on the old key, the old key goes from the settings and the processes restart
(their record caches may still hold old wraps until then).

Each row is written only if it is still as read (same ``key_id`` and wrap), so two runs at
once, or a run beside serving processes, never lose an update; a run can stop anywhere and
be started again. A record no key of this process opens is counted and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from . import audit
from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets

BATCH = 500  # rows per transaction


@dataclass
class RewrapReport:
    rewrapped: int = 0
    unopened: int = 0  # wrapped by a key this process does not hold (or damaged)
    by_key: dict[str, int] = field(default_factory=dict)  # after the run: rows per key id

    def as_dict(self) -> dict[str, object]:
        return {"rewrapped": self.rewrapped, "unopened": self.unopened, "by_key": self.by_key}


async def rows_by_key(engine: AsyncEngine) -> dict[str, int]:
    """How many records each master key (by ``key_id``) wraps."""
    t = customer_secrets
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(t.c.key_id, sa.func.count()).group_by(t.c.key_id)))
        return {str(key_id): int(n) for key_id, n in rows}


async def rewrap_all(engine: AsyncEngine, master: MasterKey, *, actor: str = "it") -> RewrapReport:
    """Re-wrap every record not on ``master``'s current key, a batch per transaction; one
    audit entry says what was done (never a key or a secret)."""
    t = customer_secrets
    report = RewrapReport()
    after = ""
    while True:
        async with engine.begin() as conn:
            rows = (await conn.execute(
                sa.select(t.c.external_id, t.c.key_id, t.c.wrapped_key, t.c.ciphertext)
                .where(t.c.key_id != master.key_id, t.c.external_id > after)
                .order_by(t.c.external_id).limit(BATCH))).all()
            for row in rows:
                old = Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext))
                try:
                    new = master.rewrap(row.external_id, old)
                except DecryptError:
                    report.unopened += 1
                    continue
                done = await conn.execute(
                    t.update().where(t.c.external_id == row.external_id,
                                     t.c.key_id == old.key_id,
                                     t.c.wrapped_key == old.wrapped_key)
                    .values(key_id=new.key_id, wrapped_key=new.wrapped_key))
                report.rewrapped += done.rowcount
        if len(rows) < BATCH:
            break
        after = rows[-1].external_id
    report.by_key = await rows_by_key(engine)
    async with engine.begin() as conn:
        await audit.append(conn, audit.Entry(
            actor=actor, action="policy", entity="master_key",
            detail={"key_id": master.key_id, **report.as_dict()}))
    return report
