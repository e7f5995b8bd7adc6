"""The branch checks of a proxied call (Mode B): the customer, account or payment it acts on
is read on DCM first and must be the employee's branch's (rules: ``proxy`` docstring)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Response

from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_cash import payment_to_confirm, refuse_unauthorized_cash
from teller_app.hub.proxy_policy import (
    check_customer_body,
    refuse_unapproved,
    refuse_unapproved_create,
)
from teller_app.hub.proxy_rules import Refusal, Target
from teller_app.hub.proxy_upstream import SIGN_IN, SIGN_UP, DcmCalls, relay
from teller_app.platform.models import Payment


def _cp_path(target: Target, *tail: str) -> str:
    return "/api/v1/" + "/".join((*target.segments[:2], *tail))


async def _customer(call: DcmCalls, target: Target, guid: str) -> dict[str, Any]:
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


async def authorise(
    call: DcmCalls, target: Target, emp: HubEmployee, body: Any, query: list[tuple[str, str]],
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
        return SIGN_IN, me, query, relay(await call.send("GET", path, query, None, SIGN_IN, me))
    elif kind == "account_item" and not head:
        assert target.item_guid is not None
        resp = await call.send("GET", target.dcm_path, query, None, SIGN_IN, me)
        if resp.status_code == 200:
            await _check_account(call, target, emp, _json_answer(resp))
        return SIGN_IN, me, query, relay(resp)
    elif kind == "payment_item" and not head:
        resp = await call.send("GET", target.dcm_path, query, None, SIGN_IN, me)
        if resp.status_code == 200:
            pay = _json_answer(resp)
            if not isinstance(pay, dict):
                raise Refusal(502, "DCM sent an unreadable answer")
            branches = {pay.get("sender_branch_guid"), pay.get("receiver_branch_guid")}
            if emp.branch_guid not in branches:
                raise Refusal(403, "this is another branch's payment")
        return SIGN_IN, me, query, relay(resp)
    if kind == "branch_payment_create" and not head:
        sender = body.get("sender_id") if isinstance(body, dict) else None
        if not isinstance(sender, str) or not sender:
            raise Refusal(403, "a branch payment names its sender account (sender_id)")
        account = await call.read(_cp_path(target, "accounts", sender), [])
        if account is None:
            raise Refusal(404, "sender account not found")
        await _check_account(call, target, emp, account)
    if kind in ("payment_confirm", "branch_payment_confirm"):
        payment = await payment_to_confirm(app_state, body)  # read once, for both checks
        payer = await _payer(call, target, emp, payment)
        await refuse_unauthorized_cash(app_state, payment, call.customers)
        return SIGN_IN, payer, query, None
    return SIGN_IN, me, query, None


async def _check_account(call: DcmCalls, target: Target, emp: HubEmployee, account: Any) -> None:
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


async def _payer(call: DcmCalls, target: Target, emp: HubEmployee, payment: Payment) -> str:
    """The payer's external id for the ``sign-in`` token of a confirmation: the customer's
    login, or ``keykeeper:<branch>`` (``keykeeper:<counterparty>`` at head office) when a
    bank entity pays (cash-in). ``payment``: as read for this confirm; a branch employee's
    payment must leave their branch."""
    pay = payment.model_extra or {}
    sender_branch = pay.get("sender_branch_guid") or None
    kind = str(payment.sender_account_account_kind or "").lower()
    customer_guid = pay.get("sender_customer_guid") or None
    if customer_guid is None and kind in ("", "customer") and payment.sender_id:
        account = await call.read(_cp_path(target, "accounts", payment.sender_id), [])
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
