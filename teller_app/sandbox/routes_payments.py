"""Transfers (§3.8, §3.12.4): create draft, confirm, get, list — plain and branch variants."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import bankauth, ledger, limits
from .auth import Principal, Who, needs
from .errors import FORBIDDEN_BRANCH, MISSING_UUID, NOT_FOUND, ApiError, bad_request
from .models import ConfirmPaymentBody, NewPaymentBody
from .money import to_minor
from .query import (
    guid,
    in_clause,
    list_params,
    multi,
    opt_bool,
    opt_decimal,
    opt_ts,
    order_dir,
    paging,
)

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}", tags=["payments"])
PAYMENT_FILTERS = ("guids", "payment_guids", "sender_ids", "receiver_ids", "account_ids",
                   "statuses", "asset_codes", "asset_issuers", "category_guids")
PAYMENT_SCALARS = ("receiver_counterparty_guid", "sender_counterparty_guid",
                   "external_transaction_id", "min_amount", "max_amount", "category_guid",
                   "created_at_min", "created_at_max", "updated_at_min", "updated_at_max",
                   "min_created_at", "max_created_at", "min_updated_at", "max_updated_at",
                   "order", "offset", "limit")
TARGET_BALANCE_UNCHECKED = "target-balance-unchecked"
CONFIRM_FAILED_STATUS = "confirm-failed-status"


class ConfirmRefused(ApiError):
    """A confirm refused by the payment's own checks or by the Bank Auth Service (not by
    who asks, nor because the payment is not a draft): under ``confirm-failed-status`` the
    payment becomes FAILED (§5.2 [A]). Answered like the ApiError it wraps."""

    def __init__(self, cause: ApiError) -> None:
        super().__init__(cause.status, cause.message)


def _branch_path(store: Any, who: Principal, cp: str, branch_guid: str | None) -> str | None:
    if branch_guid is None:
        return None
    bg = guid(branch_guid, "branch_guid")
    if not store.scalar("SELECT 1 FROM branches WHERE guid = ? AND counterparty_guid = ?",
                        (bg, cp)):
        raise ApiError(404, NOT_FOUND)
    who.require_branch(bg)
    return bg


def _resolve(store: Any, account_id: str | None, iban: str | None, side: str) -> sqlite3.Row:
    if account_id:
        row = ledger.get_account(store, guid(account_id, f"{side}_id"))
    elif iban:
        row = ledger.get_account_by_iban(store, iban)
    else:
        raise bad_request(MISSING_UUID)
    if row is None:
        raise bad_request(f"{side} account not found")
    return row


def _create(request: Request, who: Principal, cp: str, body: NewPaymentBody,
            branch: str | None) -> dict[str, Any]:
    store = request.app.state.store
    who.require("payments", "POST")
    who.check_cp(store, cp)
    branch = _branch_path(store, who, cp, branch)
    if not (body.sender_id or body.sender_iban) or not (body.receiver_id or body.receiver_iban):
        raise bad_request(MISSING_UUID)
    if body.amount is None:
        raise bad_request("amount is required")
    amount = to_minor(body.amount)
    target = None if body.target_balance is None else to_minor(
        body.target_balance, "target_balance", allow_zero=True)
    code, issuer = ledger.normalize_asset(store, body.asset_code, body.asset_issuer,
                                          any_asset=True)
    purpose = body.purpose or ""
    if len(purpose) > 1000:
        raise bad_request("purpose is too long")
    with store.tx():
        sender = _resolve(store, body.sender_id, body.sender_iban, "sender")
        receiver = _resolve(store, body.receiver_id, body.receiver_iban, "receiver")
        if sender["counterparty_guid"] != cp:
            raise bad_request("sender account does not belong to the counterparty")
        for scope in (who.branch_guid, branch):
            if scope is not None and sender["eff_branch"] != scope:
                raise ApiError(403, FORBIDDEN_BRANCH)
        if (sender["asset_code"], sender["asset_issuer"]) != (code, issuer) or (
            receiver["asset_code"], receiver["asset_issuer"]) != (code, issuer):
            raise bad_request("asset does not match the accounts")
        ledger.check_route(sender, receiver)
        ledger.check_not_disabled(sender, receiver)
        if sender["balance"] < amount:
            raise bad_request("insufficient balance")
        cat_guid, cat_name = "", ""
        if body.category_guid:
            cat = store.one("SELECT guid, name FROM categories WHERE guid = ? AND deleted_at "
                            "IS NULL", (guid(body.category_guid, "category_guid"),))
            if cat is None:
                raise bad_request("category not found")
            cat_guid, cat_name = cat["guid"], cat["name"]
        pg = ledger.insert_payment(
            store, counterparty_guid=cp, sender=sender, receiver=receiver, amount=amount,
            category_guid=cat_guid, category=cat_name, purpose=purpose, target_balance=target,
            external_transaction_id=body.external_transaction_id or "", created_by=who.who,
        )
    return {"guid": pg}


def _check_confirm(store: Any, who: Principal, cp: str, counterparty: sqlite3.Row,
                   branch: str | None, pg: str, bank: str | None,
                   dialects: frozenset[str]) -> sqlite3.Row:
    """Every check of a confirm; returns the sender account."""
    pay = store.one("SELECT * FROM payments WHERE guid = ?", (pg,))
    if pay is None or pay["counterparty_guid"] != cp:
        raise ApiError(404, NOT_FOUND)
    for scope in (who.branch_guid, branch):
        if scope is not None and pay["sender_branch_guid"] != scope:
            raise ApiError(403, FORBIDDEN_BRANCH)
    if pay["status"] != "CREATED":
        raise bad_request("payment is not in CREATED status")
    try:
        return _check_payment(store, pay, bank, dialects)
    except ApiError as exc:
        raise ConfirmRefused(exc) from None


def _check_payment(store: Any, pay: sqlite3.Row, bank: str | None,
                   dialects: frozenset[str]) -> sqlite3.Row:
    """What a draft must meet to be confirmed (route, bank, customers, balance, target
    balance, allowance, limits); returns the sender account."""
    sender = ledger.get_account(store, pay["sender_id"])
    receiver = ledger.get_account(store, pay["receiver_id"])
    if sender is None or receiver is None:
        raise bad_request("account not found")
    ledger.check_route(sender, receiver)
    ledger.check_bank_guid(sender, receiver, bank)
    ledger.check_not_disabled(sender, receiver)
    if sender["balance"] < pay["amount"] + pay["fee"]:
        raise bad_request("insufficient balance")
    # §7 #11 [A]: target_balance must be the sender's balance after the debit; §3.8 [D] only
    # says what the field is, so under the target-balance-unchecked dialect it is not checked.
    if pay["target_balance"] is not None and TARGET_BALANCE_UNCHECKED not in dialects and \
            sender["balance"] - pay["amount"] - pay["fee"] != pay["target_balance"]:
        raise bad_request("target balance mismatch")
    ledger.check_receiver_allowance(receiver, pay["amount"], dialects)
    if sender["customer_guid"] is not None:
        limits.check(store, sender, pay["amount"])
    return sender


async def _confirm(request: Request, who: Principal, cp: str, body: ConfirmPaymentBody,
                   branch: str | None) -> dict[str, Any]:
    store = request.app.state.store
    who.require("payments", "POST")
    counterparty = who.check_cp(store, cp)
    branch = _branch_path(store, who, cp, branch)
    pg = guid(body.payment_guid, "payment_guid")
    bank = guid(body.bank_guid, "bank_guid") if body.bank_guid else None
    dialects: frozenset[str] = request.app.state.config.dialects
    try:
        sender = _check_confirm(store, who, cp, counterparty, branch, pg, bank, dialects)
        payer = bankauth.payer_external_id(sender)
        who.require_operation("sign-in", payer)
        # Step 3 (§2.5): DCM needs the payer's secret to sign. The call awaits, so every
        # check runs again inside the transaction.
        try:
            await request.app.state.bank_auth.call(
                counterparty, "key", sub=who.subject, obj=payer, flow="sign-in")
        except ApiError as exc:  # signing refused (§5.2 [A]: "signing returns 400/401")
            raise ConfirmRefused(exc) from None
        with store.tx():
            _check_confirm(store, who, cp, counterparty, branch, pg, bank, dialects)
            ledger.execute_payment(store, pg)
    except ConfirmRefused:
        # §5.2 [A] FAILED, §7 #9: under the dialect the refusal is final (its own
        # transaction: the refused one rolled back); by default the draft stays CREATED
        if CONFIRM_FAILED_STATUS in dialects:
            with store.tx():
                ledger.fail_payment(store, pg)
        raise
    return {}


def _get(request: Request, who: Principal, cp: str, payment_guid: str) -> dict[str, Any]:
    store = request.app.state.store
    who.require("payments", "GET")
    who.check_cp(store, cp)
    pay = store.one("SELECT * FROM payments WHERE guid = ?", (guid(payment_guid, "payment_guid"),))
    if pay is None or cp not in (pay["counterparty_guid"], pay["receiver_counterparty"]):
        raise ApiError(404, NOT_FOUND)
    mine = who.branch_guid
    if mine is not None and mine not in (pay["sender_branch_guid"], pay["receiver_branch_guid"]):
        raise ApiError(403, FORBIDDEN_BRANCH)
    out = ledger.payment_json(pay)
    if opt_bool(request, "with_stellar_info") is False:
        out.pop("stellar_info", None)
    return out


def _list(request: Request, who: Principal, cp: str, branch: str | None) -> JSONResponse:
    store = request.app.state.store
    who.require("payments", "GET")
    who.check_cp(store, cp)
    branch = _branch_path(store, who, cp, branch)
    where = ["(p.counterparty_guid = ? OR p.receiver_counterparty = ?)"]
    params: list[Any] = [cp, cp]
    for scope in {who.branch_guid, branch} - {None}:
        where.append("(p.sender_branch_guid = ? OR p.receiver_branch_guid = ?)")
        params += [scope, scope]
    for param, col in (("guids", "p.guid"), ("payment_guids", "p.guid"),
                       ("sender_ids", "p.sender_id"), ("receiver_ids", "p.receiver_id"),
                       ("statuses", "p.status"), ("asset_codes", "p.asset_code"),
                       ("asset_issuers", "p.asset_issuer"),
                       ("category_guids", "p.category_guid"),
                       ("category_guid", "p.category_guid"),
                       ("receiver_counterparty_guid", "p.receiver_counterparty"),
                       ("sender_counterparty_guid", "p.sender_counterparty"),
                       ("external_transaction_id", "p.external_transaction_id")):
        in_clause(col, multi(request, param), where, params)
    accounts = multi(request, "account_ids")
    if accounts:
        marks = ",".join("?" * len(accounts))
        where.append(f"(p.sender_id IN ({marks}) OR p.receiver_id IN ({marks}))")
        params += accounts + accounts
    for name, op in (("min_amount", ">="), ("max_amount", "<=")):
        dec = opt_decimal(request, name)
        if dec is not None:
            where.append(f"p.amount {op} ?")
            params.append(int(dec * 100))
    for names_, col, op in ((("created_at_min", "min_created_at"), "created_at", ">="),
                            (("created_at_max", "max_created_at"), "created_at", "<="),
                            (("updated_at_min", "min_updated_at"), "updated_at", ">="),
                            (("updated_at_max", "max_updated_at"), "updated_at", "<=")):
        for name in names_:
            ts = opt_ts(request, name)
            if ts is not None:
                where.append(f"p.{col} {op} ?")
                params.append(ts)
    offset, limit = paging(request)
    d = order_dir(request)
    clause = " AND ".join(where)
    total = store.scalar(f"SELECT COUNT(*) FROM payments p WHERE {clause}", params)
    rows = store.all(f"SELECT * FROM payments p WHERE {clause} ORDER BY p.created_at {d}, "
                     f"p.seq {d} LIMIT ? OFFSET ?", [*params, limit, offset])
    return JSONResponse({"payments": [ledger.payment_json(r) for r in rows],
                         "total": int(total)})


_LIST_DOC = list_params(*PAYMENT_FILTERS, scalars=PAYMENT_SCALARS)


@router.post("/payments", summary="Create payment (draft)")
@needs("payments", "POST")
async def create_payment(counterparty_guid: str, body: NewPaymentBody, request: Request,
                         who: Who) -> dict[str, Any]:
    return _create(request, who, counterparty_guid, body, None)


@router.post("/payments/confirm", summary="Confirm payment")
@needs("payments", "POST")
async def confirm_payment(counterparty_guid: str, body: ConfirmPaymentBody, request: Request,
                          who: Who) -> dict[str, Any]:
    return await _confirm(request, who, counterparty_guid, body, None)


@router.get("/payments", summary="List payments", openapi_extra=_LIST_DOC)
async def list_payments(counterparty_guid: str, request: Request,
                        who: Who) -> Any:
    return _list(request, who, counterparty_guid, None)


@router.get("/payments/{payment_guid}", summary="Get payment")
async def get_payment(counterparty_guid: str, payment_guid: str, request: Request,
                      who: Who) -> dict[str, Any]:
    return _get(request, who, counterparty_guid, payment_guid)


@router.post("/branch/{branch_guid}/payments", summary="Create payment in a branch")
@needs("payments", "POST")
async def create_branch_payment(counterparty_guid: str, branch_guid: str, body: NewPaymentBody,
                                request: Request,
                                who: Who) -> dict[str, Any]:
    return _create(request, who, counterparty_guid, body, branch_guid)


@router.post("/branch/{branch_guid}/payments/confirm", summary="Confirm payment in a branch")
@needs("payments", "POST")
async def confirm_branch_payment(counterparty_guid: str, branch_guid: str,
                                 body: ConfirmPaymentBody, request: Request,
                                 who: Who) -> dict[str, Any]:
    return await _confirm(request, who, counterparty_guid, body, branch_guid)


@router.get("/branch/{branch_guid}/payments", summary="List payments of a branch",
            openapi_extra=_LIST_DOC)
async def list_branch_payments(counterparty_guid: str, branch_guid: str, request: Request,
                               who: Who) -> Any:
    return _list(request, who, counterparty_guid, branch_guid)
