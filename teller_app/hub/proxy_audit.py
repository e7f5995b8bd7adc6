"""The hub's own audit rows of every write the Mode-B proxy forwards, since a modified desk
would not report it: one before DCM gets it (``event`` "sent": what is about to be sent, in
its own transaction, so a process that dies while DCM works still left a trace), one after
(``event`` "answered" with DCM's status, or "unanswered" with why).

What follows DCM's answer (that row, and a moved customer's secret) runs as a task of its
own (``after_write``): the request's cancellation (a client gone, a shutdown) does not stop
it, it retries with a bounded backoff while the database is unavailable, and the shutdown
awaits it (``drain``). When it cannot be done at all, one log line names the write (route,
operation, target GUID: no employee, no body).

A payment's rows name its customer when the hub knows it from its own rows (a cash draft the
hub authorized, ``cash_authorizations``): no DCM read for it. A draft's create, or a payment
the hub never authorized, names none (its customer would need a DCM read of the account).
That row is read once per write: before the "sent" row when the write names its payment
(``audit_sent`` keeps it on the write for the "answered" one), else after DCM answered with
the GUID (a create)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import audit
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_rules import Target
from teller_app.hub.till_tables import cash_authorizations

log = logging.getLogger("teller_app.hub.proxy")

ROUTE = "/dcm/{path:path}"
RETRY_FOR_S = 120.0  # how long the bookkeeping after a write waits for the database
FIRST_DELAY_S, MAX_DELAY_S = 0.2, 5.0
_NOUN = {"customer_create": "customer", "customer_update": "customer",
         "customer_account_create": "customer", "limits": "customer"}
_ANSWER_GUIDS = ("customer_guid", "wallet_user_guid", "payment_guid", "guid")


@dataclass(frozen=True)
class ProxiedWrite:
    """A write the proxy forwards: who, what, and the exact body DCM gets."""

    emp: HubEmployee
    method: str
    target: Target
    body: Any
    sent: bytes
    ref: str = field(default_factory=lambda: uuid.uuid4().hex)  # ties its two rows together
    customer: str | None = None  # the payment's customer (``customer_of``), once read
    customer_read: bool = False  # read before the send: its outcome row reads it no more

    def guid(self, upstream: httpx.Response | None = None) -> str | None:
        """The GUID the write acts on (for a create: the one DCM answered)."""
        guid = self.target.item_guid or _named_guid(self.body)
        if guid is None and upstream is not None and upstream.status_code < 300:
            guid = _named_guid(_json_or_none(upstream))
        return guid

    def entry(self, event: str, upstream: httpx.Response | None = None,
              error: str = "", customer_guid: str | None = None) -> audit.Entry:
        """Method, operation, the GUID it acts on (for a create: the one DCM answered),
        SHA-256 of the body DCM got, DCM's status, the payment's customer when known
        (``customer_of``). ``client_id``: a retried append after a lost commit finds its
        row instead of adding another."""
        guid = self.guid(upstream)
        target = self.target
        noun = _NOUN.get(target.kind, "payment" if target.scope == "payments" else "")
        detail: dict[str, Any] = {
            "method": self.method, "kind": target.kind, "target_guid": guid,
            "body_sha256": hashlib.sha256(self.sent).hexdigest(), "event": event}
        if event != "sent":
            detail["dcm_status"] = upstream.status_code if upstream is not None else None
        if error:
            detail["error"] = error
        if customer_guid:
            detail["customer_guid"] = customer_guid
        return audit.Entry(
            actor=self.emp.email, action="proxy_write",
            entity=f"{noun}:{guid}" if noun and guid else f"dcm:{target.kind}",
            branch_guid=self.emp.branch_guid, detail=detail,
            client_id=f"hub-proxy-{self.ref}-{event[0]}")

    def named(self, **more: Any) -> dict[str, Any]:
        """The write as a log line may name it: no employee, no body."""
        return {"route": ROUTE, "method": self.method, "kind": self.target.kind,
                "target_guid": self.target.item_guid or _named_guid(self.body) or "",
                "write_ref": self.ref, **more}


async def audit_sent(engine: AsyncEngine, write: ProxiedWrite) -> ProxiedWrite:
    """Before DCM gets the write; raises when the database cannot take it (the write is
    then not sent: the desk gets the hub's 503). Returns the write with its customer, when
    its GUID is known before DCM answers (pass that one to ``after_write``)."""
    try:
        customer = await customer_of(engine, write)
        read = write.guid() is not None  # a known GUID stays the write's (``guid``)
    except SQLAlchemyError:  # best effort: never the reason a write's row is not written
        customer, read = None, False
    write = replace(write, customer=customer, customer_read=read)
    await audit.record(engine, write.entry("sent", customer_guid=customer))
    return write


async def customer_of(engine: AsyncEngine, write: ProxiedWrite,
                      upstream: httpx.Response | None = None) -> str | None:
    """A payment write's customer as the hub's own rows name it (the cash draft it
    authorized); None otherwise (never a DCM read). Raises when the database cannot say:
    best effort, never the reason a write's row is not written (the callers)."""
    guid = write.guid(upstream)
    if write.target.scope != "payments" or not guid:
        return None
    c = cash_authorizations.c
    async with engine.connect() as conn:
        found = (await conn.execute(sa.select(c.customer_guid).where(
            c.payment_guid == guid))).scalar_one_or_none()
    return str(found) if found else None


async def after_write(engine: AsyncEngine, write: ProxiedWrite, upstream: httpx.Response | None,
                      error: str = "",
                      follow: Callable[[], Awaitable[None]] | None = None) -> None:
    """The outcome row, then ``follow`` (a moved customer's secret), each retried while the
    database is unavailable. Cancelled (the drain is over): logged as lost."""
    event = "answered" if upstream is not None else "unanswered"
    step = "audit"
    known: list[str | None] = []  # read once, not again by a retried append
    try:
        async def outcome() -> None:
            if not known:
                with contextlib.suppress(SQLAlchemyError):  # best effort; a retry reads again
                    known.append(await customer_of(engine, write, upstream)
                                 if not write.customer_read else write.customer)
            await audit.record(engine, write.entry(event, upstream, error,
                                                   known[0] if known else None))

        await _retrying(outcome, "a proxied write's outcome is not in the audit", write)
        if follow is not None:
            step = "secret"
            await _retrying(follow, "a moved customer's secret still names the old branch",
                            write)
    except asyncio.CancelledError:
        log.error("a proxied write's bookkeeping was cut short by the shutdown",
                  extra=write.named(step=step,
                                    dcm_status=upstream.status_code if upstream else None))
        raise
    except Exception as exc:  # a task's error: nobody awaits it to see it but the log
        log.error("a proxied write's bookkeeping failed",
                  extra=write.named(step=step, error=type(exc).__name__))


async def _retrying(step: Callable[[], Awaitable[Any]], lost: str, write: ProxiedWrite) -> bool:
    delay, give_up = FIRST_DELAY_S, time.monotonic() + RETRY_FOR_S
    while True:
        try:
            await step()
            return True
        except (SQLAlchemyError, OSError) as exc:
            if time.monotonic() + delay > give_up:
                log.error(lost, extra=write.named(error=type(exc).__name__))
                return False
            log.warning("database unavailable after a proxied write; retrying",
                        extra=write.named(error=type(exc).__name__))
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_DELAY_S)


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
