"""The hub's cash rule for the desk's cash dialog: above the bank's threshold (the hub's
policy ``cash_threshold`` in ``cash_currency``) a supervisor confirms. Read from the hub
(``GET /api/v1/policy``), so every desk applies the one rule an administrator set; while the
hub cannot be reached, the profile's threshold stands in (``ThresholdPolicy``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from teller_app.core.cash_checks import (
    NeedReason,
    PolicyRequest,
    SupervisorNeed,
    ThresholdPolicy,
)
from teller_app.core.session import HubLink
from teller_app.platform import PlatformError
from teller_app.platform.hub_models import Policy


@dataclass
class HubCashPolicy:
    link: HubLink
    fallback: ThresholdPolicy
    is_checker: bool = False
    _policy: Policy | None = field(default=None, repr=False)

    async def assess(self, request: PolicyRequest) -> SupervisorNeed:
        if self.is_checker:
            return SupervisorNeed(False, NeedReason.NONE)
        try:
            policy = await self._load()
        except PlatformError:
            return self.fallback.assess_now(request.amount)
        try:
            threshold = Decimal(policy.cash_threshold)
        except InvalidOperation:
            return self.fallback.assess_now(request.amount)
        other_currency = request.asset_code.strip().casefold() != \
            policy.cash_currency.strip().casefold()
        if other_currency or request.amount <= threshold:
            return SupervisorNeed(False, NeedReason.NONE, threshold)
        return SupervisorNeed(True, NeedReason.OVER_THRESHOLD, threshold)

    async def _load(self) -> Policy:
        if self._policy is None:
            doc = await self.link.call(lambda hub: hub.policy())
            self._policy = doc.policy
        return self._policy
