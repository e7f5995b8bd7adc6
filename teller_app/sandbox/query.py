"""Query-string and path helpers: repeatable list params (``x=a&x=b`` and ``x[]=a``), typed
scalars, paging, GUID checks — all failing with 400 ``{"error": ...}``."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request

from .db import parse_ts
from .errors import bad_request

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_INT = 2**53  # SQLite integers are 64-bit: refuse anything near that
MAX_NUMBER = Decimal(10**15)
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                      r"[0-9a-fA-F]{12}$")


def is_guid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


def guid(value: str | None, field: str) -> str:
    """Validate a GUID (path or body); returns the canonical lower-case form."""
    if value is None or value == "":
        raise bad_request("invalid UUID length: 0")
    if not isinstance(value, str) or not is_guid(value):
        raise bad_request(f"{field}: invalid UUID {value!r}")
    return str(uuid.UUID(value))


def multi(request: Request, name: str) -> list[str]:
    """All values of ``name`` and ``name[]``; comma-free (values are taken verbatim)."""
    q = request.query_params
    return [v for v in q.getlist(name) + q.getlist(name + "[]") if v != ""]


def single(request: Request, name: str) -> str | None:
    vals = multi(request, name)
    return vals[-1] if vals else None


def opt_bool(request: Request, name: str) -> bool | None:
    v = single(request, name)
    if v is None:
        return None
    low = v.strip().lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    raise bad_request(f"{name}: expected a boolean, got {v!r}")


def opt_int(request: Request, name: str) -> int | None:
    v = single(request, name)
    if v is None:
        return None
    try:
        value = int(v)
    except ValueError:
        raise bad_request(f"{name}: expected an integer, got {v!r}") from None
    if abs(value) > MAX_INT:
        raise bad_request(f"{name}: out of range")
    return value


def opt_decimal(request: Request, name: str) -> Decimal | None:
    v = single(request, name)
    if v is None:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise bad_request(f"{name}: expected a number, got {v!r}") from None
    if not d.is_finite() or abs(d) > MAX_NUMBER:
        raise bad_request(f"{name}: expected a number in range, got {v!r}")
    return d


def opt_ts(request: Request, name: str) -> str | None:
    v = single(request, name)
    if v is None:
        return None
    try:
        return parse_ts(v)
    except ValueError:
        raise bad_request(f"{name}: expected an RFC 3339 timestamp, got {v!r}") from None


def paging(request: Request, default: int = DEFAULT_LIMIT) -> tuple[int, int]:
    offset = opt_int(request, "offset") or 0
    limit = opt_int(request, "limit")
    if offset < 0:
        raise bad_request("offset must not be negative")
    if limit is None or limit == 0:
        limit = default
    if limit < 0 or limit > MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}")
    return offset, limit


def order_dir(request: Request) -> str:
    v = (single(request, "order") or "asc").lower()
    if v not in ("asc", "desc"):
        raise bad_request("order must be asc or desc")
    return v.upper()


def int_list(request: Request, name: str) -> list[int]:
    out = []
    for v in multi(request, name):
        try:
            value = int(v)
        except ValueError:
            raise bad_request(f"{name}: expected integers, got {v!r}") from None
        if abs(value) > MAX_INT:
            raise bad_request(f"{name}: out of range")
        out.append(value)
    return out


def in_clause(column: str, values: list[Any], where: list[str], params: list[Any]) -> None:
    if values:
        where.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)


def _scalar_schema(name: str) -> dict[str, Any]:
    """The schema of a manually parsed scalar, by the naming the handlers follow."""
    if name == "offset":
        return {"type": "integer", "minimum": 0, "maximum": MAX_INT}
    if name == "limit":
        return {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT}
    if name == "order":
        return {"type": "string", "enum": ["asc", "desc"]}
    if name.endswith("_guid"):
        return {"type": "string", "format": "uuid"}
    if "created_at" in name or "updated_at" in name:
        return {"type": "string", "format": "date-time"}
    if name.startswith(("min_", "max_")):
        return {"type": "number", "minimum": -int(MAX_NUMBER), "maximum": int(MAX_NUMBER)}
    if name.startswith(("is_", "include_")):
        return {"type": "boolean"}
    return {"type": "string"}


def _item_schema(name: str) -> dict[str, Any]:
    if name.endswith("_guids") or name == "guids":
        return {"type": "string", "format": "uuid"}
    if name == "kyc_levels":
        return {"type": "integer", "minimum": -MAX_INT, "maximum": MAX_INT}
    return {"type": "string"}


def list_params(*names: str, scalars: tuple[str, ...] = (),
                schemas: dict[str, dict[str, Any]] | None = None,
                required: tuple[str, ...] = ()) -> dict[str, Any]:
    """openapi_extra documenting manually parsed query params (types by name; ``schemas``
    overrides one; ``required`` scalars are answered 400 when missing)."""
    extra = schemas or {}
    params: list[dict[str, Any]] = [
        {"name": n, "in": "query", "required": False,
         "schema": {"type": "array", "items": extra.get(n, _item_schema(n))},
         "style": "form", "explode": True,
         "description": f"repeatable; {n}=a&{n}=b or {n}[]=a"}
        for n in names
    ]
    params += [{"name": n, "in": "query", "required": n in required,
                "schema": extra.get(n, _scalar_schema(n))} for n in scalars]
    return {"parameters": params}
