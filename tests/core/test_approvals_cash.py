"""The desk's cash rule comes from the hub's policy; the profile threshold stands in while
the hub is down; a checker confirms any amount."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from teller_app.core.approvals_cash import HubCashPolicy
from teller_app.core.cash_checks import PolicyRequest, ThresholdPolicy
from teller_app.platform import HubUnavailable
from teller_app.platform.hub_models import Policy, PolicyDoc


class Link:
    """A hub link whose hub is itself: ``call(fn)`` runs ``fn(self)``; no policy document =
    the hub cannot be reached."""

    def __init__(self, doc: Policy | None) -> None:
        self.doc = doc
        self.calls = 0

    async def call(self, fn: Any) -> Any:
        self.calls += 1
        if self.doc is None:
            raise HubUnavailable("down")
        return await fn(self)

    async def policy(self) -> PolicyDoc:
        assert self.doc is not None
        return PolicyDoc(policy=self.doc)


def _req(amount: str, code: str = "UAH") -> PolicyRequest:
    return PolicyRequest("deposit", Decimal(amount), code, "c", "a")


def _policy(link: Any, **kw: Any) -> HubCashPolicy:
    return HubCashPolicy(link, ThresholdPolicy(Decimal("100")), **kw)


def test_the_hub_threshold_decides() -> None:
    link = Link(Policy(cash_threshold="5000.00", cash_currency="UAH"))
    rule = _policy(link)
    assert not asyncio.run(rule.assess(_req("5000.00"))).needed
    need = asyncio.run(rule.assess(_req("5000.01")))
    assert need.needed and need.threshold == Decimal("5000.00")
    assert not asyncio.run(rule.assess(_req("99999", "EUR"))).needed  # other currency
    assert link.calls == 1  # read once
    assert not asyncio.run(_policy(link, is_checker=True).assess(_req("1e9"))).needed


def test_the_profile_threshold_while_the_hub_is_down() -> None:
    rule = _policy(Link(None))
    assert asyncio.run(rule.assess(_req("100.01"))).needed
    assert not asyncio.run(rule.assess(_req("100"))).needed
