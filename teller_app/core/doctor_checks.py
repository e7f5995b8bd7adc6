"""The doctor's shape checks: raw answers of read-only requests, compared with what the
client assumes (see ``core/doctor.py``). Each returns a ``Check``."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from teller_app.platform import PlatformClient
from teller_app.platform.models import minor_unit_of
from teller_app.platform.models._base import _parse_timestamp
from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    client_options,
)

Status = Literal["ok", "adapted", "failed"]
_CANONICAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail}


def _short(body: Any, limit: int = 160) -> str:
    text = repr(body)
    return text if len(text) <= limit else text[: limit - 3] + "..."


async def empty_list_form(client: PlatformClient) -> Check:
    name = "empty-list form"
    path = client.cp_path + "/customers"
    nobody = str(uuid.uuid4())
    status, body = await client.raw_get(path, {"wallet_user_guids": [nobody], "limit": 1})
    sent = f"GET /customers?wallet_user_guids=<random guid> -> {status}"
    if status != 200 or not isinstance(body, dict):
        return Check(name, "failed", f"{sent} {_short(body)}")
    value = body.get("customers", "<absent>")
    if value == []:
        return Check(name, "ok", f"{sent} customers: []")
    if value is None or value == "<absent>":
        return Check(name, "adapted", f"{sent} customers: {value}: read as an empty list")
    return Check(name, "failed", f"{sent} customers: {_short(value)}")


async def customer_sample(client: PlatformClient) -> tuple[int, Any]:
    return await client.raw_get(client.cp_path + "/customers", {"limit": 1})


def timestamps(sample: tuple[int, Any]) -> Check:
    name = "timestamps"
    status, body = sample
    rows = body.get("customers") if isinstance(body, dict) else None
    if status != 200 or not rows:
        return Check(name, "ok", f"GET /customers?limit=1 -> {status}: no customer to look at")
    row = rows[0] if isinstance(rows[0], dict) else {}
    values = {k: row.get(k) for k in ("created_at", "updated_at")}
    if all(isinstance(v, str) and _CANONICAL.match(v) for v in values.values()):
        return Check(name, "ok", f"GET /customers?limit=1 -> {values}: RFC 3339, us, Z")
    if all(_parse_timestamp(v) is not None for v in values.values()):
        return Check(name, "adapted", f"GET /customers?limit=1 -> {values}: another RFC 3339 "
                     "form; read and normalised to microseconds UTC")
    return Check(name, "failed", f"GET /customers?limit=1 -> {values}: not RFC 3339")


def field_forms(sample: tuple[int, Any]) -> Check:
    """Types of the list answer's fields: strings for numbers, null for strings/bools."""
    name = "field forms"
    status, body = sample
    rows = body.get("customers") if isinstance(body, dict) else None
    if status != 200 or not rows or not isinstance(rows[0], dict):
        return Check(name, "ok", f"GET /customers?limit=1 -> {status}: no customer to look at")
    row = rows[0]
    odd: list[str] = []
    if isinstance(body.get("total"), str):
        odd.append("total is a string")
    for key in ("kyc_level", "balance_allowed"):
        if isinstance(row.get(key), str):
            odd.append(f"{key} is a string")
    nulls = sorted(k for k, v in row.items() if v is None)
    if nulls:
        odd.append("null: " + ", ".join(nulls))
    if not isinstance(row.get("is_disabled"), bool):
        odd.append(f"is_disabled is {_short(row.get('is_disabled'), 30)}")
    if not odd:
        return Check(name, "ok", "GET /customers?limit=1 -> numbers are numbers, strings are "
                     "strings, no nulls")
    return Check(name, "adapted", "GET /customers?limit=1 -> " + "; ".join(odd)
                 + ": read leniently (null bool = false, null string = \"\", numbers parsed)")


async def accounts(client: PlatformClient, customer_guid: str | None) -> list[Check]:
    """Accounts shape and minor_unit of one customer's accounts."""
    if not customer_guid:
        note = "no customer to look at"
        return [Check("accounts shape", "ok", note), Check("minor_unit", "ok", note)]
    status, body = await client.raw_get(f"{client.cp_path}/customers/{customer_guid}/accounts")
    sent = f"GET /customers/{{guid}}/accounts -> {status}"
    if status != 200:
        failed = Check("accounts shape", "failed", f"{sent} {_short(body)}")
        return [failed, Check("minor_unit", "failed", f"{sent}: no accounts to look at")]
    items: Any = None
    if isinstance(body, dict) and "accounts" in body:
        items = body["accounts"]
        shape = Check("accounts shape", "ok", f"{sent} {{\"accounts\": [...], \"total\"}}")
        if items is None:
            shape = Check("accounts shape", "adapted", f"{sent} accounts: null: read as []")
    elif isinstance(body, list):
        items = body[0].get("accounts") if body and isinstance(body[0], dict) else body
        shape = Check("accounts shape", "adapted", f"{sent} an array: read like the accounts "
                      "list's [{\"accounts\": [...]}]")
    else:
        return [Check("accounts shape", "failed", f"{sent} {_short(body)}"),
                Check("minor_unit", "failed", "no accounts to look at")]
    units = [a.get("minor_unit", "<absent>") for acc in items or [] if isinstance(acc, dict)
             for a in acc.get("assets") or [] if isinstance(a, dict)]
    if not units:
        return [shape, Check("minor_unit", "ok", f"{sent}: no asset to look at")]
    if all(isinstance(u, int) and not isinstance(u, bool) for u in units):
        return [shape, Check("minor_unit", "ok", f"{sent} assets[].minor_unit = {units}")]
    read = [minor_unit_of(None if u == "<absent>" else u) for u in units]
    return [shape, Check("minor_unit", "adapted", f"{sent} assets[].minor_unit = {units}: "
                         f"read as {read} (missing = 2)")]


async def error_body(client: PlatformClient) -> Check:
    name = "error body form"
    status, body = await client.raw_get(f"{client.cp_path}/customers/{uuid.uuid4()}/accounts")
    sent = f"GET /customers/<random guid>/accounts -> {status} {_short(body, 100)}"
    has_error = isinstance(body, dict) and isinstance(body.get("error"), str)
    if status == 404 and has_error:
        return Check(name, "ok", sent)
    if status in (400, 403, 404) and has_error:
        return Check(name, "adapted", sent + ": an unknown GUID is not a 404; the client "
                     "finds customers by list filters and reads {\"error\"} from any status")
    if status in (400, 403, 404):
        return Check(name, "adapted", sent + ": no {\"error\"} key; the message is taken "
                     "from message/detail/ui.messages or the text")
    return Check(name, "failed", sent)


async def auth_service(url: str | None, settings: TransportSettings | None = None) -> Check:
    """The bank's Auth Service answers DCM's calls (§2.5) within 1 s: asked without a session
    it must refuse (401), quickly. ``settings``: only when the desk reaches that host with a
    profile's transport (Mode B's hub); else the public roots, no proxy."""
    name = "Auth Service reachability"
    if not url:
        return Check(name, "ok", "not configured (--auth-service URL): skipped")
    target = url.rstrip("/") + "/user_auth"
    started = time.perf_counter()
    try:  # never the environment's proxy or CA
        async with httpx.AsyncClient(timeout=5.0, **client_options(url, settings)) as http:
            response = await http.get(target)
    except (httpx.HTTPError, TransportSecurityError) as exc:
        return Check(name, "failed", f"GET {target} -> {type(exc).__name__}")
    ms = (time.perf_counter() - started) * 1000
    sent = f"GET {target} (no X-Session-ID) -> {response.status_code} in {ms:.0f} ms"
    if ms > 1000:
        return Check(name, "failed", sent + ": slower than DCM's 1 s limit")
    if response.status_code == 401:
        return Check(name, "ok", sent)
    return Check(name, "failed", sent + ": expected 401 without a session")
