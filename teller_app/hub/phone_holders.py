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

A change of an existing customer's phone number onto a number another DCM customer holds
(compared by ``wallet_user_guid``) is refused the same way, wherever it is written: the
four-eyes executor ends the request "not applied" right before the PUT (``PhoneHeld``,
``taken_result``), and the Mode-B proxy refuses a direct customer PUT (409 ``phone_taken``).

What this does not cover: a modified desk may create on DCM without telling the hub the
phone number (the secret's profile is what the desk declares); in Mode B the proxy sees the
create's body and could compare it (not done here). A change is compared with DCM only, not
with a create on its way (a fresh secret), and DCM has no unique index: two writes landing
at once can still both pass."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform import PlatformError
from teller_app.platform.customer_lookups import customers_by_phone
from teller_app.platform.hub_models import PHONE_TAKEN
from teller_app.platform.phones import e164, same_phone

from . import audit, policy
from .crypto import DecryptError, MasterKey, Sealed
from .db import customer_secrets, now
from .errors import HubError
from .models import HubEmployee, SecretIn

if TYPE_CHECKING:  # dcm_reader → state → vault imports this module
    from .dcm_reader import Reader

log = logging.getLogger("teller_hub.phones")
# A create's secret comes seconds before its POST reaches DCM. For this long another
# employee's fresh secret counts as the number's holder; after it, DCM's own list decides (a
# secret whose create DCM refused no longer blocks anyone). Rows opened per check: bounded.
PENDING_S = 300
PENDING_MAX = 500
CODE = "phone_taken"
AUDIT_PER_MINUTE = 30  # refusal rows an employee adds in a minute (a flood adds no more)
SHOWN_CHARS = 200  # of the holder's login in a result (its 1000 characters)


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


async def on_dcm(reader: Reader | None, phone: str, *, login: str = "",
                 customer_guid: str = "") -> Holder | None:
    """A DCM customer holding ``phone``'s number other than the one with ``login`` (a new
    customer's) or ``customer_guid`` (a customer whose number changes). Fails closed when DCM
    cannot be read (503). A hub configured with no way to read DCM (only the Auth Service's
    secrets: no DCM URL, technical account or bank key; ``reader`` None or unavailable)
    cannot run this part at all: it is skipped, with a warning, rather than stopping every
    create of such a bank."""
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
        if customer_guid and customer.wallet_user_guid == customer_guid:
            continue
        if not login or customer.login.casefold() != folded:
            return Holder(customer.login, customer.branch_guid or None,
                          customer.wallet_user_guid)
    return None


async def change_holder(engine: AsyncEngine, reader: Reader | None, customer_guid: str,
                        current: str | None, wanted: Any) -> Holder | None:
    """Another DCM customer holding the number a change moves customer ``customer_guid``
    onto (``wanted``; ``current``: the number it has now), while the bank's policy keeps
    ``unique_phone`` on. None: no new number (cleared, or the one the customer has), the
    rule off, or nobody else holds it. Fails closed (503) as ``on_dcm``."""
    if not isinstance(wanted, str) or not wanted.strip() or same_phone(current, wanted):
        return None
    if not (await policy.load(engine))[0].unique_phone:
        return None
    return await on_dcm(reader, wanted, customer_guid=customer_guid)


def taken_result(holder: Holder, branch_guid: str | None) -> str:
    """A change request's end when its number is held: ``hub_models.PHONE_TAKEN``, then a
    JSON object naming the holder ({"login", "wallet_user_guid"}) only when in the request's
    own branch, the one everybody who sees the request (its maker, its branch's checkers,
    head office) may act in; else {}."""
    named: dict[str, Any] = {}
    if holder.branch_guid is not None and holder.branch_guid == branch_guid:
        named = {"login": holder.login[:SHOWN_CHARS], "wallet_user_guid": holder.customer_guid}
    return PHONE_TAKEN + json.dumps(named, ensure_ascii=False, sort_keys=True)


def refusal_body(holder: Holder, emp: HubEmployee) -> dict[str, Any]:
    """The 409's body a desk words itself (``code``); the holder is named only to an
    employee who may act in the holder's branch."""
    body: dict[str, Any] = {
        "error": "a customer with this phone number already exists (the bank's rule: one "
                 "customer per phone number)", "code": CODE}
    if emp.may_act_in(holder.branch_guid):
        body["holder"] = {"login": holder.login, "wallet_user_guid": holder.customer_guid}
    return body


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
    body = refusal_body(holder, emp)
    pending = holder.customer_guid is None
    await audit.record_limited(engine, audit.Entry(
        actor=emp.email, action="secret_refused", entity="secret",
        branch_guid=item.branch_guid or emp.branch_guid,
        detail={"external_id": item.external_id, "refusal": CODE, "pending": pending}),
        cap=AUDIT_PER_MINUTE, cap_by="actor")
    log.info("secret refused: phone number taken", extra={"pending": pending})
    return JSONResponse(body, 409)
