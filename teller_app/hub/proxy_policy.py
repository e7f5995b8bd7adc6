"""Four eyes in Mode B: the proxy refuses a maker's customer edit that the bank's policy
sends to a second person. The desk files such an edit as a request (``/requests``), and the
hub's executor applies it once a checker approved; without this check a teller's own HTTP
client could PUT it through ``/dcm`` directly, signed with the bank's key. Checkers
(Supervisor, Administrator) write directly, as the platform lets them in Mode A.

The bank's one-customer-per-phone rule (``phone_holders``) is no approval: a direct update
onto a number another customer holds is refused whoever sends it (409 ``phone_taken``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import State

from teller_app.hub import audit, phone_holders, phone_probe_limit, policy
from teller_app.hub.dcm_reader import app_reader
from teller_app.hub.errors import HubError
from teller_app.hub.events import is_checker
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_rules import Refusal
from teller_app.hub.watcher import fields_of
from teller_app.platform.models import Customer, CustomerUpdate, NewCustomer

# The exact keys a desk sends (a platform decoding JSON case-insensitively, as Go's
# encoding/json does, would read "IS_DISABLED" as is_disabled: an unknown key is refused,
# never forwarded past the policy's look at the known ones).
_UPDATE_KEYS = frozenset(CustomerUpdate.model_fields)
_CREATE_KEYS = frozenset(NewCustomer.model_fields)
_WRAPPER_KEYS = frozenset({"valid", "value"})


async def refuse_unapproved(engine: AsyncEngine, emp: HubEmployee, body: Any,
                            customer: dict[str, Any]) -> None:
    """Raise ``Refusal(403)`` when ``body`` (a customer update) needs approval for ``emp``."""
    if is_checker(emp):
        return
    if not isinstance(body, dict):
        raise Refusal(400, "a customer update is a JSON object")
    change = {k: _plain(v) for k, v in body.items() if k != "wallet_user_guid"}
    try:
        known = Customer.model_validate(customer)
        current = {**fields_of(known), **policy.customer_fields(known)}
    except ValidationError:
        current = None  # unknown: the policy asks for approval of what it cannot judge
    reasons = policy.evaluate((await policy.load(engine))[0], "customer_update", change,
                              current)
    if reasons:
        raise Refusal(403, "this change needs a second person: file a request for approval "
                      f"({', '.join(reasons)})")


async def refuse_phone_taken(app_state: State, emp: HubEmployee, guid: str, body: Any,
                             customer: dict[str, Any]) -> None:
    """Raise ``Refusal(409, "phone_taken")`` when ``body`` (an update of ``customer``, as DCM
    has it now) moves the customer onto a number another customer holds, with the hub's
    audit row of it (neither the number nor the holder); 503 ``phone_check_unavailable``
    when DCM cannot be read. Counted as the hub's other phone checks (429
    ``phone_checks_throttled``: nothing sent; a PUT onto a free number is a probe too)."""
    if not isinstance(body, dict) or "phone_number" not in body:
        return
    engine = app_state.hub.engine
    current = _plain(customer.get("phone_number"))
    current = current if isinstance(current, str) else None
    wanted = _plain(body["phone_number"])
    if not await phone_holders.asks_holder(engine, current, wanted):
        return

    def refused(refusal: str) -> audit.Entry:
        return audit.Entry(
            actor=emp.email, action="proxy_write", entity=f"customer:{guid}",
            branch_guid=customer.get("branch_guid") or emp.branch_guid,
            detail={"method": "PUT", "kind": "customer_update", "target_guid": guid,
                    "event": "refused", "refusal": refusal})

    try:
        async with phone_probe_limit.counted(
                engine, app_state.hub.settings.phone_checks_per_minute,
                refused(phone_probe_limit.CODE)):
            holder = await phone_holders.new_number_holder(engine, app_reader(app_state),
                                                           guid, str(wanted))
    except phone_probe_limit.PhoneChecksThrottled as exc:
        raise Refusal(429, exc.message, phone_probe_limit.CODE,
                      {"retry_after": exc.retry_after}) from None
    except HubError as exc:
        raise Refusal(exc.status, exc.message, exc.code or "") from None
    if holder is None:
        return
    await audit.record_limited(engine, refused(phone_holders.CODE),
                               cap=phone_holders.AUDIT_PER_MINUTE, cap_by="actor")
    answer = phone_holders.refusal_body(holder, emp)
    raise Refusal(409, answer["error"], phone_holders.CODE,
                  {k: v for k, v in answer.items() if k not in ("error", "code")})


def check_customer_body(body: Any, *, create: bool, guid: str | None = None) -> None:
    """Raise ``Refusal(400)`` unless ``body`` is a customer create/update with only the
    platform's documented keys, exactly spelt (``{"valid", "value"}`` wrappers too), and an
    update names no other customer than its path."""
    if not isinstance(body, dict):
        raise Refusal(400, "a customer is a JSON object")
    allowed = _CREATE_KEYS if create else _UPDATE_KEYS
    unknown = sorted(k for k in body if k not in allowed)
    wrapped = [k for k, v in body.items()
               if isinstance(v, dict) and not set(v) <= _WRAPPER_KEYS]
    if unknown or wrapped:
        raise Refusal(400, f"unknown customer fields: {', '.join(unknown + wrapped)[:200]}")
    if not create and body.get("wallet_user_guid") not in (None, guid):
        raise Refusal(400, "the body names another customer than the path")


async def refuse_unapproved_create(engine: AsyncEngine, emp: HubEmployee, body: Any) -> None:
    """A maker's new customer is judged as a change from what DCM gives a new customer
    (``policy.NEW_CUSTOMER``): created with a sensitive status, say, it needs a second
    person, as the same change would. Created disabled does not (the desk offers it, and a
    disabled newcomer can do nothing); ``all_customer_updates`` concerns updates only."""
    if is_checker(emp) or not isinstance(body, dict):
        return
    pol = (await policy.load(engine))[0].model_copy(update={"all_customer_updates": False})
    change = {k: _plain(body[k]) for k in policy.NEW_CUSTOMER
              if k in body and k != "is_disabled"}
    reasons = policy.evaluate(pol, "customer_update", change, dict(policy.NEW_CUSTOMER))
    if reasons:
        raise Refusal(403, "this new customer needs a second person: create it with the usual "
                      f"values, then file a request for approval ({', '.join(reasons)})")


def _plain(value: Any) -> Any:
    """The platform's nullable wrapper ``{"valid", "value"}`` read as its value."""
    if isinstance(value, dict) and "valid" in value:
        return value.get("value") if value.get("valid") else None
    return value
