"""One customer per phone number: the bank's back office requires a unique phone number
(§3.4 [D-UG]), DCM's API does not check it, and an audit created the same person twice at
two desks. The hub holds the control where every create starts: the secret issue for a new
customer's login (``POST /api/v1/secrets``). It refuses (409 ``phone_taken``) when the
number is already held

- on DCM, by a customer with another login (read with the hub's own DCM reader, every
  written form of the number, the rows re-checked), or
- in the vault, by another login's secret that another employee had issued moments ago
  (``PENDING_S``): that create is on its way to DCM, so two desks pressing Save on one
  person at once cannot both pass. Issuers are one at a time there (``vault.issue``).

The bank may turn it off (policy ``unique_phone``: shared family phones); turning it off is
a relaxation, so it waits for a second head-office administrator like any other.

What this does not cover: a modified desk may create on DCM without telling the hub the
phone number (the secret's profile is what the desk declares); in Mode B the proxy sees the
create's body and could compare it (not done here)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform import PlatformError
from teller_app.platform.customer_lookups import customers_by_phone
from teller_app.platform.phones import e164

from . import audit
from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets, now
from .errors import HubError
from .models import HubEmployee, SecretIn

log = logging.getLogger("teller_hub.phones")
# A create's secret comes seconds before its POST reaches DCM. For this long another
# employee's fresh secret counts as the number's holder; after it, DCM's own list decides (a
# secret whose create DCM refused no longer blocks anyone). Rows opened per check: bounded.
PENDING_S = 300
PENDING_MAX = 500
CODE = "phone_taken"
AUDIT_PER_MINUTE = 30  # refusal rows an employee adds in a minute (a flood adds no more)


@dataclass(frozen=True)
class Holder:
    """Who holds the number: a DCM customer (``customer_guid``), or a login whose create is
    on its way (``customer_guid`` None)."""

    login: str
    branch_guid: str | None
    customer_guid: str | None = None


class PhoneHeld(Exception):
    def __init__(self, holder: Holder) -> None:
        super().__init__("the phone number is held by another customer")
        self.holder = holder


async def on_dcm(request: Request, phone: str, login: str) -> Holder | None:
    """A DCM customer with another login holding ``phone``'s number. Fails closed when DCM
    cannot be read (503). A hub configured with no way to read DCM (only the Auth Service's
    secrets: no DCM URL, technical account or bank key) cannot run this part at all: it is
    skipped, with a warning, rather than stopping every create of such a bank."""
    fe = getattr(request.app.state, "four_eyes", None)
    reader = getattr(fe, "reader", None)
    if reader is None or not reader.available:
        log.warning("phone check: the hub has no DCM reader; only its own fresh secrets are "
                    "compared")
        return None
    try:
        found = await customers_by_phone(await reader.client(), phone)
    except PlatformError as exc:
        log.warning("phone check: DCM not read", extra={"error": type(exc).__name__})
        raise HubError(503, "DCM could not be read to check the phone number is unique") \
            from None
    folded = login.casefold()
    for customer in found:
        if customer.login.casefold() != folded:
            return Holder(customer.login, customer.branch_guid or None,
                          customer.wallet_user_guid)
    return None


async def pending_holder(conn: AsyncConnection, master: MasterKey, item: SecretIn, *,
                         created_by: str) -> Holder | None:
    """Another login's customer secret holding ``item``'s number, issued in the last
    PENDING_S by another employee (an employee's own earlier attempt, e.g. refused by DCM
    and now retried under a corrected login, is not a second person). Phones are inside the
    sealed profiles, so the few fresh ones are opened here."""
    wanted = e164(item.phone)
    if wanted is None:
        return None
    table = customer_secrets
    rows = (await conn.execute(
        sa.select(table.c.external_id, table.c.branch_guid, table.c.key_id,
                  table.c.wrapped_key, table.c.ciphertext)
        .where(table.c.kind == "customer", table.c.created_at >= now() - PENDING_S,
               table.c.external_id != item.external_id, table.c.created_by != created_by)
        .order_by(table.c.created_at.desc()).limit(PENDING_MAX))).all()
    for row in rows:
        sealed = Sealed(row.key_id, bytes(row.wrapped_key), bytes(row.ciphertext))
        try:
            phone = str(json.loads(master.open(row.external_id, sealed)).get("phone", ""))
        except (DecryptError, ValueError):
            continue  # not this check's business (the Auth Service reports such rows)
        if e164(phone) == wanted:
            return Holder(row.external_id, row.branch_guid)
    return None


async def refusal(engine: AsyncEngine, holder: Holder, emp: HubEmployee,
                  item: SecretIn) -> JSONResponse:
    """The 409 a desk words itself (``code``), and the hub's audit row of it (the new login
    only: neither the number nor the holder, whom the auditor's branch may not see). The
    holder is named only to an employee who may act in the holder's branch: the refusal
    itself says only that the number is taken."""
    body: dict[str, Any] = {
        "error": "a customer with this phone number already exists (the bank's rule: one "
                 "customer per phone number)", "code": CODE}
    if emp.may_act_in(holder.branch_guid):
        body["holder"] = {"login": holder.login, "wallet_user_guid": holder.customer_guid}
    pending = holder.customer_guid is None
    await audit.record_limited(engine, audit.Entry(
        actor=emp.email, action="secret_refused", entity="secret",
        branch_guid=item.branch_guid or emp.branch_guid,
        detail={"external_id": item.external_id, "refusal": CODE, "pending": pending}),
        cap=AUDIT_PER_MINUTE, cap_by="actor")
    log.info("secret refused: phone number taken", extra={"pending": pending})
    return JSONResponse(body, 409)
