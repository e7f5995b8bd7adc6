"""How a pending change request and a decision are written into a customer's ``status`` text.

The platform has no table of our own, only the customer's free-text ``status`` (at most 2000
characters in the sandbox). A pending request rides along behind the customer's real status:

    STATUS   = [REAL " "] "[[tr1:" B64URL "]]"
    B64URL   = base64url, no "=" padding, of the UTF-8 bytes of PAYLOAD
    PAYLOAD  = compact JSON, keys sorted, separators "," and ":":
               {"at": created_at RFC 3339 UTC "…Z", "br": maker's branch guid or "",
                "ch": the exact change (CustomerUpdate wire fields, e.g. {"is_disabled": true}),
                "id": request id (32 hex), "mk": maker employee guid,
                "rs": reason (1..300 chars), "v": 1}

Parsing looks for the LAST "[[tr1:" and requires the text to end with "]]"; anything that does
not decode to a valid payload is treated as plain status text (a customer whose real status
happens to look like ours is never mistaken for a request). The real status is everything
before the marker minus one separating space, so it round-trips byte for byte.

A decision is stored on a separate marker customer (see ``approvals.py``) whose status is

    "decided:" B64URL(compact JSON {"at", "by": decider guid, "cm": comment (<=300),
                                    "cu": customer guid, "d": "approved"|"rejected"|"withdrawn",
                                    "id": request id, "v": 1})
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

MARKER_OPEN = "[[tr1:"
MARKER_CLOSE = "]]"
DECISION_PREFIX = "decided:"
STATUS_MAX_CHARS = 2000
REASON_MAX_CHARS = 300
COMMENT_MAX_CHARS = 300
# Fields a change request may carry: the CustomerUpdate fields a bank may mark sensitive.
CHANGE_FIELDS = frozenset({"is_disabled", "status", "kyc_level", "balance_allowed", "segment"})
DECISIONS = ("approved", "rejected", "withdrawn")

_B64URL = re.compile(r"\A[A-Za-z0-9_-]+\Z")
_ID = re.compile(r"\A[0-9a-f]{32}\Z")


class CodecError(ValueError):
    """The request or decision cannot be encoded (e.g. the status would exceed 2000 chars)."""


@dataclass(frozen=True)
class ChangeRequest:
    """A teller's request for a sensitive change, as stored in the customer's status."""

    id: str
    maker_guid: str
    branch_guid: str
    created_at: str
    reason: str
    change: dict[str, Any] = field(hash=False)
    # Filled in when decoded from a customer record (not part of the payload):
    customer_guid: str = ""
    real_status: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "id": self.id,
            "mk": self.maker_guid,
            "br": self.branch_guid,
            "at": self.created_at,
            "rs": self.reason,
            "ch": dict(self.change),
        }


@dataclass(frozen=True)
class Decision:
    request_id: str
    customer_guid: str
    outcome: str  # "approved" | "rejected" | "withdrawn"
    decider_guid: str
    decided_at: str
    comment: str = ""


def utc_now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _b64(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _unb64(text: str) -> dict[str, Any] | None:
    if not _B64URL.match(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def validate_change(change: dict[str, Any]) -> dict[str, Any]:
    """The change as plain JSON values; a ``Decimal`` (an amount) becomes its exact text,
    e.g. ``"1500.50"`` (never a float)."""
    if not change:
        raise CodecError("empty change")
    unknown = set(change) - CHANGE_FIELDS
    if unknown:
        raise CodecError(f"fields not allowed in a change request: {sorted(unknown)}")
    plain: dict[str, Any] = {}
    for key, value in change.items():
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise CodecError(f"unsupported value for {key}")
            value = format(value, "f")
        if not isinstance(value, str | bool | int | float) or value is None:
            raise CodecError(f"unsupported value for {key}")
        plain[key] = value
    return plain


def encode_status(real_status: str, request: ChangeRequest) -> str:
    """The status text that carries ``request`` behind ``real_status``."""
    reason = request.reason.strip()
    if not reason:
        raise CodecError("reason is required")
    if len(reason) > REASON_MAX_CHARS:
        raise CodecError(f"reason longer than {REASON_MAX_CHARS} characters")
    if not _ID.match(request.id):
        raise CodecError("request id must be 32 lowercase hex digits")
    payload = {**request.payload(), "ch": validate_change(request.change)}
    marker = f"{MARKER_OPEN}{_b64(payload)}{MARKER_CLOSE}"
    text = f"{real_status} {marker}" if real_status else marker
    if len(text) > STATUS_MAX_CHARS:
        raise CodecError(f"status would exceed {STATUS_MAX_CHARS} characters")
    return text


def split_status(status: str | None, customer_guid: str = "") -> tuple[str, ChangeRequest | None]:
    """``(real status, pending request or None)`` for a customer's stored status."""
    text = status or ""
    if not text.endswith(MARKER_CLOSE):
        return text, None
    start = text.rfind(MARKER_OPEN)
    if start < 0:
        return text, None
    payload = _unb64(text[start + len(MARKER_OPEN) : -len(MARKER_CLOSE)])
    request = _request_from_payload(payload) if payload is not None else None
    if request is None:
        return text, None
    real = text[:start]
    if real.endswith(" "):
        real = real[:-1]
    return real, _with(request, customer_guid=customer_guid, real_status=real)


def real_status(status: str | None) -> str:
    """What to show as the customer's status: never the encoded request."""
    return split_status(status)[0]


def replace_real_status(status: str | None, new_real: str) -> str:
    """``status`` with its real part replaced and any pending request kept (for edit forms)."""
    _real, request = split_status(status)
    return encode_status(new_real, request) if request is not None else new_real


def _request_from_payload(p: dict[str, Any]) -> ChangeRequest | None:
    try:
        if p.get("v") != 1:
            return None
        change = p["ch"]
        if not isinstance(change, dict):
            return None
        validate_change(change)
        request = ChangeRequest(
            id=str(p["id"]),
            maker_guid=str(p["mk"]),
            branch_guid=str(p.get("br") or ""),
            created_at=str(p["at"]),
            reason=str(p["rs"]),
            change=change,
        )
    except (KeyError, CodecError, TypeError):
        return None
    return request if _ID.match(request.id) else None


def _with(request: ChangeRequest, **values: Any) -> ChangeRequest:
    data = {**request.__dict__, **values}
    return ChangeRequest(**data)


# -- decisions (stored on the lock marker customer) ------------------------------------------
def encode_decision(decision: Decision) -> str:
    if decision.outcome not in DECISIONS:
        raise CodecError(f"unknown outcome {decision.outcome!r}")
    comment = decision.comment.strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise CodecError(f"comment longer than {COMMENT_MAX_CHARS} characters")
    payload = {
        "v": 1,
        "id": decision.request_id,
        "cu": decision.customer_guid,
        "d": decision.outcome,
        "by": decision.decider_guid,
        "at": decision.decided_at,
        "cm": comment,
    }
    return DECISION_PREFIX + _b64(payload)


def decode_decision(status: str | None) -> Decision | None:
    text = status or ""
    if not text.startswith(DECISION_PREFIX):
        return None
    p = _unb64(text[len(DECISION_PREFIX) :])
    if p is None or p.get("v") != 1 or p.get("d") not in DECISIONS:
        return None
    try:
        return Decision(
            request_id=str(p["id"]),
            customer_guid=str(p["cu"]),
            outcome=str(p["d"]),
            decider_guid=str(p["by"]),
            decided_at=str(p["at"]),
            comment=str(p.get("cm") or ""),
        )
    except KeyError:
        return None
