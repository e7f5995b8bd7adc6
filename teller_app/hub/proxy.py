"""Mode B through the hub: ``ANY /dcm/{path}`` forwards the desk's DCM calls.

Why a proxy and not per-operation tokens: in Mode B DCM applies *no* permission rules, and a
bank JWT is not bound to a path or a body — a token minted "to read" can be replayed by a
modified desktop to write, in any branch. Only a proxy that sees every request is preventive:
it checks the employee's role (verb × scope, §3.3) and branch on each request, then forwards
with a hub-minted RS256 JWT (≤ 60 s, single-use ``jti``, ``aud``) that never reaches the desk.

Branch rules for an employee who is not head office: customer lists are forced to their
branch; a customer addressed by GUID (read, update, accounts, limits) is read first and must
be theirs (the counterparty-wide accounts list is answered from their branch's); a create
names their branch; branch paths name their branch (counterparty-wide payment calls are sent
to their branch's endpoints); a payment draft's sender account is theirs; confirmation reads
the payment and its payer must be theirs. A customer moved to another branch takes their
secret along (``vault.follow_branch_change``) once DCM accepted the move.
The request body is forwarded as the hub parsed it (re-serialised), so DCM sees exactly
what was checked. The checks: ``proxy_branch``; the calls to DCM and the relayed answer:
``proxy_upstream``; the audit of forwarded writes: ``proxy_audit``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
from fastapi import APIRouter, Depends, Request, Response

from teller_app.hub import vault
from teller_app.hub.authn import current_employee
from teller_app.hub.drain import Drain
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_audit import ProxiedWrite, after_write, audit_sent
from teller_app.hub.proxy_branch import authorise
from teller_app.hub.proxy_policy import refuse_phone_taken
from teller_app.hub.proxy_rules import Refusal, Target, allowed, classify
from teller_app.hub.proxy_tokens import minter_for
from teller_app.hub.proxy_upstream import DcmCalls, relay

log = logging.getLogger("teller_app.hub.proxy")
router = APIRouter()

MAX_BODY = 1_000_000
ANSWER_WAIT_S = 5.0  # the longest the desk's answer waits for the hub's bookkeeping


def _error(status: int, message: str, code: str = "",
           extra: dict[str, Any] | None = None) -> Response:
    body = {"error": message, **({"code": code} if code else {}), **(extra or {})}
    wait = (extra or {}).get("retry_after")  # a 429's, as the hub's own routes send it
    headers = {"Retry-After": str(wait)} if isinstance(wait, int) else None
    return Response(json.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


@router.api_route("/dcm/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
                  include_in_schema=False)
async def dcm_proxy(path: str, request: Request,
                    employee: HubEmployee = Depends(current_employee)) -> Response:  # noqa: B008
    state = request.app.state.hub
    settings = state.settings
    if not settings.dcm_url or settings.bank_key_file is None:
        return _error(503, "this hub is not configured for Mode B (dcm_url, bank_key_file)")
    if employee.source != "hub":  # a Mode-A desk talks to DCM itself, under DCM's rules
        return _error(403, "the DCM proxy serves Mode-B (hub) sign-ins only")
    write: ProxiedWrite | None = None  # sent to DCM: its outcome is audited, come what may
    try:
        target = classify(request.method, path, settings.dcm_counterparty)
        if not allowed(employee.roles, target):
            raise Refusal(403, "your role does not allow this operation")
        target = _branch_scoped(target, employee)
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            raise Refusal(413, "request body too large")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise Refusal(413, "request body too large")
        body = _json_body(raw)
        # ``k[]`` is the same filter as ``k`` to DCM (§3.12.3): checked and sent as ``k``
        query = [(k.removesuffix("[]"), v)
                 for k, v in parse_qsl(request.url.query, keep_blank_values=True)]
        call = DcmCalls(state.http, settings.dcm_url, minter_for(settings), employee)
        flow, obj, query, early = await authorise(call, target, employee, body, query,
                                                  request.app.state)
        if early is not None:
            return early
        if target.kind == "customer_update":  # the customer as authorise read it
            await refuse_phone_taken(request.app.state, employee, target.item_guid or "",
                                     body, call.customers.get(target.item_guid or "") or {})
        content = json.dumps(body).encode() if body is not None else None
        if target.verb != "GET":
            pending = ProxiedWrite(employee, request.method, target, body, content or b"")
            # the database down: 503, nothing sent
            write = await audit_sent(state.engine, pending)
        upstream = await call.send(request.method, target.dcm_path, query, content, flow, obj)
    except Refusal as exc:
        log.info("proxy refused %s %s (%s): %d", request.method, _scope(path), employee.email,
                 exc.status)
        return _error(exc.status, exc.message, exc.code, exc.extra)
    except httpx.HTTPError as exc:  # a write sent unanswered may have landed: in the audit
        if write is not None:
            await _settled(request, write, None, "no answer"
                           if isinstance(exc, httpx.TimeoutException) else "unreachable")
        if isinstance(exc, httpx.TimeoutException):
            return _error(504, "DCM did not answer in time")
        if isinstance(exc, httpx.TransportError):
            return _error(502, "DCM cannot be reached")
        raise
    except asyncio.CancelledError:  # the hub stopped waiting: DCM may still apply it
        if write is not None:
            _after(request, write, None, "the hub stopped waiting (shutdown)")
        raise
    except Exception as exc:  # anything else once the write was sent: its outcome is told
        if write is not None:
            _after(request, write, None, f"failed: {type(exc).__name__}")
        raise
    log.info("proxy %s %s %s (%s) -> %d", request.method, target.scope, target.kind,
             employee.email, upstream.status_code)
    if write is not None:
        follow = None
        if target.kind == "customer_update" and upstream.status_code < 300:
            follow = _secret_follows(state, call, target, body)
        await _settled(request, write, upstream, follow=follow)
    return relay(upstream)


def _after(request: Request, write: ProxiedWrite, upstream: httpx.Response | None,
           error: str = "", follow: Callable[[], Awaitable[None]] | None = None
           ) -> asyncio.Task[None]:
    """The bookkeeping after a write, as a task of the drain's: a cancelled request (a
    shutdown, a client gone) does not stop it, and the shutdown awaits it."""
    drain: Drain = request.app.state.drain
    return drain.track(after_write(request.app.state.hub.engine, write, upstream, error,
                                   follow), name=f"proxy-write-{write.ref}")


async def _settled(request: Request, write: ProxiedWrite, upstream: httpx.Response | None,
                   error: str = "", follow: Callable[[], Awaitable[None]] | None = None
                   ) -> None:
    """Run the bookkeeping and wait for it a while: the desk gets DCM's answer then, or
    after ``ANSWER_WAIT_S`` while the database is away (the task goes on retrying)."""
    await asyncio.wait({_after(request, write, upstream, error, follow)}, timeout=ANSWER_WAIT_S)


def _secret_follows(state: Any, call: DcmCalls, target: Target, body: Any
                    ) -> Callable[[], Awaitable[None]] | None:
    """DCM moved the customer to another branch: their secret moves too (the Auth Service
    lets the new branch's staff act on it, no longer the old one's). After DCM answered, so
    a failure here cannot change the answer (retried, then logged: ``after_write``)."""
    customer = call.customers.get(target.item_guid or "")
    if not isinstance(body, dict) or customer is None:
        return None
    login = customer.get("login")

    async def follow() -> None:
        await vault.follow_branch_change(state.engine, login if isinstance(login, str) else None,
                                         body, state.sealed_cache)
    return follow


_TO_BRANCH = {"payments_list": ("branch_payments_list", ("payments",)),
              "payment_create": ("branch_payment_create", ("payments",)),
              "payment_confirm": ("branch_payment_confirm", ("payments", "confirm"))}


def _branch_scoped(target: Target, emp: HubEmployee) -> Target:
    """A branch employee's counterparty-wide payment call goes to their branch's endpoint
    (same body and filters, limited to the branch, with the branch checks below)."""
    if emp.head_office or target.kind not in _TO_BRANCH or not emp.branch_guid:
        return target
    kind, tail = _TO_BRANCH[target.kind]
    segments = (*target.segments[:2], "branch", emp.branch_guid, *tail)
    return Target(target.scope, target.verb, kind, segments, branch_guid=emp.branch_guid)


def _scope(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[4] if len(parts) > 4 else "?"


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "the request body is not JSON") from None
