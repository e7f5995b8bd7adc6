"""A customer secret issued again by the employee who issued it, with the same phone number,
while it is still fresh (``phone_holders.PENDING_S``: its create may be on its way): a desk
retrying a create after a timeout. Its phone check asks about a number this employee already
had checked for this login, so it tells nothing new and is not counted again
(``phone_probe_limit``); the check itself still runs (the number may be taken since)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform.phones import e164, same_phone

from .crypto import MasterKey
from .models import SecretIn
from .phone_holders import PENDING_S
from .vault_records import customer_records


async def checked_before(engine: AsyncEngine, master: MasterKey, item: SecretIn,
                         issuer: str) -> bool:
    """True when ``issuer`` issued ``item``'s customer secret within ``PENDING_S`` and its
    stored profile has ``item``'s phone number."""
    if e164(item.phone) is None:
        return False
    async with engine.connect() as conn:
        records = await customer_records(conn, master, external_id=item.external_id,
                                         issued_by=issuer, max_age_s=PENDING_S)
    record = next(records, None)
    if record is None:  # none, or unreadable here (left out): counted as any check
        return False
    return same_phone(str(record.profile.get("phone", "")), item.phone)
