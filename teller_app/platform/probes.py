"""Read-only probes of the customers list's open choices. Each returns a ``Finding`` with the
requests sent and what came back, and what the client should learn (``ServerTraits``).

Used by the sync (``learn_traits``: only what is still unknown) and by ``teller-app doctor``
(every probe, on a client with fresh traits). Nothing here writes to the platform.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from .errors import PlatformError
from .models import Customer, CustomerPage, format_timestamp

if TYPE_CHECKING:
    from .client import PlatformClient

Status = Literal["ok", "adapted", "failed"]
CUSTOMERS = "GET /customers"


@dataclass(frozen=True)
class Finding:
    name: str
    status: Status
    detail: str
    learnt: dict[str, Any] = field(default_factory=dict)


def _q(**params: Any) -> str:
    parts = [f"{k}={_v(v)}" for k, v in params.items() if v is not None]
    return CUSTOMERS + ("?" + "&".join(parts) if parts else "")


def _v(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


async def probe_page_cap(client: PlatformClient, scope: dict[str, Any]) -> Finding:
    page = await client.list_customers(limit=1000, **scope)
    got, total = len(page.customers), page.total
    sent = _q(limit=1000)
    if got >= min(1000, total):
        seen = ("no cap below 1000" if got >= 1000 else
                f"one page holds them all (a cap above {got} cannot show here; paging never "
                "relies on a page's length)")
        return Finding("list paging and cap", "ok", f"{sent} -> {got} rows of total {total}: "
                       + seen)
    return Finding("list paging and cap", "adapted",
                   f"{sent} -> {got} rows of total {total}: pages are capped at {got}; "
                   "paging goes on until total or an empty page", {"page_cap": got})


async def probe_disabled(client: PlatformClient, scope: dict[str, Any]) -> Finding:
    """Totals for is_disabled absent / true / false tell the two documented readings apart."""
    totals: dict[str, int] = {}
    with client.literal_is_disabled():
        for label, value in (("absent", None), ("true", True), ("false", False)):
            page = await client.list_customers(limit=1, is_disabled=value, **scope)
            totals[label] = page.total
    none_, true_, false_ = totals["absent"], totals["true"], totals["false"]
    evidence = (f"{_q(limit=1)} -> total {none_}; {_q(is_disabled=True, limit=1)} -> total "
                f"{true_}; {_q(is_disabled=False, limit=1)} -> total {false_}")
    name = "is_disabled reading"
    if none_ > 0 and (true_ < none_ or (true_ == none_ and false_ == 0)):
        return Finding(name, "ok", evidence + ": an exact filter (absent = everyone)",
                       {"disabled_reading": "exact"})
    if true_ > none_ or (none_ > 0 and true_ == none_ == false_):
        return Finding(name, "adapted", evidence + ": \"include disabled\" (absent = enabled "
                       "only); lists send is_disabled=true", {"disabled_reading": "include"})
    return Finding(name, "ok", evidence + ": cannot tell yet (no customers in scope); "
                   "asked again next time")


def _stamps(page: CustomerPage) -> list[datetime]:
    return [c.updated_at for c in page.customers if c.updated_at is not None]


async def probe_ordering(client: PlatformClient, scope: dict[str, Any]) -> Finding:
    name = "ordering"
    before = client.traits.ordering
    asc = await client.list_customers(ordering="updated_at", limit=50, **scope)
    if client.traits.ordering == "strict" and before != "strict":
        return Finding(name, "adapted", f"{_q(ordering='updated_at', limit=50)} -> 400: "
                       "ordering is refused; the sync pages without it (offset, checked by "
                       "counts)", {"ordering": "strict"})
    desc = await client.list_customers(ordering="-updated_at", limit=50, **scope)
    a, d = _stamps(asc), _stamps(desc)
    evidence = (f"{_q(ordering='updated_at', limit=50)} -> {len(a)} rows; "
                f"{_q(ordering='-updated_at', limit=50)} -> {len(d)} rows")
    if len(a) < 2 or a[0] == a[-1]:
        return Finding(name, "ok", evidence + ": too few distinct rows to tell; every sync "
                       "page's order is checked")
    ascending = all(x <= y for x, y in itertools.pairwise(a))
    descending = all(x >= y for x, y in itertools.pairwise(d))
    if ascending and descending and d[0] >= a[-1]:
        return Finding(name, "ok", evidence + ": updated_at and -updated_at honoured",
                       {"ordering": "supported"})
    return Finding(name, "adapted", evidence + ": ordering ignored (same order both ways); "
                   "the sync pages without it (offset, checked by counts)",
                   {"ordering": "ignored"})


async def probe_bounds(client: PlatformClient, scope: dict[str, Any]) -> Finding:
    """One customer asked for by its own updated_at as both bounds."""
    name = "time-bound inclusivity"
    page = await client.list_customers(limit=1, **scope)
    sample: Customer | None = next((c for c in page.customers if c.updated_at), None)
    if sample is None:
        return Finding(name, "ok", f"{_q(limit=1)} -> no customer with updated_at: "
                       "cannot tell yet")
    t = sample.updated_at
    assert t is not None
    guid = sample.wallet_user_guid
    same = await client.list_customers(
        wallet_user_guids=[guid], min_updated_at=t, max_updated_at=t, limit=10, **scope)
    sent = _q(wallet_user_guids=[guid], min_updated_at=t, max_updated_at=t)
    if any(c.wallet_user_guid == guid for c in same.customers):
        return Finding(name, "ok", f"{sent} -> the customer: bounds are inclusive",
                       {"bounds": "inclusive"})
    step = timedelta(microseconds=1)
    wider = await client.list_customers(
        wallet_user_guids=[guid], min_updated_at=t - step, max_updated_at=t + step, limit=10,
        **scope)
    if any(c.wallet_user_guid == guid for c in wider.customers):
        return Finding(name, "adapted", f"{sent} -> nothing; 1 us wider -> the customer: "
                       "bounds are strict; sent 1 us wider", {"bounds": "exclusive"})
    return Finding(name, "failed", f"{sent} -> nothing, 1 us wider -> nothing: time filters "
                   "do not find a customer by its own updated_at")


async def learn_traits(client: PlatformClient, scope: dict[str, Any]) -> list[Finding]:
    """Probe what is still unknown about the customers list and teach it to ``client``. A
    probe that fails on the platform is skipped (asked again next time)."""
    probes = []
    traits = client.traits
    if traits.disabled_reading is None:
        probes.append(probe_disabled)
    if traits.ordering is None:
        probes.append(probe_ordering)
    if traits.bounds is None:
        probes.append(probe_bounds)
    findings: list[Finding] = []
    for probe in probes:
        try:
            finding = await probe(client, scope)
        except PlatformError:
            continue
        if finding.learnt:
            client.learn(**finding.learnt)
        findings.append(finding)
    return findings
