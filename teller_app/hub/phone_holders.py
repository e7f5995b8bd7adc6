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

A change of an existing customer's phone number onto a number another customer holds is
refused the same way, wherever it is written (one check, ``change_holder``): on DCM
(compared by ``wallet_user_guid``), or by a create on its way (a fresh secret, of any
employee, whose login DCM does not have yet; one DCM has is judged by its number there).
The request is refused when it is filed, and when the desk asks the policy before a Save
(``refuse_change``: 409 ``phone_taken``, the phone field marked, nothing goes to a
supervisor), and its approval is refused while the number is held (``refuse_approval``:
the request stays pending, so its approver may still reject it with a word to its maker, or
approve it once the number is free again). The four-eyes executor checks again right before
the PUT and ends the request "not applied" (``PhoneHeld``, ``taken_result``); the Mode-B
proxy refuses a direct customer PUT (409 ``phone_taken``).

Each of those checks an employee asks (a new number, the rule on) is counted first: over the
hub's ``phone_checks_per_minute`` it is refused, 429 (``phone_probe_limit``), so the rule is
no oracle over every customer's number. DCM unreadable: 503 ``phone_check_unavailable``.

What this does not cover: a modified desk may create on DCM without telling the hub the
phone number (the secret's profile is what the desk declares); in Mode B the proxy sees the
create's body and could compare it (not done here). DCM has no unique index: two writes
landing at once can still both pass."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform import PlatformError, Unavailable
from teller_app.platform.customer_lookups import customers_by_phone
from teller_app.platform.hub_models import PHONE_TAKEN
from teller_app.platform.models import Customer
from teller_app.platform.phones import e164, same_phone

from . import audit, phone_probe_limit, policy
from .crypto import MasterKey
from .errors import HubError
from .models import HubEmployee, SecretIn
from .vault_records import customer_records

if TYPE_CHECKING:  # dcm_reader → state → vault imports this module
    from .commands import Command
    from .dcm_reader import Reader
    from .state import HubState

log = logging.getLogger("teller_hub.phones")
# A create's secret comes seconds before its POST reaches DCM. For this long another
# employee's fresh secret counts as the number's holder; after it, DCM's own list decides (a
# secret whose create DCM refused no longer blocks anyone). Rows opened per check: bounded.
PENDING_S = 300
PENDING_MAX = 500
CODE = "phone_taken"
UNAVAILABLE = "phone_check_unavailable"  # 503: DCM not read, nothing done (a desk words it)
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
        raise unreadable(exc) from None
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
    """Another customer holding the number a change moves customer ``customer_guid`` onto
    (``wanted``; ``current``: the number it has now), while the bank's policy keeps
    ``unique_phone`` on: on DCM, or a create on its way (``on_its_way``; the vault's key is
    the reader's hub's: no reader, DCM only). None: no new number (cleared, or the one the
    customer has), the rule off, or nobody else holds it. Fails closed (503) as ``on_dcm``.
    The one check of a change: filing, the policy's answer, approval, executor and proxy."""
    if not await asks_holder(engine, current, wanted):
        return None
    return await new_number_holder(engine, reader, customer_guid, wanted)


async def asks_holder(engine: AsyncEngine, current: str | None, wanted: Any) -> bool:
    """A change onto ``wanted`` asks who holds it: a new number, the rule on."""
    if not isinstance(wanted, str) or not wanted.strip() or same_phone(current, wanted):
        return False
    return bool((await policy.load(engine))[0].unique_phone)


async def new_number_holder(engine: AsyncEngine, reader: Reader | None, customer_guid: str,
                            wanted: str) -> Holder | None:
    """``change_holder`` once ``asks_holder`` said the number is to be asked about."""
    holder = await on_dcm(reader, wanted, customer_guid=customer_guid)
    if holder is None and reader is not None:
        holder = await on_its_way(engine, reader, customer_guid, wanted)
    return holder


class PhoneUnreadable(HubError):
    """503 ``phone_check_unavailable``: the number could not be checked (fails closed).
    ``transient``: DCM did not answer (a later try may pass), not an answer about this
    number (a refused look-up: trying again gains nothing)."""

    def __init__(self, transient: bool) -> None:
        super().__init__(503, "DCM could not be read to check the phone number is unique",
                         UNAVAILABLE)
        self.transient = transient


def unreadable(exc: PlatformError) -> PhoneUnreadable:
    return PhoneUnreadable(isinstance(exc, Unavailable))


async def on_its_way(engine: AsyncEngine, reader: Reader, customer_guid: str,
                     wanted: str) -> Holder | None:
    """A fresh secret (``PENDING_S``, any employee's: a create is another customer even at
    the maker's own desk) holding ``wanted``'s number, whose login DCM does not have yet.
    One DCM has is no longer on its way: its customer is judged by the number it has there
    (the changed customer's own secret, or a create whose number changed since: neither
    holds it). A hub that cannot read DCM counts every fresh secret as on its way."""
    async with engine.connect() as conn:
        found = await _fresh(conn, reader.state.master, wanted)
    for holder in found:
        if not reader.available:
            return holder
        try:
            landed = await (await reader.client()).find_customer_by_login(holder.login)
        except PlatformError as exc:
            log.warning("phone check: DCM not read", extra={"error": type(exc).__name__})
            raise unreadable(exc) from None
        if landed is None:
            return holder
        if landed.wallet_user_guid != customer_guid and \
                same_phone(landed.phone_number, wanted):
            return Holder(landed.login, landed.branch_guid or None, landed.wallet_user_guid)
    return None


def taken(holder: Holder, emp: HubEmployee) -> HubError:
    """The 409 ``phone_taken`` (``refusal_body``'s) as an error to raise."""
    body = refusal_body(holder, emp)
    return HubError(409, body["error"], CODE,
                    {k: v for k, v in body.items() if k not in ("error", "code")})


async def refuse_change(state: HubState, reader: Reader, emp: HubEmployee, customer: Customer,
                        change: Mapping[str, Any], *, attempt: str, desk_id: str = "") -> None:
    """Raise the 409 ``phone_taken`` when ``change`` (a customer change, filed or asked of
    the policy before a Save: ``attempt`` "file" | "evaluate") moves ``customer`` (as DCM
    has it now) onto a number another customer holds, with the hub's audit row (neither
    the number nor the holder), limited as the secret issue's. Nothing is filed. Counted
    against the employee's checks a minute (``phone_probe_limit``: 429, nothing done)."""
    wanted = change.get("phone_number")
    if not await asks_holder(state.engine, customer.phone_number, wanted):
        return
    guid = customer.wallet_user_guid

    def refused(refusal: str) -> audit.Entry:
        return audit.Entry(
            actor=emp.email, action="request_refused", entity=f"customer:{guid}",
            branch_guid=customer.branch_guid or emp.branch_guid,
            detail={"kind": "customer_update", "customer_guid": guid, "refusal": refusal,
                    "attempt": attempt, "desk_id": desk_id})

    async with phone_probe_limit.counted(state.engine, state.settings.phone_checks_per_minute,
                                         refused(phone_probe_limit.CODE)):
        holder = await new_number_holder(state.engine, reader, guid, str(wanted))
    if holder is None:
        return
    await audit.record_limited(state.engine, refused(CODE), cap=AUDIT_PER_MINUTE,
                               cap_by="actor")
    log.info("request refused: phone number taken", extra={"attempt": attempt})
    raise taken(holder, emp)


async def refuse_approval(engine: AsyncEngine, reader: Reader, emp: HubEmployee,
                          cmd: Command, judged: Customer) -> None:
    """Raise the 409 ``phone_taken`` refusing the approval of ``cmd`` (its customer
    ``judged``, read by the approval) while another customer holds its new number. The
    request stays pending, as a bank wants it: the approver rejects it with a word to its
    maker rather than the hub ending it unseen, or approves it once the number is free
    (a create on its way refused by DCM, the holder's own number corrected). The
    approval's refusal audit row names the code (``decision_refused``)."""
    holder = await change_holder(engine, reader, cmd.customer_guid, judged.phone_number,
                                 cmd.change.get("phone_number"))
    if holder is not None:
        raise taken(holder, emp)


def taken_result(holder: Holder, branch_guid: str | None) -> str:
    """A change request's end when its number is held: ``hub_models.PHONE_TAKEN``, then a
    JSON object naming the holder ({"login", "wallet_user_guid"}) only when in the request's
    own branch, the one everybody who sees the request (its maker, its branch's checkers,
    head office) may act in; else {}."""
    return PHONE_TAKEN + json.dumps(named_in_branch(holder, branch_guid), ensure_ascii=False,
                                    sort_keys=True)


def named_in_branch(holder: Holder, branch_guid: str | None) -> dict[str, Any]:
    """The holder as a request's result or an alert names them: {"login",
    "wallet_user_guid"} when in ``branch_guid``, else {}."""
    if holder.branch_guid is not None and holder.branch_guid == branch_guid:
        return {"login": holder.login[:SHOWN_CHARS], "wallet_user_guid": holder.customer_guid}
    return {}


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
    and now retried under a corrected login, is not a second person)."""
    found = await _fresh(conn, master, item.phone, not_login=item.external_id,
                         not_by=created_by, first=True)
    return found[0] if found else None


async def _fresh(conn: AsyncConnection, master: MasterKey, phone: str | None, *,
                 not_login: str | None = None, not_by: str | None = None,
                 first: bool = False) -> list[Holder]:
    """Customer secrets issued in the last PENDING_S (newest first, at most PENDING_MAX
    opened) holding ``phone``'s number, but ``not_login``'s and those ``not_by`` issued;
    ``first``: the newest only. Phones are inside the sealed profiles, so the few fresh ones
    are opened here."""
    wanted = e164(phone or "")
    if wanted is None:
        return []
    records = await customer_records(conn, master, not_external_id=not_login,
                                     not_issued_by=not_by, max_age_s=PENDING_S,
                                     limit=PENDING_MAX)
    found: list[Holder] = []
    # a record that does not open is left out: not this check's business (the Auth Service
    # reports such rows)
    for record in records:
        if e164(str(record.profile.get("phone", ""))) == wanted:
            found.append(Holder(record.external_id, record.branch_guid))
            if first:
                break
    return found


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
