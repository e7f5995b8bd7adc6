"""Dialects: documented readings of the platform's open choices (``--dialect NAME[,NAME...]``).

The docs leave several behaviours open (see README "Dialects"); the default sandbox picks
one reading of each. A dialect switches one choice to another reading that the docs allow,
so the client can be tested against every server the docs describe. Most live in one ASGI
middleware: the semantic ones rewrite the request (query string, PUT body) before the
handlers see it, the shape ones rewrite JSON answers. Those that drop a check (a control the
docs do not state) are flags the handler reads from ``app.state.config.dialects``; each
entry below says where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# name -> what it changes (the README cites the doc passage that allows each).
DIALECTS: dict[str, str] = {
    "null-lists": "empty arrays in answers are null",
    "page-cap-100": "a larger limit is silently capped to 100",
    "include-disabled": "customers list: is_disabled=true includes disabled customers; "
    "without it (or false) they are left out",
    "exclusive-bounds": "min_/max_ time filters are strict (>, <)",
    "ordering-ignored": "customers list: ordering is ignored (default order created_at)",
    "ordering-strict": "customers list: any ordering value is a 400",
    "not-found-400": "an unknown GUID is 400 {\"error\": ...}, not 404",
    "kratos-400": "a failed Kratos login is a 400 with the flow's ui.messages",
    "nanos": "timestamps with 9 fractional digits and +00:00",
    "nullable-strings": "empty optional strings in answers are null",
    "numbers-as-strings": "numbers in answers are JSON strings",
    "put-replaces": "customer PUT replaces every field it is sent (null clears it)",
    "employee-guid-key": "employees carry employee_guid instead of guid",
    # Semantic readings added 2026-12-04 (each implemented where its note says).
    "payment-filter-names": "payments lists: only the current guide's spellings are "
    "understood (min_/max_created_at, min_/max_updated_at, payment_guids, category_guids); "
    "the older ones (created_at_min/_max, updated_at_min/_max, category_guid, guids) are "
    "ignored, as a server ignores query names it does not know (middleware)",
    "order-ignored": "payments and accounts lists: order is ignored; the default order "
    "(created_at ascending, oldest first) applies (middleware)",
    "jwt-lenient": "bank JWTs: only the documented claims are checked (sub, obj, flow, iat, "
    "exp); no jti, aud, lifetime cap, single use or flow/obj match (sandbox/auth.py)",
    "balance-allowed-free": "balance_allowed has no effect on payments (sandbox/ledger.py)",
    "text-unchecked": "customer create/update store the text the JSON carries (no control, "
    "bidi, formula-lead or length checks), any 64-bit kyc_level, an IBAN without its mod-97 "
    "check, a soft-deleted branch; logins unique as sent, case-sensitively "
    "(sandbox/textcheck.py, routes_customers.py)",
    "target-balance-unchecked": "payment confirm ignores target_balance "
    "(sandbox/routes_payments.py)",
    "confirm-failed-status": "a confirm refused by its checks or by the Bank Auth Service "
    "marks the payment FAILED (final: never confirmed) instead of leaving it CREATED "
    "(sandbox/routes_payments.py)",
}
ALL = "all"
_SHAPE = frozenset(
    {"null-lists", "nanos", "nullable-strings", "numbers-as-strings", "employee-guid-key",
     "not-found-400", "kratos-400"}
)
_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z$")
_BOUND = re.compile(r"^(min_\w+_at|max_\w+_at|\w+_at_min|\w+_at_max)$")
_CUSTOMER_PUT = re.compile(r"^/api/v1/counterparty/[^/]+/customers/[^/]+/?$")
# The payments and accounts lists, of the counterparty or of one branch (§3.8, §3.12.4, §3.6).
_PAYMENTS_LIST = re.compile(r"^/api/v1/counterparty/[^/]+/(branch/[^/]+/)?payments/?$")
_ACCOUNTS_LIST = re.compile(r"^/api/v1/counterparty/[^/]+/(branch/[^/]+/)?accounts/?$")
# payment-filter-names: the [D-OLD] / [A] spellings a server on the current guide may not know
# (it keeps min_/max_created_at, min_/max_updated_at, payment_guids, category_guids).
_OLD_PAYMENT_FILTERS = frozenset(
    {"created_at_min", "created_at_max", "updated_at_min", "updated_at_max", "category_guid",
     "guids"}
)
_EMPTY_FOR = {"kyc_level": 0, "balance_allowed": 0, "is_disabled": False}
KRATOS_INVALID = (
    "The provided credentials are invalid, check for spelling mistakes in your password or "
    "username, email address, or phone number."
)


def parse_names(names: Iterable[str]) -> frozenset[str]:
    """Dialect names (``all`` = every one); ValueError on an unknown name."""
    out: set[str] = set()
    for raw in names:
        for name in (n.strip() for n in str(raw).split(",")):
            if not name:
                continue
            if name == ALL:
                out.update(DIALECTS)
            elif name in DIALECTS:
                out.add(name)
            else:
                raise ValueError(f"unknown dialect {name!r} (known: {', '.join(DIALECTS)}, all)")
    return frozenset(out)


def load_file(path: str | Path) -> frozenset[str]:
    """``{"dialects": [names]}`` or a bare ``[names]``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    names = data.get("dialects") if isinstance(data, dict) else data
    if not isinstance(names, list):
        raise ValueError("dialect file: expected {\"dialects\": [...]} or a list of names")
    return parse_names(str(n) for n in names)


class DialectMiddleware:
    def __init__(self, app: ASGIApp, dialects: frozenset[str]) -> None:
        self.app = app
        self.on = dialects

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.on or scope["path"].startswith("/__sim"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "GET" and path.startswith("/api/v1/"):
            scope, refusal = self._query(scope, path)
            if refusal is not None:
                await _send_json(send, 400, {"error": refusal})
                return
        if method == "PUT" and "put-replaces" in self.on and _CUSTOMER_PUT.match(path):
            receive = await _replacing_body(receive)
        if not self.on & _SHAPE:
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _ShapeSender(send, self.on, method, path))

    def _query(self, scope: Scope, path: str) -> tuple[Scope, str | None]:
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        customers = path.rstrip("/").endswith("/customers")
        payments = bool(_PAYMENTS_LIST.match(path))
        old_names = payments and "payment-filter-names" in self.on
        no_order = "order-ignored" in self.on and (payments or bool(_ACCOUNTS_LIST.match(path)))
        out: list[tuple[str, str]] = []
        changed = False
        has_disabled = False
        for key, value in pairs:
            new: str | None = value
            if old_names and key.removesuffix("[]") in _OLD_PAYMENT_FILTERS:
                new = None  # a name this server does not know: ignored, as unknown names are
            elif no_order and key.removesuffix("[]") == "order":
                new = None  # the server's own order applies (created_at ascending)
            elif key == "limit" and "page-cap-100" in self.on:
                try:
                    if int(value) > 100:
                        new = "100"
                except ValueError:
                    pass
            elif _BOUND.match(key) and "exclusive-bounds" in self.on:
                new = _shift(value, key.startswith("min_") or key.endswith("_min"))
            elif key == "ordering" and customers:
                if "ordering-strict" in self.on:
                    return scope, f"invalid ordering {value!r}: unknown value"
                if "ordering-ignored" in self.on:
                    new = None
            elif key in ("is_disabled", "is_disabled[]") and customers \
                    and "include-disabled" in self.on:
                has_disabled = True
                # "include disabled": true = everyone, anything else = enabled ones only
                new = None if value.strip().lower() in ("true", "1") else "false"
            if new is not None:
                out.append((key, new))
            changed = changed or new != value
        if customers and "include-disabled" in self.on and not has_disabled:
            out.append(("is_disabled", "false"))
            changed = True
        if not changed:
            return scope, None
        return {**scope, "query_string": urlencode(out).encode("latin-1")}, None


def _shift(value: str, is_min: bool) -> str:
    """A strict bound as the handler's inclusive one: > T is >= T + 1 us (microsecond data)."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return value  # the handler reports it
    dt += timedelta(microseconds=1 if is_min else -1)
    return dt.isoformat()


async def _replacing_body(receive: Receive) -> Receive:
    """PUT replaces what it is sent: a null field becomes its empty value (the handler then
    writes it), instead of "left unchanged"."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key, value in list(data.items()):
            if value is None and key != "branch_guid":
                data[key] = _EMPTY_FOR.get(key, "")
            elif value is None:
                data[key] = {"valid": False, "value": ""}
        body = json.dumps(data).encode("utf-8")
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class _ShapeSender:
    """Buffers a JSON answer and rewrites it for the shape dialects."""

    def __init__(self, send: Send, on: frozenset[str], method: str, path: str) -> None:
        self.send = send
        self.on = on
        self.method = method
        self.path = path
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.passthrough = False

    async def __call__(self, message: Message) -> None:
        if self.passthrough:
            await self.send(message)
            return
        if message["type"] == "http.response.start":
            ctype = dict(message.get("headers", [])).get(b"content-type", b"")
            if b"json" not in ctype:
                self.passthrough = True
                await self.send(message)
                return
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        assert self.start is not None
        status, body = self._rewrite(self.start["status"], b"".join(self.chunks))
        headers = [(k, v) for k, v in self.start.get("headers", []) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    def _rewrite(self, status: int, raw: bytes) -> tuple[int, bytes]:
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            return status, raw
        api = self.path.startswith("/api/v1/")
        if status == 404 and api and "not-found-400" in self.on:
            return 400, json.dumps({"error": "record not found"}).encode()
        if (status == 401 and "kratos-400" in self.on and self.method == "POST"
                and self.path.rstrip("/").endswith("/self-service/login")):
            text = data.get("error") if isinstance(data, dict) else None
            if not text or "credentials are invalid" in str(text).lower():
                text = KRATOS_INVALID
            flow = {"id": "", "type": "api", "state": "choose_method",
                    "ui": {"action": "", "method": "POST", "nodes": [],
                           "messages": [{"id": 4000006, "text": text, "type": "error",
                                         "context": {}}]}}
            return 400, json.dumps(flow).encode()
        if not (200 <= status < 300) or data is None:
            return status, raw
        if "employee-guid-key" in self.on and self.method == "GET" \
                and self.path.rstrip("/").endswith("/employees") and isinstance(data, dict):
            for emp in data.get("employees") or []:
                if isinstance(emp, dict) and "guid" in emp:
                    emp["employee_guid"] = emp.pop("guid")
        data = self._walk(data, top=True)
        return status, json.dumps(data, ensure_ascii=False).encode("utf-8")

    def _walk(self, value: Any, top: bool = False) -> Any:
        on = self.on
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        if isinstance(value, list):
            if not value and "null-lists" in on:
                return None
            return [self._walk(v, top=top) for v in value]
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return str(value) if "numbers-as-strings" in on else value
        if isinstance(value, str):
            if value == "" and "nullable-strings" in on and not top:
                return None
            if "nanos" in on:
                m = _TS.match(value)
                if m:
                    return f"{m.group(1)}.{m.group(2)}000+00:00"
        return value


async def _send_json(send: Send, status: int, body: Any) -> None:
    raw = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw, "more_body": False})
