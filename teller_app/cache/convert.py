"""Platform models (or their wire dicts) -> database values. Accepts pydantic models
(``model_dump``) or plain mappings, so the cache depends only on wire field names."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic

from teller_app.cache.text import sort_key
from teller_app.platform.models import minor_unit_of

CUSTOMER_FIELDS = (
    "login",
    "name",
    "surname",
    "paternal_name",
    "phone_number",
    "kyc_level",
    "is_disabled",
    "balance_allowed",
    "segment",
    "status",
    "branch_guid",
    "branch_name",
    "created_at",
    "updated_at",
)
_KNOWN = {"wallet_user_guid", "guid", "customer_guid", *CUSTOMER_FIELDS}


def wire(obj: Any) -> dict[str, Any]:
    """A model or mapping as a plain dict with wire names."""
    if isinstance(obj, Mapping):
        return dict(obj)
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dict(dump(mode="json", by_alias=True))
    raise TypeError(f"cannot cache {type(obj).__name__}")


def customer_wire(obj: Any) -> dict[str, Any]:
    """``wire`` for a customer, without pydantic's JSON serializer (~30 us a row during a full
    sync): a model's fields and extras as Python values, which ``customer_values`` turns into
    exactly the same database values as their JSON forms (wire models have no aliases)."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, pydantic.BaseModel):
        out = dict(obj.__dict__)  # the fields (pydantic v2 keeps them in __dict__) + extras
        if obj.__pydantic_extra__:
            out.update(obj.__pydantic_extra__)
        return out
    return wire(obj)


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def canonical_ts(value: Any) -> str:
    """Any RFC 3339 string or datetime -> ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC), which sorts
    correctly as text. Empty -> ''."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.year >= 1000 and not value.utcoffset():
            # isoformat is several times cheaper than strftime; same text for UTC, year >= 1000
            return value.isoformat(timespec="microseconds")[:26] + "Z"
        dt = value
    elif value is None or value == "":
        return ""
    elif isinstance(value, str) and _CANONICAL.fullmatch(value):
        return value  # already canonical (what the platform sends)
    else:
        text = str(value).strip().replace("Z", "+00:00").replace("z", "+00:00")
        dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def decimal_text(value: Any) -> str:
    if type(value) is Decimal and value.is_finite():
        return str(value)  # the same text as str(Decimal(str(value))), without re-parsing
    if value in (None, ""):
        return "0"
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return "0"


def customer_guid(d: Mapping[str, Any]) -> str:
    guid = d.get("wallet_user_guid") or d.get("guid") or d.get("customer_guid")
    if not guid:
        raise ValueError("customer without wallet_user_guid")
    return str(guid)


def customer_values(d: Mapping[str, Any], fetched_at: float) -> tuple[Any, ...]:
    """Values for the customers upsert, in ``CUSTOMER_COLUMNS`` order."""

    # Runs for every synced row: plain local code, no closures (same values as before).
    login, name, surname, paternal, phone, segment, status, branch, branch_name = (
        "" if v is None else str(v)
        for v in (
            d.get("login"),
            d.get("name"),
            d.get("surname"),
            d.get("paternal_name"),
            d.get("phone_number"),
            d.get("segment"),
            d.get("status"),
            d.get("branch_guid"),
            d.get("branch_name"),
        )
    )
    extra = {k: v for k, v in d.items() if k not in _KNOWN}
    return (
        customer_guid(d),
        login,
        name,
        surname,
        paternal,
        phone,
        int(d.get("kyc_level") or 0),
        1 if d.get("is_disabled") else 0,
        decimal_text(d.get("balance_allowed")),
        segment,
        status,
        branch,
        branch_name,
        canonical_ts(d.get("created_at")),
        canonical_ts(d.get("updated_at")),
        fetched_at,
        sort_key(surname, name, paternal),
        _extra_json(extra),
    )


_dump_extra = json.JSONEncoder(default=str, ensure_ascii=False).encode


@functools.lru_cache(maxsize=1024)
def _dump_extra_items(items: tuple[tuple[str, Any], ...]) -> str:
    return _dump_extra(dict(items))


def _extra_json(extra: dict[str, Any]) -> str:
    """The ``extra`` column; the same few values (counterparty, asset) repeat on every row."""
    try:
        return _dump_extra_items(tuple(extra.items()))
    except TypeError:  # an unhashable value (a nested object)
        return _dump_extra(extra)


CUSTOMER_COLUMNS = ("guid", *CUSTOMER_FIELDS, "fetched_at", "sort_key", "extra")


def account_values(
    customer: str, d: Mapping[str, Any], fetched_at: float
) -> tuple[str, str, str, str, str, str, float]:
    guid = d.get("wallet_account_guid") or d.get("guid")
    if not guid:
        raise ValueError("account without guid")
    assets = []
    for a in d.get("assets") or []:
        a = wire(a)
        assets.append(
            {
                "code": str(a.get("code") or ""),
                "name": str(a.get("name") or ""),
                "balance": decimal_text(a.get("balance")),
                "minor_unit": minor_unit_of(a.get("minor_unit")),
                "stellar_code": str(a.get("stellar_code") or ""),
                "stellar_issuer": str(a.get("stellar_issuer") or ""),
            }
        )
    return (
        str(guid),
        customer,
        str(d.get("iban") or ""),
        str(d.get("name") or ""),
        str(d.get("type") or ""),
        json.dumps(assets, ensure_ascii=False),
        fetched_at,
    )
