"""Customers (§3.4 and the seed page): create, update, list, get one. A customer's accounts
are ``routes_customer_accounts.py``."""

from __future__ import annotations

import bisect
import sqlite3
from typing import Any

from fastapi import APIRouter, Request

from . import ledger, names
from .answers import Customer, CustomerPage
from .auth import Principal, Who, needs
from .customer_pages import JSON_ROW, json_page, page_response, search_list
from .db import new_guid
from .errors import (
    DUPLICATE_CUSTOMER,
    FORBIDDEN_BRANCH,
    NOT_FOUND,
    ApiError,
    bad_request,
)
from .models import CustomerUpdateBody, NewCustomerBody
from .money import from_minor, to_minor
from .query import (
    guid,
    in_clause,
    int_list,
    list_params,
    multi,
    opt_bool,
    opt_decimal,
    opt_ts,
    paging,
    single,
)
from .textcheck import MAX_STATUS, check_kyc, checked_text, unchecked

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}", tags=["customers"])

ORDERINGS = {
    "created_at": "c.created_at ASC, c.guid ASC",
    "-created_at": "c.created_at DESC, c.guid DESC",
    "updated_at": "c.updated_at ASC, c.guid ASC",
    "-updated_at": "c.updated_at DESC, c.guid DESC",
    "surname": "c.surname ASC, c.guid ASC",
    "-surname": "c.surname DESC, c.guid DESC",
}
LIST_FILTERS = (
    "wallet_user_guids", "logins", "kyc_levels", "balance_asset_codes", "balance_asset_issuers",
    "branch_guids", "names", "paternal_names", "phone_numbers", "segments", "statuses",
    "surnames",
)


def _store(request: Request) -> Any:
    return request.app.state.store


def customer_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "wallet_user_guid": row["guid"],
        "counterparty_guid": row["counterparty_guid"],
        "login": row["login"],
        "kyc_level": row["kyc_level"],
        "is_disabled": bool(row["is_disabled"]),
        "balance_allowed": from_minor(row["balance_allowed"]),
        "balance_asset_code": row["balance_asset_code"],
        "balance_asset_issuer": row["balance_asset_issuer"],
        "branch_guid": row["branch_guid"] or "",
        "branch_name": row["branch_name"] or "",
        "name": row["name"],
        "paternal_name": row["paternal_name"],
        "phone_number": row["phone_number"],
        "segment": row["segment"],
        "status": row["status"],
        "surname": row["surname"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def load_customer(store: Any, who: Principal, cp: str, customer_guid: str) -> sqlite3.Row:
    cguid = guid(customer_guid, "customer_guid")
    row = store.one(
        "SELECT c.*, b.name AS branch_name FROM customers c "
        "LEFT JOIN branches b ON b.guid = c.branch_guid WHERE c.guid = ?",
        (cguid,),
    )
    if row is None or row["counterparty_guid"] != cp:
        raise ApiError(404, NOT_FOUND)
    who.require_branch(row["branch_guid"])
    return row


def _check_branch(store: Any, who: Principal, cp: str, branch_guid: str | None,
                  loose: bool = False) -> str | None:
    """Branch for a new/moved customer: branch staff are pinned to their own branch; the
    branch must exist (and, unless ``loose``: text-unchecked, not be soft-deleted)."""
    if branch_guid:
        branch_guid = guid(branch_guid, "branch_guid")
    mine = who.branch_guid
    if mine is not None:
        if branch_guid and branch_guid != mine:
            raise ApiError(403, FORBIDDEN_BRANCH)
        return mine
    if branch_guid:
        row = store.one(
            "SELECT is_deleted FROM branches WHERE guid = ? AND counterparty_guid = ?",
            (branch_guid, cp),
        )
        if row is None or (row["is_deleted"] and not loose):
            raise bad_request("branch not found")
    return branch_guid or None


def clean_iban(store: Any, iban: str | None, checksum: bool = True) -> str | None:
    """The IBAN as stored (no spaces, upper case), unused by any account (it names one
    account: §3.8 ``receiver_iban``); ``checksum``: it must also pass mod-97."""
    if iban is None or iban.strip() == "":
        return None
    value = iban.replace(" ", "").upper()
    if checksum and not names.iban_is_valid(value):
        raise bad_request(f"invalid IBAN {iban!r}")
    if store.scalar("SELECT 1 FROM accounts WHERE iban = ?", (value,)):
        raise bad_request("iban already in use")
    return value


def _check_duplicate(store: Any, cp: str, login: str, loose: bool = False) -> None:
    """One customer per login (§4.1): regardless of case (Unicode: "Іван" is "іван"), or
    (``loose``) exactly. SQLite's lower() folds ASCII only, so it finds the all-ASCII
    logins folded like ``login``; those with another character are folded here."""
    if loose:
        dup = store.scalar("SELECT 1 FROM customers WHERE counterparty_guid = ? AND login = ?",
                           (cp, login))
    else:
        folded = login.casefold()
        rows = store.conn.execute(
            "SELECT login FROM customers WHERE counterparty_guid = ? AND (lower(login) = ? "
            "OR length(CAST(login AS BLOB)) != length(login))", (cp, folded))
        dup = any(row[0].casefold() == folded for row in rows)
    if dup:
        raise bad_request(DUPLICATE_CUSTOMER)


@router.post("/customers", summary="Create customer with first account")
@needs("customers", "POST")
async def create_customer(
    counterparty_guid: str, body: NewCustomerBody, request: Request,
    who: Who,
) -> dict[str, Any]:
    store = _store(request)
    who.require("customers", "POST")
    counterparty = who.check_cp(store, counterparty_guid)
    cp = counterparty_guid
    code, issuer = ledger.normalize_asset(store, body.asset_code, body.asset_issuer,
                                          any_asset=True)
    loose = unchecked(request)  # the text-unchecked dialect
    for field in ("name", "surname", "paternal_name", "phone_number", "segment", "login",
                  "balance_asset_code", "balance_asset_issuer"):
        checked_text(getattr(body, field), field, loose=loose)
    status = checked_text(body.status, "status", loose=loose, limit=MAX_STATUS)
    check_kyc(body.kyc_level, loose=loose)
    allowed = 0
    if body.balance_allowed is not None:
        allowed = to_minor(body.balance_allowed, "balance_allowed", allow_zero=True)
    cguid = new_guid()
    raw_login = body.login or ""
    # blank: the GUID; text-unchecked keeps the login as sent, spaces and all
    login = (raw_login if loose else raw_login.strip()) if raw_login.strip() else cguid
    who.require_operation("sign-up", login)
    _check_branch(store, who, cp, body.branch_guid, loose)
    _check_duplicate(store, cp, login, loose)
    # Step 3 (§2.5): the bank's Auth Service must know the new customer and hold its secret.
    auth = await request.app.state.bank_auth.call(
        counterparty, "user_auth", sub=who.subject, obj=login, flow="sign-up")
    external_id = str(auth["external_id"]) if auth else login
    with store.tx():
        branch = _check_branch(store, who, cp, body.branch_guid, loose)
        iban = clean_iban(store, body.iban, checksum=not loose)
        _check_duplicate(store, cp, login, loose)
        now = store.now()
        name, surname = body.name or "", body.surname or ""
        paternal = body.paternal_name or ""
        store.conn.execute(
            "INSERT INTO customers (guid, counterparty_guid, login, external_id, name, surname, "
            "paternal_name, phone_number, branch_guid, segment, kyc_level, balance_allowed, "
            "balance_asset_code, balance_asset_issuer, is_disabled, status, search, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                cguid, cp, login, external_id, name, surname, paternal, body.phone_number or "",
                branch, body.segment if body.segment is not None else "retail",
                body.kyc_level or 0, allowed, body.balance_asset_code or "",
                body.balance_asset_issuer or "", int(bool(body.is_disabled)),
                status if status is not None else "active",
                names.search_key(name, surname, paternal, login), now, now,
            ),
        )
        store.index_customer_search(guid=cguid)
        aguid = ledger.create_account(store, counterparty_guid=cp, owner_guid=cguid,
                                      kind="customer", iban=iban,
                                      asset=ledger.find_asset(store, code, issuer))
        acc = ledger.get_account(store, aguid)
        assert acc is not None
    out = ledger.account_full(store, acc)
    out["customer_guid"] = cguid
    out["registered"] = False  # as the seed page's create example; later reads say true
    assert code and issuer
    return out


@router.put("/customers/{customer_guid}", summary="Update customer (partial)")
@needs("customers", "PUT")
async def update_customer(
    counterparty_guid: str, customer_guid: str, body: CustomerUpdateBody, request: Request,
    who: Who,
) -> dict[str, Any]:
    store = _store(request)
    who.require("customers", "PUT")
    who.check_cp(store, counterparty_guid)
    fields = body.model_fields_set
    row = load_customer(store, who, counterparty_guid, customer_guid)
    if body.wallet_user_guid and guid(body.wallet_user_guid, "wallet_user_guid") != row["guid"]:
        raise bad_request("wallet_user_guid does not match the path")
    changes: dict[str, Any] = {}
    loose = unchecked(request)  # the text-unchecked dialect
    for field in ("name", "surname", "paternal_name", "phone_number", "segment",
                  "balance_asset_code", "balance_asset_issuer"):
        if field in fields and getattr(body, field) is not None:
            changes[field] = checked_text(getattr(body, field), field, loose=loose)
    if "status" in fields and body.status is not None:
        changes["status"] = checked_text(body.status, "status", loose=loose,
                                         limit=MAX_STATUS)
    if "kyc_level" in fields and body.kyc_level is not None:
        check_kyc(body.kyc_level, loose=loose)
        changes["kyc_level"] = body.kyc_level
    if "is_disabled" in fields and body.is_disabled is not None:
        changes["is_disabled"] = int(body.is_disabled)
    if "balance_allowed" in fields and body.balance_allowed is not None:
        changes["balance_allowed"] = to_minor(body.balance_allowed, "balance_allowed",
                                              allow_zero=True)
    with store.tx():
        if "branch_guid" in fields and body.branch_guid is not None:
            wrapped = body.branch_guid
            if isinstance(wrapped, str):
                target = wrapped or None
            else:
                target = wrapped.value if wrapped.valid and wrapped.value else None
            if target is None and who.branch_guid is not None:
                raise ApiError(403, FORBIDDEN_BRANCH)
            changes["branch_guid"] = _check_branch(store, who, counterparty_guid, target,
                                                   loose) if target else None
        merged = {k: row[k] for k in ("name", "surname", "paternal_name", "login")}
        merged.update({k: v for k, v in changes.items() if k in merged})
        changes["search"] = names.search_key(merged["name"], merged["surname"],
                                             merged["paternal_name"], merged["login"])
        changes["updated_at"] = store.now()
        sets = ", ".join(f"{k} = ?" for k in changes)
        store.conn.execute(f"UPDATE customers SET {sets} WHERE guid = ?",
                           (*changes.values(), row["guid"]))
        store.index_customer_search(guid=row["guid"])
    return {}


@router.get("/customers", summary="List customers",
            responses={200: {"model": CustomerPage}},
            openapi_extra=list_params(*LIST_FILTERS, scalars=(
                "is_disabled", "min_balance_allowed", "max_balance_allowed", "search_string",
                "min_created_at", "max_created_at", "min_updated_at", "max_updated_at",
                "offset", "limit", "ordering"),
                schemas={"ordering": {"type": "string", "enum": list(ORDERINGS)}}))
async def list_customers(
    counterparty_guid: str, request: Request, who: Who,
) -> Any:
    store = _store(request)
    who.require("customers", "GET")
    who.check_cp(store, counterparty_guid)
    search = (single(request, "search_string") or "").strip().casefold()
    # Terms of 3+ characters use the trigram index, which then drives the query ("+col"
    # keeps SQLite from scanning the counterparty/branch indexes instead). Shorter terms (the
    # trigram LIKE is wrong for 2 Cyrillic characters in SQLite 3.40) and terms with LIKE
    # wildcards scan the casefolded column along the ordering index, which stops early.
    # SQLite's LIKE ends a pattern at a NUL ("%\0%" was "%": everyone): a search with one is
    # matched literally, as the in-memory path does (``instr``), never wider.
    literal = "\x00" in search
    trigram = len(search) >= 3 and not literal and not any(ch in search for ch in "%_\\")
    # "{p}" is "+" where an index on counterparty/branch would be the wrong driver: always
    # for the COUNT of a search (a plain table scan beats 100k index-then-row lookups), and
    # for the page only with the trigram index.
    where = ["{p}c.counterparty_guid = ?"]
    params: list[Any] = [counterparty_guid]
    if who.branch_guid is not None:
        where.append("{p}c.branch_guid = ?")
        params.append(who.branch_guid)
    plain_filters = len(where)
    column = {
        "wallet_user_guids": "c.guid", "logins": "c.login", "balance_asset_codes":
        "c.balance_asset_code", "balance_asset_issuers": "c.balance_asset_issuer",
        "branch_guids": "c.branch_guid", "names": "c.name", "paternal_names": "c.paternal_name",
        "phone_numbers": "c.phone_number", "segments": "c.segment", "statuses": "c.status",
        "surnames": "c.surname",
    }
    for param, col in column.items():
        in_clause(col, multi(request, param), where, params)
    in_clause("c.kyc_level", int_list(request, "kyc_levels"), where, params)
    disabled = opt_bool(request, "is_disabled")
    if disabled is not None:
        where.append("c.is_disabled = ?")
        params.append(int(disabled))
    for name, op in (("min_balance_allowed", ">="), ("max_balance_allowed", "<=")):
        dec = opt_decimal(request, name)
        if dec is not None:
            where.append(f"c.balance_allowed {op} ?")
            params.append(int(dec * 100))
    for name, col, op in (("min_created_at", "created_at", ">="),
                          ("max_created_at", "created_at", "<="),
                          ("max_updated_at", "updated_at", "<=")):
        ts = opt_ts(request, name)
        if ts is not None:
            where.append(f"c.{col} {op} ?")
            params.append(ts)
    ordering = single(request, "ordering") or "created_at"
    if ordering not in ORDERINGS:
        raise bad_request(f"ordering must be one of {', '.join(ORDERINGS)}")
    offset, limit = paging(request)
    order = ORDERINGS[ordering]
    min_updated = opt_ts(request, "min_updated_at")
    if search and min_updated is None and len(where) == plain_filters:
        # Search-as-you-type (no other filter): one pass over an in-memory list of the
        # caller's customers (casefolded search key, in this ordering), kept until the next
        # write: exact count and page for any term length in ~10 ms, where SQLite needs a
        # full scan for 1-2 characters (no trigram) and sorts every trigram match.
        shape = " AND ".join(where).replace("{p}", "")
        seqs, keys = store.cached(
            ("search", shape, tuple(params), order),
            lambda: search_list(store, shape, params, order),
        )
        matched = [seq for seq, key in zip(seqs, keys, strict=True) if search in key]
        return page_response(store, matched[offset:offset + limit], order, len(matched))
    if min_updated is not None:
        where.append("c.updated_at >= ?")
        params.append(min_updated)
    if trigram:
        where.append("c.seq IN (SELECT rowid FROM customer_search WHERE search LIKE ?)")
        params.append(f"%{search}%")
    elif literal:
        where.append("instr(c.search, ?) > 0")
        params.append(search)
    elif search:
        term = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("c.search LIKE ? ESCAPE '\\'")
        params.append(f"%{term}%")
    joined = " AND ".join(where)
    count_clause = joined.replace("{p}", "+" if search else "")
    clause = joined.replace("{p}", "+" if trigram else "")
    if min_updated is not None and not search:
        # Keyset paging (sync): the same filters with a moving min_updated_at. From the
        # second page of a shape on, count with a bisect over its sorted updated_at values
        # (kept until the next write) instead of a COUNT per page.
        shape = " AND ".join(where[:-1]).replace("{p}", "")
        stamps = store.cached_if_repeated(
            ("updated", shape, tuple(params[:-1])),
            lambda: [r[0] for r in store.conn.execute(
                f"SELECT c.updated_at FROM customers c WHERE {shape} ORDER BY c.updated_at",
                params[:-1])],
        )
        if stamps is not None:
            total = len(stamps) - bisect.bisect_left(stamps, min_updated)
        else:
            total = store.cached_count(
                f"SELECT COUNT(*) FROM customers c WHERE {count_clause}", params)
    else:
        total = store.cached_count(
            f"SELECT COUNT(*) FROM customers c WHERE {count_clause}", params)
    # Page over the (covering) index first, then fetch only the page's rows: SQLite's OFFSET
    # otherwise materialises every skipped row.
    rows = store.conn.execute(
        f"SELECT {JSON_ROW} FROM customers c "
        "LEFT JOIN branches b ON b.guid = c.branch_guid WHERE c.seq IN ("
        f"SELECT c.seq FROM customers c WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?) "
        f"ORDER BY {order}",
        [*params, limit, offset],
    ).fetchall()
    return json_page(rows, int(total))


@router.get("/customers/{customer_guid}", summary="Get one customer (simulator extension)",
            responses={200: {"model": Customer}})
async def get_customer(
    counterparty_guid: str, customer_guid: str, request: Request,
    who: Who,
) -> dict[str, Any]:
    store = _store(request)
    who.require("customers", "GET")
    who.check_cp(store, counterparty_guid)
    return customer_json(load_customer(store, who, counterparty_guid, customer_guid))
