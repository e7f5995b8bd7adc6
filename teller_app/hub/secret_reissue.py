"""A customer secret issued again by the employee who issued it, with the same phone number,
while it is still fresh (``phone_holders.PENDING_S``: its create may be on its way): a desk
retrying a create after a timeout. Its phone check asks about a number this employee already
had checked for this login, so it tells nothing new and is not counted again
(``phone_probe_limit``); the check itself still runs (the number may be taken since)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform.phones import e164, same_phone

from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets, now
from .models import SecretIn
from .phone_holders import PENDING_S


async def checked_before(engine: AsyncEngine, master: MasterKey, item: SecretIn,
                         issuer: str) -> bool:
    """True when ``issuer`` issued ``item``'s customer secret within ``PENDING_S`` and its
    stored profile has ``item``'s phone number."""
    if e164(item.phone) is None:
        return False
    t = customer_secrets.c
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(t.key_id, t.wrapped_key, t.ciphertext).where(
            t.external_id == item.external_id, t.kind == "customer", t.created_by == issuer,
            t.created_at >= now() - PENDING_S))).first()
    if row is None:
        return False
    sealed = Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext))
    try:
        held = str(json.loads(master.open(item.external_id, sealed)).get("phone", ""))
    except (DecryptError, ValueError):
        return False  # unreadable here: counted as any check
    return same_phone(held, item.phone)
