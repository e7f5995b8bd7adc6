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
what was checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.exc import SQLAlchemyError

from teller_app.hub import audit, vault
from teller_app.hub.authn import current_employee
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_cash import refuse_unauthorized_cash
from teller_app.hub.proxy_policy import (
    check_customer_body,
    refuse_unapproved,
    refuse_unapproved_create,
)
from teller_app.hub.proxy_rules import Refusal, Target, allowed, classify
from teller_app.hub.proxy_tokens import Minter, minter_for

log = logging.getLogger("teller_app.hub.proxy")
router = APIRouter()

MAX_BODY = 1_000_000
FORWARD_TIMEOUT = httpx.Timeout(connect=3.0, read=30.0, write=10.0, pool=5.0)
SIGN_IN = "sign-in"
SIGN_UP = "sign-up"
PLATFORM_DATE = "X-Platform-Date"


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status_code=status,
                    media_type="application/json")


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
    write: bytes | None = None  # what was sent to DCM as a write (audited whatever came back)
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
        call = _Dcm(state.http, settings.dcm_url, minter_for(settings), employee)
        flow, obj, query, early = await _authorise(call, target, employee, body, query,
                                                   request.app.state)
        if early is not None:
            return early
        content = json.dumps(body).encode() if body is not None else None
        if target.verb != "GET":
            write = content or b""
        upstream = await call.send(request.method, target.dcm_path, query, content, flow, obj)
    except Refusal as exc:
        log.info("proxy refused %s %s (%s): %d", request.method, _scope(path), employee.email,
                 exc.status)
        return _error(exc.status, exc.message)
    except httpx.HTTPError as exc:  # a write sent unanswered may have landed: in the audit
        if write is not None:
            await _audit_write(state, employee, request.method, target, body, write, None,
                               "no answer" if isinstance(exc, httpx.TimeoutException)
                               else "unreachable")
        if isinstance(exc, httpx.TimeoutException):
            return _error(504, "DCM did not answer in time")
        if isinstance(exc, httpx.TransportError):
            return _error(502, "DCM cannot be reached")
        raise
    log.info("proxy %s %s %s (%s) -> %d", request.method, target.scope, target.kind,
             employee.email, upstream.status_code)
    if write is not None:
        await _audit_write(state, employee, request.method, target, body, write, upstream)
    if target.kind == "customer_update" and upstream.status_code < 300:
        await _secret_follows(state, call, target, body)
    return _relay(upstream)


async def _secret_follows(state: Any, call: _Dcm, target: Target, body: Any) -> None:
    """DCM moved the customer to another branch: their secret moves too (the Auth Service
    lets the new branch's staff act on it, no longer the old one's). After DCM answered, so
    a failure here cannot change the answer (it is logged)."""
    customer = call.customers.get(target.item_guid or "")
    if not isinstance(body, dict) or customer is None:
        return
    login = customer.get("login")
    try:
        await vault.follow_branch_change(state.engine, login if isinstance(login, str) else None,
                                         body, state.sealed_cache)
    except (SQLAlchemyError, OSError):
        log.exception("a moved customer's secret still names the old branch (%s)",
                      target.item_guid)


_NOUN = {"customer_create": "customer", "customer_update": "customer",
         "customer_account_create": "customer", "limits": "customer"}
_ANSWER_GUIDS = ("customer_guid", "wallet_user_guid", "payment_guid", "guid")


async def _audit_write(state: Any, emp: HubEmployee, method: str, target: Target, body: Any,
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


class _Dcm:
    """Calls to DCM on behalf of one employee, each with a fresh hub-minted token."""

    def __init__(self, http: httpx.AsyncClient, base: str, minter: Minter,
                 employee: HubEmployee) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.minter = minter
        self.employee = employee
        self.customers: dict[str, dict[str, Any]] = {}  # read for a check, by GUID

    async def send(self, method: str, path: str, query: list[tuple[str, str]],
                   content: bytes | None, flow: str, obj: str) -> httpx.Response:
        token = self.minter.mint(self.employee.email, flow, obj)
        headers = {"CX-Authorization": token, "Authorization": "", "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = self.base + path + (("?" + urlencode(query)) if query else "")
        return await self.http.request(method, url, content=content, headers=headers,
                                       timeout=FORWARD_TIMEOUT)

    async def read(self, path: str, query: list[tuple[str, str]]) -> Any:
        """A GET for a check; None when DCM has no such thing (404 or empty)."""
        resp = await self.send("GET", path, query, None, SIGN_IN, self.employee.email)
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise Refusal(502 if resp.status_code >= 500 else resp.status_code,
                          "DCM refused the hub's check")
        try:
            return resp.json()
        except ValueError:
            raise Refusal(502, "DCM sent an unreadable answer") from None


def _cp_path(target: Target, *tail: str) -> str:
    return "/api/v1/" + "/".join((*target.segments[:2], *tail))


async def _customer(call: _Dcm, target: Target, guid: str) -> dict[str, Any]:
    for extra in ([], [("is_disabled", "true")]):
        data = await call.read(_cp_path(target, "customers"),
                               [("wallet_user_guids", guid), ("limit", "10"), *extra])
        for row in (data or {}).get("customers") or []:
            if isinstance(row, dict) and row.get("wallet_user_guid") == guid:
                call.customers[guid] = row
                return row
    raise Refusal(404, "customer not found")


def _own_branch(employee: HubEmployee, branch_guid: Any) -> None:
    if not employee.head_office and (branch_guid or None) != employee.branch_guid:
        raise Refusal(403, "this is another branch's customer or operation")


async def _authorise(
    call: _Dcm, target: Target, emp: HubEmployee, body: Any, query: list[tuple[str, str]],
    app_state: Any,
) -> tuple[str, str, list[tuple[str, str]], Response | None]:
    """Branch checks, and a maker's update against the bank's policy (four eyes); returns
    (flow, obj, query to forward, an early answer or None)."""
    me = emp.email
    kind = target.kind
    head = emp.head_office
    if target.branch_guid is not None:
        _own_branch(emp, target.branch_guid)
    if kind == "customers_list" and not head:
        asked = [v for k, v in query if k == "branch_guids"]
        if any(v != emp.branch_guid for v in asked):
            raise Refusal(403, "you can list your own branch's customers only")
        query = [(k, v) for k, v in query if k != "branch_guids"]
        query.append(("branch_guids", emp.branch_guid or ""))
    elif kind == "customer_create":
        check_customer_body(body, create=True)
        login = body.get("login")
        if not isinstance(login, str) or not login.strip():
            raise Refusal(400, "a new customer needs a login (the bank's external id)")
        _own_branch(emp, body.get("branch_guid"))
        await refuse_unapproved_create(app_state.hub.engine, emp, body)
        return SIGN_UP, login, query, None
    elif kind in ("customer_item", "customer_update", "customer_accounts",
                  "customer_account_create"):
        assert target.item_guid is not None
        customer = await _customer(call, target, target.item_guid)
        _own_branch(emp, customer.get("branch_guid"))
        if kind == "customer_update":
            check_customer_body(body, create=False, guid=target.item_guid)
            if "branch_guid" in body:
                _own_branch(emp, body.get("branch_guid"))
            await refuse_unapproved(app_state.hub.engine, emp, body, customer)
        if kind == "customer_account_create":
            return SIGN_UP, str(customer.get("login") or target.item_guid), query, None
    elif kind == "limits" and not head:
        named = [v for k, v in query if k == "customer_guid"]
        if isinstance(body, dict) and "customer_guid" in body:
            named.append(body["customer_guid"])
        guid = named[0] if named else None
        if not isinstance(guid, str) or not guid or any(g != guid for g in named):
            # one customer, named once: DCM must act on the very customer that was checked
            raise Refusal(403, "limits are read and set per customer, named once")
        _own_branch(emp, (await _customer(call, target, guid)).get("branch_guid"))
    elif kind == "accounts_list" and not head:
        # the counterparty-wide list would show every branch: the branch endpoint takes the
        # same filters (IBAN search, customers) limited to the employee's branch
        path = _cp_path(target, "branch", emp.branch_guid or "", "accounts")
        return SIGN_IN, me, query, _relay(await call.send("GET", path, query, None, SIGN_IN, me))
    elif kind == "account_item" and not head:
        assert target.item_guid is not None
        resp = await call.send("GET", target.dcm_path, query, None, SIGN_IN, me)
        if resp.status_code == 200:
            await _check_account(call, target, emp, _json_answer(resp))
        return SIGN_IN, me, query, _relay(resp)
    elif kind == "payment_item" and not head:
        resp = await call.send("GET", target.dcm_path, query, None, SIGN_IN, me)
        if resp.status_code == 200:
            pay = _json_answer(resp)
            if not isinstance(pay, dict):
                raise Refusal(502, "DCM sent an unreadable answer")
            branches = {pay.get("sender_branch_guid"), pay.get("receiver_branch_guid")}
            if emp.branch_guid not in branches:
                raise Refusal(403, "this is another branch's payment")
        return SIGN_IN, me, query, _relay(resp)
    if kind == "branch_payment_create" and not head:
        sender = body.get("sender_id") if isinstance(body, dict) else None
        if not isinstance(sender, str) or not sender:
            raise Refusal(403, "a branch payment names its sender account (sender_id)")
        account = await call.read(_cp_path(target, "accounts", sender), [])
        if account is None:
            raise Refusal(404, "sender account not found")
        await _check_account(call, target, emp, account)
    if kind in ("payment_confirm", "branch_payment_confirm"):
        payer = await _payer(call, target, emp, body)
        await refuse_unauthorized_cash(app_state, str(body["payment_guid"]))
        return SIGN_IN, payer, query, None
    return SIGN_IN, me, query, None


async def _check_account(call: _Dcm, target: Target, emp: HubEmployee, account: Any) -> None:
    """A customer's account is checked by its customer's branch; a bank entity (processing,
    emission) by its own branch."""
    if not isinstance(account, dict):
        raise Refusal(502, "DCM sent an unreadable answer")
    kind = str(account.get("account_kind") or account.get("name") or "").lower()
    owner = account.get("wallet_user_guid") or account.get("customer_guid")
    if kind == "customer" and owner:
        _own_branch(emp, (await _customer(call, target, str(owner))).get("branch_guid"))
    else:
        _own_branch(emp, account.get("branch_guid"))


async def _payer(call: _Dcm, target: Target, emp: HubEmployee, body: Any) -> str:
    """The payer's external id for the ``sign-in`` token of a confirmation: the customer's
    login, or ``keykeeper:<branch>`` (``keykeeper:<counterparty>`` at head office) when a
    bank entity pays (cash-in). The payment is read first; a branch employee's payment must
    leave their branch."""
    guid = body.get("payment_guid") if isinstance(body, dict) else None
    if not isinstance(guid, str) or not guid:
        raise Refusal(400, "payment_guid is required")
    pay = await call.read(_cp_path(target, "payments", guid), [("with_stellar_info", "false")])
    if not isinstance(pay, dict):
        raise Refusal(404, "payment not found")
    sender_branch = pay.get("sender_branch_guid") or None
    kind = str(pay.get("sender_account_account_kind") or "").lower()
    customer_guid = pay.get("sender_customer_guid") or None
    if customer_guid is None and kind in ("", "customer") and pay.get("sender_id"):
        account = await call.read(_cp_path(target, "accounts", str(pay["sender_id"])), [])
        if isinstance(account, dict):
            kind = kind or str(account.get("account_kind") or account.get("kind") or "")
            if kind.lower() == "customer":
                customer_guid = account.get("wallet_user_guid") or None
            sender_branch = sender_branch or account.get("branch_guid") or None
    if customer_guid:
        customer = await _customer(call, target, str(customer_guid))
        _own_branch(emp, customer.get("branch_guid"))
        login = customer.get("login")
        if not isinstance(login, str) or not login:
            raise Refusal(403, "the paying customer has no login (external id)")
        return login
    _own_branch(emp, sender_branch)
    return f"keykeeper:{sender_branch or target.segments[1]}"


def _json_answer(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        raise Refusal(502, "DCM sent an unreadable answer") from None


def _relay(resp: httpx.Response) -> Response:
    """DCM's answer; its clock rides along as ``X-Platform-Date`` (the hub's server sets its
    own ``Date``): a desk's incremental sync counts in the platform's time, not the hub's."""
    date = resp.headers.get("date")
    return Response(resp.content, status_code=resp.status_code,
                    headers={PLATFORM_DATE: date} if date else None,
                    media_type=resp.headers.get("content-type", "application/json"))
