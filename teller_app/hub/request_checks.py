"""The checks of the four-eyes request routes (``routes_requests``, ``routes_policy``): the
customer an employee may act on, who may see and decide a request, refusals in the audit,
the approver's platform token, the customer as DCM holds it now."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request

from teller_app.platform import NotFound, PlatformError, ValidationError
from teller_app.platform.models import Customer

from . import audit, bank_settings, commands, customer_drift
from .authn import hub_state, require_head_office_admin
from .commands import Command
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .events import is_checker
from .fe_runtime import FourEyes
from .models import HubEmployee
from .platform_token import check_platform_token
from .state import HubState

REFUSALS_PER_MINUTE = 20  # decision_refused entries an employee adds a minute, at most


async def own_customer(fe: FourEyes, emp: HubEmployee, guid: str) -> Any:
    """A customer the employee may act on. Unknown and another branch's answer alike (403):
    the verdict would tell another branch's values (balance_allowed by halving)."""
    try:
        customer = await fe.reader.customer(guid)
    except (NotFound, ValidationError):  # an unknown GUID may be a 400 (the docs are open)
        customer = None
    except PlatformError as exc:
        raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None
    if customer is None or not emp.may_act_in(customer.branch_guid or None):
        raise HubError(403, "no such customer in your branch", "not_your_customer")
    return customer


class DecisionRefused(HubError):
    """A decision (approve, reject, resume) refused for a reason the audit names."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(status, message)
        self.reason = reason


def require_checker(emp: HubEmployee, cmd: Command) -> None:
    if not is_checker(emp):
        raise DecisionRefused(403, "only a Supervisor or Administrator may decide requests",
                              "not_checker")
    if not emp.may_act_in(cmd.branch_guid):
        raise DecisionRefused(403, "you may decide only your own branch's requests",
                              "other_branch")
    if emp.email == cmd.maker:
        raise DecisionRefused(403, "the maker of a request may not decide it (four eyes)",
                              "own_request")
    if bank_settings.is_local(cmd.kind):  # a bank-wide setting: as who may change it
        require_head_office_admin(emp, "the bank's settings")


async def visible(request: Request, emp: HubEmployee, command_id: str) -> Command:
    cmd = await commands.get(hub_state(request).engine, command_id)
    if cmd is None:
        raise HubError(404, "no such request")
    if not (cmd.maker == emp.email or (is_checker(emp) and emp.may_act_in(cmd.branch_guid))):
        raise DecisionRefused(404, "no such request", "not_visible")  # as if there were none
    return cmd


@contextlib.asynccontextmanager
async def refusals_audited(request: Request, emp: HubEmployee, command_id: str,
                            attempt: str, desk_id: str = "") -> AsyncIterator[None]:
    """A decision refused inside goes into the audit (a request that exists only), limited:
    the same refusal once a minute, REFUSALS_PER_MINUTE an employee (``append_limited``)."""
    try:
        yield
    except HubError as exc:
        if exc.status not in (401, 403, 404, 409):
            raise  # malformed (422) or the hub's own trouble (5xx): not a refusal
        reason = exc.reason if isinstance(exc, DecisionRefused) else (
            exc.code or f"http_{exc.status}")  # a cash check's code (voided, cash_own…)
        engine = hub_state(request).engine
        cmd = await commands.get(engine, command_id)
        if cmd is not None:
            await audit.record_limited(engine, audit.Entry(
                actor=emp.email, action="decision_refused", entity=f"request:{cmd.id}",
                branch_guid=cmd.branch_guid,
                detail={"attempt": attempt, "refusal": reason, "http_status": exc.status,
                        "desk_id": desk_id}), cap=REFUSALS_PER_MINUTE, cap_by="actor")
        raise


async def approvers_token(state: HubState, emp: HubEmployee, token: str) -> None:
    try:
        await check_platform_token(state, emp.email, token)
    except HubError as exc:
        if exc.status in (401, 403):
            raise DecisionRefused(exc.status, exc.message, "bad_token") from None
        raise


async def customer_now(fe: FourEyes, cmd: Command, emp: HubEmployee) -> Customer | None:
    """The customer of ``cmd``, read on DCM now; None: not a customer change still to apply,
    or DCM unreadable. A customer no longer in ``emp``'s branch is returned too: moved since
    filing, ``customer_drift.drift`` says the branch only (the rest is not theirs to see) and
    the request ends unapplied instead of being approved onto another branch's customer."""
    if cmd.kind != "customer_update" or cmd.state not in (commands.PENDING, commands.APPROVED):
        return None
    try:
        return await fe.reader.customer(cmd.customer_guid)
    except (PlatformError, HubError):
        return None


async def moved_since_filing(fe: FourEyes, cmd: Command,
                              emp: HubEmployee) -> dict[str, dict[str, Any]] | None:
    """What another desk changed on the customer since ``cmd`` was filed (``customer_drift``),
    read now; None as ``customer_now``."""
    customer = await customer_now(fe, cmd, emp)
    return customer_drift.drift(cmd, customer) if customer is not None else None
