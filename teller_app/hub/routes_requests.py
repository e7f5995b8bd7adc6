"""Four-eyes requests and the approval policy (issue 10 items 1-2).

Maker = the authenticated employee, never the body. Only Supervisor/Administrator decide,
in their own branch unless head office, never on their own request. Approve carries the
SHA-256 of the change the approver was shown: any difference is refused (409), never
applied. The decision is one conditional UPDATE: of two racing approvers exactly one wins.
Requests on the bank's own settings (``bank_settings``) are decided by another head-office
Administrator only, and need no platform session.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from teller_app.platform import NotFound, PlatformError, ValidationError
from teller_app.platform.models import Customer

from . import (
    audit,
    bank_settings,
    commands,
    customer_drift,
    phone_holders,
    phone_probe_limit,
    policy,
)
from .authn import CurrentEmployee, Operator, hub_state, require_head_office_admin
from .cash_commands import check_approval, check_filing
from .commands import Command
from .contract import QueryInt, errors
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .events import is_checker
from .execute import CRASH_AFTER_DECISION, Resumer, crash_point
from .fe_models import (
    ApproveIn,
    EvaluateIn,
    RejectIn,
    RequestIn,
    ResumeIn,
    WithdrawIn,
    canonical_change,
    readable_as_typed,
)
from .fe_runtime import FourEyes, runtime
from .models import HubEmployee
from .platform_token import check_platform_token
from .state import HubState
from .till_money import app_cash_zone
from .watcher import fields_of

router = APIRouter(prefix="/api/v1", tags=["four-eyes"])
log = logging.getLogger("teller_hub.four_eyes")
REFUSALS_PER_MINUTE = 20  # decision_refused entries an employee adds a minute, at most
# A settings change's reason (PUT /policy, PUT /cash/limits: a query parameter, the body is
# the settings): the request rule, declared where it is read (the filing checks it too).
# Stripped before the rule, as it is filed: edge whitespace is dropped, never refused.
SettingsReason = Annotated[str, Query(
    max_length=300, description="Why (filed with a change that waits for approval): what a "
    "supervisor reads, so no control characters but the line break, no direction or "
    "invisible marks"), AfterValidator(str.strip), AfterValidator(readable_as_typed)]


async def _own_customer(fe: FourEyes, emp: HubEmployee, guid: str) -> Any:
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


def _require_checker(emp: HubEmployee, cmd: Command) -> None:
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


async def _visible(request: Request, emp: HubEmployee, command_id: str) -> Command:
    cmd = await commands.get(hub_state(request).engine, command_id)
    if cmd is None:
        raise HubError(404, "no such request")
    if not (cmd.maker == emp.email or (is_checker(emp) and emp.may_act_in(cmd.branch_guid))):
        raise DecisionRefused(404, "no such request", "not_visible")  # as if there were none
    return cmd


@contextlib.asynccontextmanager
async def _refusals_audited(request: Request, emp: HubEmployee, command_id: str,
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


async def _approvers_token(state: HubState, emp: HubEmployee, token: str) -> None:
    try:
        await check_platform_token(state, emp.email, token)
    except HubError as exc:
        if exc.status in (401, 403):
            raise DecisionRefused(exc.status, exc.message, "bad_token") from None
        raise


@router.post("/requests", status_code=201, summary="File a request (maker = you)",
             responses={200: {"description": "Filed before with this id (idempotent retry)"},
                        **errors(404, 409), 429: phone_probe_limit.THROTTLED_DOC})
async def file_request(body: RequestIn, request: Request, emp: Operator) -> Any:
    fe = runtime(request)
    change, text, digest = canonical_change(body.kind, body.change)
    customer = await _own_customer(fe, emp, body.customer_guid)  # unknown = another branch's
    branch = customer.branch_guid or None
    again = bool(body.id) and await commands.get(fe.state.engine, str(body.id)) is not None
    if body.kind == "cash_confirm" and not again:  # a retry of a filed id: compared below
        await check_filing(await fe.reader.client(), fe.state.engine, emp,
                           body.customer_guid, branch, change,
                           zone=app_cash_zone(request.app.state))
    elif body.kind == "customer_update" and not again:  # one customer per phone number
        await phone_holders.refuse_change(fe.state, fe.reader, emp, customer, change,
                                          attempt="file", desk_id=body.desk_id)
    current = {**fields_of(customer), **policy.customer_fields(customer)}
    # a limit is kept with its currency: "1 000 UAH → 500 USD", and judged again if it moves
    kept = set(change) | ({commands.LIMIT_ASSET} if commands.LIMIT in change else set())
    before = {"login": customer.login, "name": customer.name, "surname": customer.surname,
              **{k: v for k, v in customer.model_dump(mode="json").items() if k in kept},
              **{k: current[k] for k in kept if k in current}}
    if body.kind == "customer_update":  # a freeze after filing stops it (customer_drift)
        before = {**customer_drift.filing_extra(customer), **before}
    cmd, created = await commands.file(
        fe.state.engine, command_id=str(body.id) if body.id else None, kind=body.kind,
        customer_guid=body.customer_guid, branch_guid=branch, change_json=text, sha256=digest,
        before=before, maker=emp, reason=body.reason, desk_id=body.desk_id)
    if not created and (cmd.maker != emp.email or cmd.sha256 != digest
                        or cmd.customer_guid != body.customer_guid or cmd.kind != body.kind):
        raise HubError(409, "this request id is taken: a filed request never changes")
    await fe.bus.poke()  # streams of this process see it at once (others: next poll)
    pol = (await policy.load(fe.state.engine))[0]
    reasons = policy.evaluate(pol, body.kind, change, current)
    log.info("request filed", extra={"request_id": cmd.id, "new": created})
    return JSONResponse(cmd.out(reasons), 201 if created else 200)


@router.get("/requests", summary="Requests you may see (checkers: branch; head office: all)")
async def list_requests(
    request: Request, emp: CurrentEmployee,
    state: Annotated[list[str] | None, Query()] = None,
    mine: bool = False, customer_guid: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: QueryInt | None = None,
    before_id: Annotated[str | None, Query(max_length=36)] = None,
) -> dict[str, Any]:
    # the next page: ``before`` = the last row's created_at, ``before_id`` = its id
    states = [s for s in state or [] if s]
    if any(s not in commands.STATES for s in states):
        raise HubError(422, f"state must be one of {', '.join(commands.STATES)}")
    if before_id is not None and before is None:
        raise HubError(422, "before_id needs before (the same row's created_at)")
    found = await commands.listing(hub_state(request).engine, emp, states=states, mine=mine,
                                   customer_guid=customer_guid, limit=limit, before=before,
                                   before_id=before_id)
    return {"requests": [c.out() for c in found]}


async def _customer_now(fe: FourEyes, cmd: Command, emp: HubEmployee) -> Customer | None:
    """The customer of ``cmd``, read on DCM now; None: not a customer change still to apply,
    DCM unreadable, or the customer no longer in ``emp``'s branch (its values are not theirs
    to see)."""
    if cmd.kind != "customer_update" or cmd.state not in (commands.PENDING, commands.APPROVED):
        return None
    try:
        customer = await fe.reader.customer(cmd.customer_guid)
    except (PlatformError, HubError):
        return None
    return customer if emp.may_act_in(customer.branch_guid or None) else None


async def _moved_since_filing(fe: FourEyes, cmd: Command,
                              emp: HubEmployee) -> dict[str, dict[str, Any]] | None:
    """What another desk changed on the customer since ``cmd`` was filed (``customer_drift``),
    read now; None as ``_customer_now``."""
    customer = await _customer_now(fe, cmd, emp)
    return customer_drift.drift(cmd, customer) if customer is not None else None


@router.get("/requests/{command_id}", summary="One request; ``current=true`` adds ``current``: "
            "the fields changed on DCM since it was filed, as they are now (one DCM read)")
async def get_request(command_id: str, request: Request, emp: CurrentEmployee,
                      current: bool = False) -> Any:
    cmd = await _visible(request, emp, command_id)
    data = cmd.out()
    if current:
        moved = await _moved_since_filing(runtime(request), cmd, emp)
        if moved is not None:
            data["current"] = customer_drift.current_of(moved)
    return data


@router.post("/requests/{command_id}/approve", summary="Approve what you were shown; the hub "
             "executes it on DCM", responses=errors(409))
async def approve(command_id: str, body: ApproveIn, request: Request,
                  emp: Operator) -> Any:
    fe = runtime(request)
    async with _refusals_audited(request, emp, command_id, "approve", body.desk_id):
        cmd = await _visible(request, emp, command_id)
        _require_checker(emp, cmd)
        if cmd.state != commands.PENDING:
            raise DecisionRefused(409, f"the request is already {cmd.state}"
                                  + (f" by {cmd.checker}" if cmd.checker else ""),
                                  "already_decided")
        if not hmac.compare_digest(body.sha256, cmd.sha256):
            raise DecisionRefused(409, "the request differs from what you were shown: "
                                  "refused, nothing applied", "hash_mismatch")
        if cmd.kind == "cash_confirm":  # tills (issue 15): still controlled, not the approver's
            await check_approval(fe.state.engine, emp, cmd)
        token = body.session_token.get_secret_value() if body.session_token else None
        if bank_settings.is_local(cmd.kind):
            token = None  # applied on the hub itself: no platform session is used or checked
        elif emp.source == "dcm":
            if not token:
                raise HubError(422, "give your platform session_token: the hub executes the "
                               "change with it for this call only")
            await _approvers_token(fe.state, emp, token)
        elif fe.state.settings.bank_key_file is None:
            raise HubError(503, "the hub has no bank key: it cannot execute in Mode B")
        # changed by another desk since filing: ended unapplied now, never approved. Unmoved,
        # the executor writes onto this read (DCM unreadable here: it reads and decides)
        judged = await _customer_now(fe, cmd, emp)
        moved = customer_drift.drift(cmd, judged) if judged is not None else None
        if judged is not None and not moved:  # its number another's: it stays pending
            await phone_holders.refuse_approval(fe.state.engine, fe.reader, emp, cmd, judged)
        if moved:
            new = await customer_drift.end_unapplied(fe.state.engine, cmd, emp, moved,
                                                     comment=body.comment,
                                                     desk_id=body.desk_id)
        else:
            new = await commands.decide(fe.state.engine, cmd, emp, approve=True,
                                        sha256=body.sha256, comment=body.comment,
                                        desk_id=body.desk_id)
        if new is None:
            again = await commands.get(fe.state.engine, cmd.id)
            state = again.state if again else "gone"
            by = f" by {again.checker}" if again and again.checker else ""
            raise DecisionRefused(409, f"the request is already {state}{by}",
                                  "already_decided")
    if new.state == commands.FAILED:  # customer_drift: nothing was decided or written
        log.info("request not applied: customer changed", extra={"request_id": new.id})
        await fe.bus.poke()
        return new.out()
    crash_point(CRASH_AFTER_DECISION)
    await fe.bus.poke()
    done = await fe.executor.execute(new, token, judged)
    await fe.bus.poke()
    return done.out()


@router.post("/requests/{command_id}/reject", summary="Reject with a comment",
             responses=errors(409))
async def reject(command_id: str, body: RejectIn, request: Request,
                 emp: Operator) -> Any:
    engine = hub_state(request).engine
    async with _refusals_audited(request, emp, command_id, "reject", body.desk_id):
        cmd = await _visible(request, emp, command_id)
        _require_checker(emp, cmd)
        if body.sha256 is not None and not hmac.compare_digest(body.sha256, cmd.sha256):
            raise DecisionRefused(409, "the request differs from what you were shown",
                                  "hash_mismatch")
        new = await commands.decide(engine, cmd, emp, approve=False, sha256=None,
                                    comment=body.comment, desk_id=body.desk_id)
        if new is None:
            again = await commands.get(engine, cmd.id)
            raise DecisionRefused(
                409, f"the request is already {again.state if again else 'gone'}",
                "already_decided")
    if new.kind == "cash_confirm":  # tills (issue 15): a rejected draft is voided too
        from .voids import record_rejected_request

        await record_rejected_request(engine, emp, new)
    await runtime(request).bus.poke()
    return new.out()


@router.post("/requests/{command_id}/withdraw", summary="The maker withdraws a pending request",
             responses=errors(409))
async def withdraw(command_id: str, request: Request, emp: Operator,
                   body: WithdrawIn | None = None) -> Any:
    cmd = await _visible(request, emp, command_id)
    if cmd.maker != emp.email:
        raise HubError(403, "only the maker may withdraw a request")
    new = await commands.withdraw(hub_state(request).engine, cmd, emp,
                                  body.desk_id if body else "")
    if new is None:
        raise HubError(409, f"the request is already {cmd.state}")
    await runtime(request).bus.poke()
    return new.out()


@router.post("/requests/{command_id}/resume", summary="Resume an interrupted execution")
async def resume(command_id: str, request: Request, emp: Operator,
                 body: ResumeIn | None = None) -> Any:
    fe = runtime(request)
    desk_id = body.desk_id if body else ""
    async with _refusals_audited(request, emp, command_id, "resume", desk_id):
        cmd = await _visible(request, emp, command_id)
        _require_checker(emp, cmd)
        if cmd.state != commands.APPROVED:
            return cmd.out()
        token = body.session_token.get_secret_value() if body and body.session_token else None
        if cmd.checker_source == "dcm" and token:
            await _approvers_token(fe.state, emp, token)
    # who resumed is the execution's actor: DCM writes under their session (or token)
    return (await fe.executor.resume(cmd, token, by=Resumer(emp.email, desk_id))).out()


@router.get("/policy", summary="Which changes need a second person")
async def get_policy(request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    pol, by, at = await policy.load(hub_state(request).engine)
    return {"policy": pol.public(), "updated_by": by or None, "updated_at": at or None}


@router.put("/policy", summary="Change the policy (head-office Administrator): a change "
            "that relaxes a control is filed for another one's approval (202)",
            responses={202: {"description": "Filed as a policy_update request"}})
async def put_policy(body: policy.Policy, request: Request,
                     emp: Annotated[HubEmployee | None, Depends(bank_settings.settings_writer)],
                     reason: SettingsReason = "") -> Any:
    if emp is not None:
        require_head_office_admin(emp, "the approval policy")
    done = await bank_settings.put(hub_state(request).engine, bank_settings.POLICY, body, emp,
                                   reason)
    if done.request is not None:
        await runtime(request).bus.poke()
        return bank_settings.filed(done)
    pol, by, at = await policy.load(hub_state(request).engine)
    return {"policy": pol.public(), "updated_by": by or None, "updated_at": at or None}


@router.post("/policy/evaluate", summary="Does this change need approval (before submit); "
             "409 ``phone_taken``: the bank's rule refuses it anyway",
             responses={**errors(403, 409), 429: phone_probe_limit.THROTTLED_DOC})
async def evaluate(body: EvaluateIn, request: Request, emp: Operator) -> dict[str, Any]:
    change, text, digest = canonical_change(body.kind, body.change)
    current = body.current
    if body.customer_guid and body.kind == "customer_update":
        fe = runtime(request)
        customer = await _own_customer(fe, emp, body.customer_guid)
        current = {**fields_of(customer), **policy.customer_fields(customer)}
        await phone_holders.refuse_change(fe.state, fe.reader, emp, customer, change,
                                          attempt="evaluate")  # the phone marked before Save
    pol = (await policy.load(hub_state(request).engine))[0]
    reasons = policy.evaluate(pol, body.kind, change, current)
    return {"needs_approval": bool(reasons), "reasons": reasons, "change": change,
            "change_json": text, "sha256": digest}
