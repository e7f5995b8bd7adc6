"""The hub's cash controls at the desk (issue 15): ``HubCash`` is both the ``CashPolicy``
(does a supervisor confirm?) and the ``CashGate`` (asked before every confirm, told after it)
of ``core.cash.CashService``.

Before the draft exists the hub previews the decision for the amount; once it exists the
hub reads the draft on DCM itself (``/cash/authorize``) — the desk's amount is never trusted.
"refuse" raises ``CashRefused`` (kind ``HUB``, the hub's reason code in ``period``): a voided
draft, the teller's daily limit, no open till … A hub that cannot be reached refuses too
(the exception goes up): the controls are the bank's, the desk never skips them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any  # Any: the hub's JSON bodies and answers only

from teller_app.core.cash_checks import (
    CashRefused,
    NeedReason,
    PolicyRequest,
    Refusal,
    RefusalKind,
    SupervisorNeed,
)
from teller_app.core.till import HubCalls, TillService

if TYPE_CHECKING:
    from teller_app.core.session import HubLink

# The hub's reason codes (``cash_limits.py``); the UI translates them.
HUB_NEED_REASONS = ("over_threshold", "teller_cumulative", "customer_cumulative")
HUB_REFUSALS = ("voided", "not_created", "not_cash", "other_branch", "no_open_till",
                "other_teller", "till_short", "teller_daily_limit")


@dataclass(frozen=True)
class VoidRecord:
    payment_guid: str
    kind: str  # void (teller) | reject (supervisor)
    actor: str
    reason: str
    amount: Decimal
    created_at: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> VoidRecord:
        return cls(str(data["payment_guid"]), str(data["kind"]), str(data["actor"]),
                   str(data["reason"]), Decimal(str(data.get("amount") or "0")),
                   int(data.get("created_at") or 0))


@dataclass(frozen=True)
class DraftAuthorization:
    """Who authorized a draft at the hub (the supervisor's inbox names it)."""

    payment_guid: str
    teller: str
    customer_guid: str
    kind: str
    amount: Decimal
    reasons: tuple[str, ...]
    teller_name: str = ""  # the hub's directory (hub store, then DCM's employees)
    branch_guid: str = ""  # the customer's branch when the draft was authorized

    @classmethod
    def of(cls, data: dict[str, Any]) -> DraftAuthorization:
        return cls(str(data["payment_guid"]), str(data.get("teller") or ""),
                   str(data.get("customer_guid") or ""), str(data.get("kind") or ""),
                   Decimal(str(data.get("amount") or "0")),
                   tuple(str(r) for r in data.get("reasons") or ()),
                   str(data.get("teller_name") or ""), str(data.get("branch_guid") or ""))


def need_of(data: dict[str, Any]) -> SupervisorNeed:
    """The hub's answer as a ``SupervisorNeed`` (or ``CashRefused`` for "refuse")."""
    reasons = [str(r) for r in data.get("reasons", [])]
    threshold = Decimal(str(data["threshold"])) if data.get("threshold") else None
    decision = data.get("decision")
    if decision == "refuse":
        raise CashRefused(Refusal(RefusalKind.HUB, period=reasons[0] if reasons else "",
                                  message=str(data.get("message") or "")))
    if decision == "needs_approval":
        return SupervisorNeed(True, NeedReason.HUB_POLICY, threshold, ",".join(reasons))
    return SupervisorNeed(False, NeedReason.NONE, threshold)


class HubCash:
    """``CashPolicy`` + ``CashGate`` over the hub; ``till`` counts confirmed payments."""

    def __init__(self, hub: HubCalls, till: TillService | None = None, desk_id: str = "") -> None:
        self.hub = hub
        self.till = till
        self.desk_id = desk_id or (till.desk_id if till is not None else "")

    async def authorize(self, payment_guid: str, *, confirming: bool = False) -> dict[str, Any]:
        """The hub's decision; ``confirming``: asked right before this desk's confirm, so the
        hub refuses a void while that confirm may still reach DCM."""
        body = {"payment_guid": payment_guid}
        if confirming:
            body["purpose"] = "confirm"
        data: dict[str, Any]
        if self.till is not None and self.desk_id == self.till.desk_id:
            # the check renews (or takes) this desk's lease: the till service hears of it
            data = await self.till.cash_call("POST", "/api/v1/cash/authorize",
                                             json_body=body, idempotent=True)
            return data
        data = await self.hub.call(
            "POST", "/api/v1/cash/authorize", json_body=body,
            desk_id=self.desk_id or None,  # the hub wants the desk holding the till
            idempotent=True)  # the hub's decision for one draft is repeatable
        return data

    async def assess(self, request: PolicyRequest) -> SupervisorNeed:
        if request.payment_guid:
            return need_of(await self.authorize(request.payment_guid))
        body = {"kind": request.kind, "amount": f"{request.amount:.2f}"}
        if request.customer_guid:
            body["customer_guid"] = request.customer_guid
        return need_of(await self.hub.call("POST", "/api/v1/cash/preview", json_body=body,
                                           idempotent=True))

    async def before_confirm(self, payment_guid: str) -> SupervisorNeed:
        return need_of(await self.authorize(payment_guid, confirming=True))

    async def confirmed(self, payment_guid: str) -> None:
        if self.till is not None:
            await self.till.count_operation(payment_guid)

    async def voids(self, payment_guids: Sequence[str] = ()) -> list[VoidRecord]:
        params = {"payment_guid": list(payment_guids)} if payment_guids else None
        data = await self.hub.call("GET", "/api/v1/cash/voids", params=params)
        return [VoidRecord.of(v) for v in data.get("voids", [])]

    async def voided(self, payment_guids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        guids = list(payment_guids)
        for start in range(0, len(guids), 100):
            found.update(v.payment_guid for v in await self.voids(guids[start:start + 100]))
        return found

    async def authorizations(self, payment_guids: Sequence[str]) -> dict[str, DraftAuthorization]:
        found: dict[str, DraftAuthorization] = {}
        guids = list(payment_guids)
        for start in range(0, len(guids), 100):
            data = await self.hub.call("GET", "/api/v1/cash/authorizations",
                                       params={"payment_guid": guids[start:start + 100]})
            for item in data.get("authorizations", []):
                found[str(item["payment_guid"])] = DraftAuthorization.of(item)
        return found

    async def void(self, payment_guid: str, reason: str) -> None:
        await self.hub.call("POST", "/api/v1/cash/void", idempotent=True, json_body={
            "payment_guid": payment_guid, "reason": reason.strip(), "desk_id": self.desk_id})

    async def reject(self, payment_guid: str, comment: str) -> None:
        """A supervisor rejects a draft waiting for them (its request leaves the queue)."""
        await self.hub.call("POST", "/api/v1/cash/reject", idempotent=True, json_body={
            "payment_guid": payment_guid, "comment": comment.strip(),
            "desk_id": self.desk_id})


class LinkCalls:
    """``HubCalls`` over the session's ``HubLink``: ``HubLink.call`` opens (or renews, once,
    after a 401) the hub session around the call."""

    def __init__(self, link: HubLink) -> None:
        self.link = link

    async def call(self, method: str, path: str, *, json_body: Any = None,
                   params: Any = None, desk_id: str | None = None,
                   idempotent: bool | None = None) -> Any:
        return await self.link.call(lambda hub: hub.call(
            method, path, json_body=json_body, params=params, desk_id=desk_id,
            idempotent=idempotent))


def best_effort_voided(cash: HubCash) -> Callable[[Sequence[str]], Awaitable[set[str]]]:
    """For history: voided drafts when the hub answers, none when it does not (the history
    still shows, the drafts as the platform has them)."""
    from teller_app.platform.errors import PlatformError

    async def lookup(guids: Sequence[str]) -> set[str]:
        try:
            return await cash.voided(guids)
        except PlatformError:
            return set()
    return lookup
