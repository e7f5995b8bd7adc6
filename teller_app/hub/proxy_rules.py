"""Mode-B proxy rules without I/O: which DCM paths the desk may use, and who may use them.

A request path (after ``/dcm/``) is classified into a ``Target``: its scope (the first path
segment after ``{cp}``, as DCM's own permissions, §3.3), its verb (the HTTP method, or
``CONFIRM`` for payment confirmation), the kind of operation and the GUIDs in the path.
Anything the desk does not use is refused before a role is even looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_GUID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$")

READS = {"employees", "branches", "roles", "segments", "categories"}
TELLER: frozenset[tuple[str, str]] = frozenset(
    {
        ("customers", "GET"),
        ("customers", "POST"),
        ("customers", "PUT"),
        ("accounts", "GET"),
        ("accounts", "POST"),
        ("payments", "GET"),
        ("payments", "POST"),
        ("limits", "GET"),
        *((scope, "GET") for scope in READS),
    }
)
SUPERVISOR: frozenset[tuple[str, str]] = TELLER | {("payments", "CONFIRM"), ("limits", "POST")}
ALL = "*"


class Refusal(Exception):
    """The proxy refuses the request: ``status`` (400/403/404/409/413/429/503) and a message
    for the desk; ``code`` (a refusal the desk words itself, e.g. ``phone_taken``) and
    ``extra`` (more of the answer's body; a 429's ``retry_after`` is also its header) when it
    has them."""

    def __init__(self, status: int, message: str, code: str = "",
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.extra = extra or {}


@dataclass(frozen=True)
class Target:
    scope: str
    verb: str
    kind: str
    segments: tuple[str, ...]  # the validated path after "api/v1/", rebuilt for DCM
    branch_guid: str | None = None  # from a branch/{guid}/… path
    item_guid: str | None = None  # the customer / account / payment in the path

    @property
    def dcm_path(self) -> str:
        return "/api/v1/" + "/".join(self.segments)


def permissions(roles: tuple[str, ...] | list[str]) -> frozenset[tuple[str, str]] | str:
    """The (scope, verb) pairs these roles allow, or ``ALL`` (Administrator)."""
    names = {r.strip().lower() for r in roles}
    if "administrator" in names:
        return ALL
    out: frozenset[tuple[str, str]] = frozenset()
    if "supervisor" in names:
        out |= SUPERVISOR
    if "teller" in names:
        out |= TELLER
    return out


def allowed(roles: tuple[str, ...] | list[str], target: Target) -> bool:
    perms = permissions(roles)
    return perms == ALL or (target.scope, target.verb) in perms


def _guid(value: str) -> str:
    if not _GUID.match(value):
        raise Refusal(404, "not a path the desk uses")
    return value


def classify(method: str, path: str, counterparty_guid: str) -> Target:
    """Classify ``method path`` (path after ``/dcm/``, e.g. ``api/v1/counterparty/…``)."""
    method = method.upper()
    parts = tuple(path.strip("/").split("/"))
    if any(p in ("", ".", "..") for p in parts) or parts[:2] != ("api", "v1"):
        raise Refusal(404, "not a path the desk uses")
    rest = parts[2:]
    if rest == ("dictionary", "payment", "category") and method == "GET":
        return Target("categories", "GET", "reference", rest)
    if len(rest) < 3 or rest[0] != "counterparty":
        raise Refusal(404, "not a path the desk uses")
    if not counterparty_guid or rest[1] != counterparty_guid:
        raise Refusal(403, "another counterparty")
    head = ("counterparty", counterparty_guid)
    tail = rest[2:]
    target = _classify_tail(method, tail)
    return Target(target.scope, target.verb, target.kind, head + tail, target.branch_guid,
                  target.item_guid)


def _classify_tail(method: str, tail: tuple[str, ...]) -> Target:
    n = len(tail)
    first = tail[0]
    t = tail
    if first == "customers":
        if n == 1 and method == "GET":
            return Target("customers", "GET", "customers_list", t)
        if n == 1 and method == "POST":
            return Target("customers", "POST", "customer_create", t)
        if n == 2 and method in ("GET", "PUT"):
            kind = "customer_item" if method == "GET" else "customer_update"
            return Target("customers", method, kind, t, item_guid=_guid(tail[1]))
        if n == 3 and tail[2] == "accounts" and method in ("GET", "POST"):
            kind = "customer_accounts" if method == "GET" else "customer_account_create"
            return Target("customers", method, kind, t, item_guid=_guid(tail[1]))
    elif first == "accounts" and method == "GET":
        if n == 1:
            return Target("accounts", "GET", "accounts_list", t)
        if n == 2:
            return Target("accounts", "GET", "account_item", t, item_guid=_guid(tail[1]))
    elif first == "payments":
        if n == 1 and method in ("GET", "POST"):
            kind = "payments_list" if method == "GET" else "payment_create"
            return Target("payments", method, kind, t)
        if n == 2 and tail[1] == "confirm" and method == "POST":
            return Target("payments", "CONFIRM", "payment_confirm", t)
        if n == 2 and method == "GET":
            return Target("payments", "GET", "payment_item", t, item_guid=_guid(tail[1]))
    elif first == "branch" and n >= 3:
        branch = _guid(tail[1])
        sub = tail[2:]
        if sub == ("accounts",) and method == "GET":
            return Target("accounts", "GET", "branch_accounts", t, branch_guid=branch)
        if sub == ("payments",) and method in ("GET", "POST"):
            kind = "branch_payments_list" if method == "GET" else "branch_payment_create"
            return Target("payments", method, kind, t, branch_guid=branch)
        if sub == ("payments", "confirm") and method == "POST":
            return Target("payments", "CONFIRM", "branch_payment_confirm", t, branch_guid=branch)
    elif first == "limits" and n == 3 and tail[1] == "customer" and tail[2] in (
            "payment", "amount") and method in ("GET", "POST"):
        return Target("limits", method, "limits", t)
    elif first in ("employees", "roles", "segments") and n == 1 and method == "GET":
        return Target(first, "GET", "reference", t)
    elif first == "branches" and method == "GET" and n in (1, 2):
        if n == 2:
            _guid(tail[1])
        return Target("branches", "GET", "reference", t)
    raise Refusal(404, "not a path the desk uses")
