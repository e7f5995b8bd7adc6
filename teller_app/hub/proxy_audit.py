"""The hub's own audit row of every write the Mode-B proxy forwards: what DCM got, whatever
came back, since a modified desk would not report it."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from teller_app.hub import audit
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_rules import Target

log = logging.getLogger("teller_app.hub.proxy")

_NOUN = {"customer_create": "customer", "customer_update": "customer",
         "customer_account_create": "customer", "limits": "customer"}
_ANSWER_GUIDS = ("customer_guid", "wallet_user_guid", "payment_guid", "guid")


async def audit_write(state: Any, emp: HubEmployee, method: str, target: Target, body: Any,
                      sent: bytes, upstream: httpx.Response | None, error: str = "") -> None:
    """A write the proxy forwarded, as the hub saw it: method, operation, the GUID it acts
    on (for a create: the one DCM answered), SHA-256 of the body DCM got, DCM's status.
    After DCM answered, so a failure here cannot change the answer (it is logged)."""
    guid = target.item_guid or _named_guid(body)
    if guid is None and upstream is not None and upstream.status_code < 300:
        guid = _named_guid(_json_or_none(upstream))
    noun = _NOUN.get(target.kind, "payment" if target.scope == "payments" else "")
    detail: dict[str, Any] = {
        "method": method, "kind": target.kind, "target_guid": guid,
        "body_sha256": hashlib.sha256(sent).hexdigest(),
        "dcm_status": upstream.status_code if upstream is not None else None}
    if error:
        detail["error"] = error
    try:
        await audit.record(state.engine, audit.Entry(
            actor=emp.email, action="proxy_write",
            entity=f"{noun}:{guid}" if noun and guid else f"dcm:{target.kind}",
            branch_guid=emp.branch_guid, detail=detail))
    except (SQLAlchemyError, OSError):
        log.exception("a proxied write is not in the audit: %s %s (%s)", method, target.kind,
                      emp.email)


def _named_guid(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in _ANSWER_GUIDS:
            value = data.get(key)
            if isinstance(value, str) and 0 < len(value) <= 64:
                return value
    return None


def _json_or_none(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None
